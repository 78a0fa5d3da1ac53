import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The output of a build that keeps a manifest: it writes a file only when its bytes differ from
/// what the published folder holds (by the last manifest), and records every file's hash and
/// stamp for the next manifest.
///
/// A first build writes into a fresh staging folder, swapped in at the end. A later one leaves
/// the published folder alone and writes each file whose bytes changed into the staging folder
/// under a temporary name. At the end it counts what changed (files written and files gone):
/// - a few (at most `inPlaceLimit`): each new file is moved into the published folder, file by
///   file, and the files that are gone are deleted. Linking and later deleting a million files
///   for one edited post would cost more than the edit.
/// - more: the staging folder is filled with hard links to the published files that stay (they
///   keep their dates), the new files are moved to their places in it, and it is swapped in whole.
/// So what decides is the files whose bytes changed, not the pages rendered: a new Bulletin or a
/// template edit renders every page, and may still change only a few files.
/// A build that changes nothing creates no staging folder at all.
final class ManifestOutput: SiteOutput {
    let folder: PublishFolder
    /// The files of the published folder, by the last manifest; nil for a first build.
    let previous: [String: BuildManifest.Output]?
    /// Hashes of the build's inputs by absolute path, to compare copies without reading them.
    let sourceHashes: [String: Int]
    /// The most files written and deleted together that are put in place one by one.
    let inPlaceLimit: Int

    private struct State {
        /// The staging folder, once made.
        var staging: OpenFolder?
        var written: [String: BuildManifest.Output] = [:]
        /// Published files kept whose stamp changed (a restored cache, a copy) but not their bytes.
        var restamped: [String: FileStamp] = [:]
        /// After a first build: each written file's temporary name in the staging folder, by path.
        var pending: [String: String] = [:]
        /// The files to delete from the published folder.
        var gone: [String] = []
        /// Whether `finish` chose to put the files in place one by one.
        var inPlace = false
    }
    private let state = Mutex(State())

    init(folder: PublishFolder, previous: [String: BuildManifest.Output]?, sourceHashes: [String: Int], inPlaceLimit: Int) throws {
        self.folder = folder
        self.previous = previous
        self.sourceHashes = sourceHashes
        self.inPlaceLimit = inPlaceLimit
        if previous == nil { try ensureStaging() }
    }

    /// The published file's stamp when it still holds the bytes the last manifest recorded, else nil.
    func publishedStamp(_ path: String, as record: BuildManifest.Output) -> FileStamp? {
        Self.stamp(of: folder.output + "/" + path, ifItHolds: record)
    }

    /// The stamp of the file at `path` if it holds `record`'s bytes: by its stamp, or when that
    /// changed (a folder restored from a CI cache, copied, touched) by its bytes.
    static func stamp(of path: String, ifItHolds record: BuildManifest.Output) -> FileStamp? {
        if record.seenUnchanged { return record.stamp }
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
        let staging = try ensureStaging()
        // A first build writes in place in its fresh folder; a later one under a temporary name
        // that no file of a site can have (no page, attachment or static file starts with '.').
        let name = previous == nil ? path : state.withLock { state in
            let name = ".new-" + String(state.pending.count)
            state.pending[path] = name
            return name
        }
        let stamp = FileStamp(try DiskOutput(folder: staging).writeFile(name, bytes: bytes), withChangeTime: false)
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

    /// Makes the (empty) staging folder, once.
    @discardableResult
    private func ensureStaging() throws -> OpenFolder {
        try state.withLock { state in
            if let staging = state.staging { return staging }
            try folder.prepare()
            let staging = try OpenFolder(folder.staging)
            state.staging = staging
            return staging
        }
    }

    /// Fills the staging folder with links to the published files in `kept` that still hold
    /// what the manifest says, then moves the new files from their temporary names to their places.
    private func stageWhole(kept: [String], pending: [String: String]) throws {
        var folders: Set<String> = [""]
        for path in kept {
            guard let record = previous?[path] else { continue }
            let source = folder.output + "/" + path
            // A file changed behind the manifest's back is not carried over.
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
        for (path, name) in pending.sorted(by: { $0.key.precedesByBytes($1.key) }) {
            try makeFolders(for: path, in: &folders)
            let target = folder.staging + "/" + path
            guard rename(folder.staging + "/" + name, target) == 0 else { throw OutputError(path: target, reason: String(cString: strerror(errno))) }
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

    /// Ends the build: chooses how the changes are published (see the type's comment) and
    /// removes the files of the last build that are not in `files`. Gives the records of `files`,
    /// and whether a staging folder now holds something to publish (nothing changed when not).
    func finish(files: Set<String>) throws -> (records: [String: BuildManifest.Output], changed: Bool, written: Int, removed: Int) {
        var gone = (previous ?? [:]).keys.filter { !files.contains($0) }
        if let previous {
            let pending = state.withLock { $0.pending }
            if pending.count + gone.count <= inPlaceLimit {
                // Files that no build wrote (left there by hand) go too, as they do from a staged build.
                gone += FileStamp.tree(folder.output, "", withChangeTime: false, stamped: false).lazy.map(\.path).filter { !files.contains($0) && previous[$0] == nil }
                state.withLock { $0.inPlace = true }
            } else {
                try ensureStaging()
                try stageWhole(kept: previous.keys.filter { files.contains($0) && pending[$0] == nil }, pending: pending)
            }
            if !gone.isEmpty { try ensureStaging() }
        }
        state.withLock { $0.gone = gone }
        return state.withLock { state in
            // A first build wrote every file it has into its fresh folder, and no other.
            // Handed over, not shared: the caller adds to the records.
            if previous == nil && state.written.count == files.count {
                var records: [String: BuildManifest.Output] = [:]
                swap(&records, &state.written)
                return (records, state.staging != nil, records.count, gone.count)
            }
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
            return (records, state.staging != nil, state.written.count, gone.count)
        }
    }

    /// Puts the new site in place: swaps the staging folder in, or moves each written file
    /// into the published folder and deletes the files that are gone.
    func publish() throws {
        let (inPlace, pending, gone) = state.withLock { ($0.inPlace, $0.pending, $0.gone) }
        guard inPlace else { return try folder.publish() }
        var folders: Set<String> = []
        for (path, name) in pending.sorted(by: { $0.key.precedesByBytes($1.key) }) {
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
