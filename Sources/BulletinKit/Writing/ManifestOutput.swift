import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The output of a build that keeps a manifest: it writes a file only when its bytes differ from
/// what the published folder holds (by the last manifest), and records every file's hash and
/// stamp for the next manifest.
///
/// A first build writes into a fresh staging folder. A later one leaves the published folder
/// alone until the first file that changed, then, when it renders many pages (`inPlace` false),
/// fills the staging folder with hard links to the published files (which keep their dates),
/// replaces the changed ones there, and the build swaps it in as usual. When it renders few
/// (`inPlace`), it writes the changed files into the staging folder under temporary names and,
/// once everything succeeded, moves each into the published folder, file by file, and deletes
/// the files that are gone: linking and later deleting a million files for one edited post
/// would cost more than the edit. A build that changes nothing creates no staging folder at all.
final class ManifestOutput: SiteOutput {
    let folder: PublishFolder
    /// The files of the published folder, by the last manifest; nil for a first build.
    let previous: [String: BuildManifest.Output]?
    /// Hashes of the build's inputs by absolute path, to compare copies without reading them.
    let sourceHashes: [String: Int]
    let inPlace: Bool

    private struct State {
        var staging = false
        var written: [String: BuildManifest.Output] = [:]
        /// Published files kept whose stamp changed (a restored cache, a copy) but not their bytes.
        var restamped: [String: FileStamp] = [:]
        /// With `inPlace`: each written file's temporary name in the staging folder, by path.
        var pending: [String: String] = [:]
        /// With `inPlace`: the files to delete from the published folder.
        var gone: [String] = []
    }
    private let state = Mutex(State())

    init(folder: PublishFolder, previous: [String: BuildManifest.Output]?, sourceHashes: [String: Int], inPlace: Bool) throws {
        self.folder = folder
        self.previous = previous
        self.sourceHashes = sourceHashes
        self.inPlace = inPlace && previous != nil
        if previous == nil {
            try folder.prepare()
            state.withLock { $0.staging = true }
        }
    }

    /// The published file's stamp when it still holds the bytes the last manifest recorded, else nil.
    func publishedStamp(_ path: String, as record: BuildManifest.Output) -> FileStamp? {
        Self.stamp(of: folder.output + "/" + path, ifItHolds: record)
    }

    /// The stamp of the file at `path` if it holds `record`'s bytes: by its stamp, or when that
    /// changed (a folder restored from a CI cache, copied, touched) by its bytes.
    static func stamp(of path: String, ifItHolds record: BuildManifest.Output) -> FileStamp? {
        guard let stamp = FileStamp.of(path, withChangeTime: false) else { return nil }
        if stamp == record.stamp { return stamp }
        guard stamp.size == record.stamp.size, let bytes = readFile(path), StableHasher.hash(bytes) == record.hash else { return nil }
        return stamp
    }

    func write(_ path: String, bytes: some Collection<UInt8>) throws {
        let hash = StableHasher.hash(bytes)
        if let record = previous?[path], record.hash == hash, let stamp = publishedStamp(path, as: record) {
            keep(path, stamp: stamp)
            return
        }
        try ensureStaging()
        let name = inPlace ? state.withLock { state in
            let name = "n" + String(state.pending.count)
            state.pending[path] = name
            return name
        } : path
        // A staging folder of links holds the published file under this name, which must not change.
        if previous != nil && !inPlace { unlink(folder.staging + "/" + name) }
        let stamp = FileStamp(try DiskOutput(root: folder.staging).writeFile(name, bytes: bytes), withChangeTime: false)
        state.withLock { $0.written[path] = BuildManifest.Output(hash: hash, stamp: stamp) }
    }

    func copy(from source: String, to path: String) throws {
        if let record = previous?[path], let hash = sourceHashes[source], record.hash == hash, let stamp = publishedStamp(path, as: record) {
            keep(path, stamp: stamp)
            return
        }
        guard let bytes = readFile(source) else { throw OutputError(path: source, reason: "cannot read the file") }
        try write(path, bytes: bytes)
    }

    /// Records a published file that stays as it is, with its stamp now.
    func keep(_ path: String, stamp: FileStamp) {
        guard stamp != previous?[path]?.stamp else { return }
        state.withLock { $0.restamped[path] = stamp }
    }

