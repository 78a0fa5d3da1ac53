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
    /// The folder held open, when files are created relative to it.
    let folder: OpenFolder?

    public init(root: String) {
        self.root = root
        folder = nil
    }

    init(folder: OpenFolder) {
        root = folder.path
        self.folder = folder
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
    /// status as written. Folders are made when the open finds one missing (or, in an
    /// `OpenFolder`, before the first file in each).
    private func writeFile(_ path: String, fill: (Int32) -> Int32) throws -> stat {
        let full = root + "/" + path
        var fd: Int32
        if let folder {
            fd = try folder.create(path)
        } else {
            fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 && errno == ENOENT {
                if let parent = full.splitAtLastSlash?.folder { try makeFolder(parent, in: AT_FDCWD, shownBelow: nil) }
                fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            }
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
}

/// Makes the folder at `path` and those missing above it; one that exists is fine.
/// - Parameters:
///   - base: the folder `path` is relative to, or `AT_FDCWD` for an absolute path.
///   - shownBelow: the path of `base`, for errors.
private func makeFolder(_ path: String, in base: Int32, shownBelow: String?) throws {
    if path.isEmpty || mkdirat(base, path, 0o755) == 0 || errno == EEXIST { return }
    if errno == ENOENT, let parent = path.splitAtLastSlash?.folder {
        try makeFolder(parent, in: base, shownBelow: shownBelow)
        if mkdirat(base, path, 0o755) == 0 || errno == EEXIST { return }
    }
    throw OutputError(path: shownBelow.map { $0 + "/" + path } ?? path, reason: String(cString: strerror(errno)))
}

/// A folder held open to create files in: each file's path is walked from the folder, not from
/// `/`, and each folder below it is made once, before the first file in it is opened, instead of
/// after an open that failed (the files of a fresh folder are nearly all in folders of their
/// own). Writing a site is mostly creating files, and these walks were a tenth of its CPU time.
final class OpenFolder: Sendable {
    let path: String
    private let fd: Int32
    /// The folders below it known to exist, by relative path ("" is the folder itself).
    private let made = Mutex<Set<String>>([""])

    init(_ path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// Creates (or truncates) the file at `relative` for writing; gives its descriptor.
    func create(_ relative: String) throws -> Int32 {
        let parent = relative.splitAtLastSlash?.folder ?? ""
        if !made.withLock({ $0.contains(parent) }) {
            try makeFolder(parent, in: fd, shownBelow: path)
            made.withLock { _ = $0.insert(parent) }
        }
        var file = openat(fd, relative, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if file < 0 && errno == ENOENT {
            // Removed since it was made.
            try makeFolder(parent, in: fd, shownBelow: path)
            file = openat(fd, relative, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard file >= 0 else { throw OutputError(path: path + "/" + relative, reason: String(cString: strerror(errno))) }
        return file
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
