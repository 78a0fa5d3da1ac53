import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which published files still have the stamps the last manifest recorded, found with one
/// `stat` each by whichever thread has time: the one that read the manifest, as soon as it has,
/// and the one that walked `Content/`, once it has. Nearly every build needs it: one that
/// changed nothing to know that it may stop, one that changed a post to know which files it
/// may keep (``BuildManifest/Output/seenUnchanged``). The paths are taken from the manifest's
/// text as they are (``ManifestText``), without decoding its lines.
final class PublishedCheck: Sendable {
    /// A run of output lines, checked by one thread at a time.
    static let chunk = 512

    private let started = Mutex<ManifestText?>(nil)
    private let next = Atomic<Int>(0)
    /// For each chunk that was checked, whether each of its files has its recorded stamp.
    private let found = Mutex<[[Bool]?]>([])

    init() {}

    /// Starts checking the files `text` recorded, on this thread.
    func start(_ text: ManifestText) {
        found.withLock { $0 = Array(repeating: nil, count: (text.outputLines.count + Self.chunk - 1) / Self.chunk) }
        started.withLock { $0 = text }
        help()
    }

    /// Checks chunks that no thread has taken yet, until none is left.
    func help() {
        guard let text else { return }
        let folder = open(text.header.output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folder >= 0 { close(folder) } }
        let lines = text.outputLines
        // A path as `fstatat` takes it: its bytes and a NUL.
        var path = [CChar](repeating: 0, count: 4096)
        var first: (name: [UInt8], fd: Int32) = ([], -1)
        defer { if first.fd >= 0 { close(first.fd) } }
        text.bytes.withUnsafeBufferPointer { all in
            var line = BuildManifest.Line(in: all)
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard c * Self.chunk < lines.count else { return }
                var flags: [Bool] = []
                flags.reserveCapacity(Self.chunk)
                for start in lines[(c * Self.chunk)..<min(lines.count, (c + 1) * Self.chunk)] {
                    line.split(start, BuildManifest.find(UInt8(ascii: "\n"), in: all, from: start))
                    guard folder >= 0, line.count == 7 || line.count == 10, let stamp = line.stamp(3) else {
                        flags.append(false)
                        continue
                    }
                    var field = line.bytes(1)
                    var info = stat()
                    let status: Int32
                    if field.count < path.count && !field.contains(UInt8(ascii: "\\")) {
                        // From the path's first folder, held open while the paths (in order) share it.
                        var from = folder
                        if let slash = field.firstIndex(of: UInt8(ascii: "/")) {
                            let top = UnsafeBufferPointer(rebasing: field[..<slash])
                            if !top.elementsEqual(first.name) {
                                if first.fd >= 0 { close(first.fd) }
                                first = (Array(top), openat(folder, String(decoding: top, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
                            }
                            if first.fd >= 0 {
                                from = first.fd
                                field = UnsafeBufferPointer(rebasing: field[(slash + 1)...])
                            }
                        }
                        path.withUnsafeMutableBytes { buffer in
                            buffer.copyMemory(from: UnsafeRawBufferPointer(field))
                            buffer[field.count] = 0
                        }
                        status = fstatat(from, path, &info, 0)
                    } else {
                        status = fstatat(folder, line.text(1), &info, 0)
                    }
                    flags.append(status == 0 && info.st_mode & S_IFMT == S_IFREG && FileStamp(info, withChangeTime: false) == stamp)
                }
                found.withLock { $0[c] = flags }
            }
        }
    }

    /// Whether the output on a line (counted from 0) of the text given to `start` was found as
    /// recorded; to be asked once every thread is done.
    func seen() -> @Sendable (Int) -> Bool {
        let flags = found.withLock { $0 }
        return { i in i / Self.chunk < flags.count && flags[i / Self.chunk]?[i % Self.chunk] == true }
    }

    /// The text given to `start`, once it was.
    var text: ManifestText? { started.withLock { $0 } }

    /// Lets go of the text given to `start`.
    func finish() {
        started.withLock { $0 = nil }
    }
}