    /// Fills the staging folder with links to the published files (unless `inPlace`), once.
    private func ensureStaging() throws {
        try state.withLock { state in
            guard !state.staging else { return }
            try folder.prepare()
            if inPlace {
                state.staging = true
                return
            }
            var folders: Set<String> = [""]
            for (path, record) in previous ?? [:] {
                let source = folder.output + "/" + path
                // A file changed behind the manifest's back is not carried over; it is written again.
                guard Self.stamp(of: source, ifItHolds: record) != nil else { continue }
                let target = folder.staging + "/" + path
                try makeFolders(for: path, in: &folders)
                if link(source, target) != 0 {
                    // No hard links here: a copy that keeps the date does as well.
                    guard let bytes = readFile(source) else { throw OutputError(path: source, reason: String(cString: strerror(errno))) }
                    try DiskOutput(root: folder.staging).write(path, bytes: bytes)
                    var times = [timespec(tv_sec: Int(record.stamp.modified / 1_000_000_000), tv_nsec: Int(record.stamp.modified % 1_000_000_000))]
                    times.insert(times[0], at: 0)
                    utimensat(AT_FDCWD, target, times, 0)
                }
            }
            state.staging = true
        }
    }

    private func makeFolders(for path: String, in made: inout Set<String>, root: String? = nil) throws {
        guard let parent = path.splitAtLastSlash?.folder else { return }
        if made.contains(parent) { return }
        try makeFolders(for: parent, in: &made, root: root)
        let full = (root ?? folder.staging) + "/" + parent
        guard mkdir(full, 0o755) == 0 || errno == EEXIST else { throw OutputError(path: full, reason: String(cString: strerror(errno))) }
        made.insert(parent)
    }

    /// Ends the build: removes the files of the last build that are not in `files`. Gives the
    /// records of `files`, and whether a staging folder now holds the new site (nothing changed
    /// when it does not).
    func finish(files: Set<String>) throws -> (records: [String: BuildManifest.Output], changed: Bool, written: Int, removed: Int) {
        var gone = (previous ?? [:]).keys.filter { !files.contains($0) }
        if inPlace {
            // Files that no build wrote (left there by hand) go too, as they do from a staged build.
            gone += FileStamp.tree(folder.output, "", withChangeTime: false).lazy.map(\.path).filter { !files.contains($0) && self.previous?[$0] == nil }
        }
        if !gone.isEmpty { try ensureStaging() }
        if inPlace {
            state.withLock { $0.gone = gone }
        } else {
            for path in gone { unlink(folder.staging + "/" + path) }
            if !gone.isEmpty { removeEmptyFolders(of: gone, in: folder.staging) }
        }
        return state.withLock { state in
            var records: [String: BuildManifest.Output] = [:]
            records.reserveCapacity(files.count)
            for path in files {
                if let written = state.written[path] {
                    records[path] = written
                } else if var old = previous?[path] {
                    if let stamp = state.restamped[path] { old.stamp = stamp }
                    records[path] = old
                }
            }
            return (records, state.staging, state.written.count, gone.count)
        }
    }

    /// Puts the new site in place: swaps the staging folder in, or (`inPlace`) moves each
    /// written file into the published folder and deletes the files that are gone.
    func publish() throws {
        guard inPlace else { return try folder.publish() }
        let (pending, gone) = state.withLock { ($0.pending, $0.gone) }
        var folders: Set<String> = []
        for (path, name) in pending.sorted(by: { $0.key < $1.key }) {
            try makeFolders(for: path, in: &folders, root: folder.output)
            let target = folder.output + "/" + path
            guard rename(folder.staging + "/" + name, target) == 0 else { throw OutputError(path: target, reason: String(cString: strerror(errno))) }
        }
        for path in gone { unlink(folder.output + "/" + path) }
        removeEmptyFolders(of: gone, in: folder.output)
        folder.discard()
    }

    private func removeEmptyFolders(of paths: [String], in root: String) {
        var folders = Set<String>()
        for path in paths {
            var current = path
            while let folder = current.splitAtLastSlash?.folder {
                current = folder
                folders.insert(current)
            }
        }
        // Deepest first; rmdir leaves folders that still hold something.
        for folderPath in folders.sorted(by: { $0.count > $1.count }) { rmdir(root + "/" + folderPath) }
    }
}
