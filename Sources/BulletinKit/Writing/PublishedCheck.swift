import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which published files still have the stamps the last manifest recorded, found with one
/// `stat` each by whichever thread has time: the one that read the manifest, as soon as it has,
/// and the one that walked `Content/`, once it has. Nearly every build needs it: one that
/// changed nothing to know that it may stop, one that changed a post to know which files it
/// may keep (``BuildManifest/Output/seenUnchanged``).
final class PublishedCheck: Sendable {
    /// A run of outputs in the manifest's order, checked by one thread at a time.
    static let chunk = 512

    private struct Work: Sendable {
        var outputs: [String: BuildManifest.Output]
        var folder: String
        /// Where each chunk starts in `outputs`.
        var starts: [Dictionary<String, BuildManifest.Output>.Index]
    }
    private let work = Mutex<Work?>(nil)
    private let next = Atomic<Int>(0)
    /// For each chunk that was checked, whether each of its files has its recorded stamp.
    private let found = Mutex<[[Bool]?]>([])

    init() {}

    /// Starts checking the files `manifest` recorded, on this thread.
    func start(_ manifest: BuildManifest) {
        let outputs = manifest.outputs
        var starts: [Dictionary<String, BuildManifest.Output>.Index] = []
        starts.reserveCapacity(outputs.count / Self.chunk + 1)
        var index = outputs.startIndex
        var i = 0
        while index != outputs.endIndex {
            if i % Self.chunk == 0 { starts.append(index) }
            outputs.formIndex(after: &index)
            i += 1
        }
        found.withLock { $0 = Array(repeating: nil, count: starts.count) }
        work.withLock { $0 = Work(outputs: outputs, folder: manifest.output, starts: starts) }
        help()
    }

    /// Checks chunks that no thread has taken yet, until none is left.
    func help() {
        guard let work = work.withLock({ $0 }) else { return }
        let folder = open(work.folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folder >= 0 { close(folder) } }
        while true {
            let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard c < work.starts.count else { return }
            var flags: [Bool] = []
            flags.reserveCapacity(Self.chunk)
            var index = work.starts[c]
            while flags.count < Self.chunk && index != work.outputs.endIndex {
                let (path, record) = work.outputs[index]
                var info = stat()
                let same =
                    folder >= 0 && fstatat(folder, path, &info, 0) == 0 && info.st_mode & S_IFMT == S_IFREG
                    && FileStamp(info, withChangeTime: false) == record.stamp
                flags.append(same)
                work.outputs.formIndex(after: &index)
            }
            found.withLock { $0[c] = flags }
        }
    }

    /// Marks the outputs of `manifest` (the one given to `start`) found unchanged, after
    /// checking what is left on this thread.
    func mark(_ manifest: inout BuildManifest) {
        help()
        // Let go of the manifest's outputs first, so that they are changed in place, not copied.
        let started = work.withLock { work -> Bool in
            defer { work = nil }
            return work != nil
        }
        guard started else { return }
        let flags = found.withLock { $0 }
        var i = 0
        for index in manifest.outputs.values.indices {
            if let chunk = flags[i / Self.chunk], chunk[i % Self.chunk] { manifest.outputs.values[index].seenUnchanged = true }
            i += 1
        }
    }
}
