import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where a built site goes: a folder on disk, or memory (tests, the preview server).
public protocol SiteOutput: Sendable {
    /// Writes a file at `path`, relative to the site's root, creating folders as needed.
    func write(_ path: String, bytes: some Collection<UInt8>) throws
    /// Copies the file at `source` (absolute) to `path`, relative to the site's root.
    func copy(from source: String, to path: String) throws
}

/// An I/O failure while writing the site.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes into a folder on disk.
public struct DiskOutput: SiteOutput {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func write(_ path: String, bytes: some Collection<UInt8>) throws {
        _ = try writeFile(path, bytes: bytes)
    }

    /// Writes the file from pieces, one after another.
    func write(_ path: String, pieces: [[UInt8]]) throws {
        _ = try writeFile(path) { fd in
            for piece in pieces {
                let failure = piece.withUnsafeBytes { Self.writeAll(fd, $0) }
                if failure != 0 { return failure }
            }
            return 0
        }
    }

    /// Writes the whole buffer to `fd`; gives 0, or the `errno` of the failure.
    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    /// Writes the file and gives its status as written (one open, no lookup of the path after).
    func writeFile(_ path: String, bytes: some Collection<UInt8>) throws -> stat {
        guard bytes.withContiguousStorageIfAvailable({ _ in true }) != nil else { return try writeFile(path, bytes: Array(bytes)) }
        return try writeFile(path) { fd in bytes.withContiguousStorageIfAvailable { Self.writeAll(fd, UnsafeRawBufferPointer($0)) }! }
    }

    /// Creates or truncates the file, lets `fill` write it (giving 0 or an `errno`), and gives its
    /// status as written. Folders are made only when the open finds one missing.
    private func writeFile(_ path: String, fill: (Int32) -> Int32) throws -> stat {
        let full = root + "/" + path
        var fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeParent(of: full)
            fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw OutputError(path: full, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let failure = fill(fd)
        if failure != 0 { throw OutputError(path: full, reason: String(cString: strerror(failure))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw OutputError(path: full, reason: String(cString: strerror(errno))) }
        return info
    }

    public func copy(from source: String, to path: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw OutputError(path: source, reason: "cannot read the file")
        }
        try write(path, bytes: [UInt8](data))
    }

    private func makeParent(of file: String) throws {
        guard let folder = file.splitAtLastSlash?.folder else { return }
        if mkdir(folder, 0o755) == 0 || errno == EEXIST { return }
        if errno == ENOENT {
            try makeParent(of: folder)
            if mkdir(folder, 0o755) == 0 || errno == EEXIST { return }
        }
        throw OutputError(path: folder, reason: String(cString: strerror(errno)))
    }
}

/// Keeps the site's files in memory, by path.
public final class MemoryOutput: SiteOutput {
    private let storage = Mutex<[String: [UInt8]]>([:])

    public init() {}

    public func write(_ path: String, bytes: some Collection<UInt8>) throws {
        let array = Array(bytes)
        storage.withLock { $0[path] = array }
    }

    public func copy(from source: String, to path: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw OutputError(path: source, reason: "cannot read the file")
        }
        try write(path, bytes: [UInt8](data))
    }

    /// Every file written, by path.
    public var files: [String: [UInt8]] { storage.withLock { $0 } }

    /// A file's text, if it was written.
    public func text(_ path: String) -> String? {
        storage.withLock { $0[path] }.map { String(decoding: $0, as: UTF8.self) }
    }
}
