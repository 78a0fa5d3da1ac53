import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The first look of a build at the disk, shared by two threads: the stamps of the files below
/// `Content/`, and which published files still have the stamps the last manifest recorded.
///
/// One thread reads the manifest (`read`); the other waits for it (`walk`). When the manifest
/// recorded the stamps of `Content/`'s folders, both threads look at exactly what it recorded,
/// in chunks of its lines taken by whichever thread is free: each folder (one whose stamp is
/// unchanged holds the same names), each content file, each published file. Nothing is listed,
/// and no line becomes a string. Otherwise, or when something differs (`listingNeeded`), the
/// second thread lists `Content/`'s folders while the first looks at the published files, and
/// then both take chunks of either; content files are compared with the manifest's records on
/// the way. A `stat` of each file is most of the time of a build that finds nothing changed.
///
/// Nearly every build needs it: one that changed nothing to know that it may stop, one that
/// changed a post to know which files it may keep (``BuildManifest/Output/seenUnchanged``).
final class StampCheck: Sendable {
    /// A run of files, checked by one thread at a time.
    static let chunk = 512

    private let manifest = Mutex<ManifestText?>(nil)
    /// The manifest's bytes once mapped, and where the part that the second thread scans begins.
    private let mapped = Mutex<(bytes: ManifestText.Bytes, cut: Int)?>(nil)
    private let secondPart = Mutex<ManifestText.Part?>(nil)
    /// Signalled once the manifest was mapped (or found missing), once the second thread scanned
    /// its part, once the manifest was read, and once `Content/` was listed.
    private let manifestMapped = DispatchSemaphore(value: 0)
    private let secondPartScanned = DispatchSemaphore(value: 0)
    private let manifestRead = DispatchSemaphore(value: 0)
    private let listed = DispatchSemaphore(value: 0)

    /// The recorded folders and content files: whether each chunk of them was found as recorded.
    private let recorded = Mutex<[Bool?]>([])
    private let nextRecorded = Atomic<Int>(0)

    private let nextOutput = Atomic<Int>(0)
    /// For each chunk of output lines that was checked, whether each file has its recorded stamp.
    private let outputs = Mutex<[[Bool]?]>([])

    private let listing = Mutex<Listing?>(nil)
    private let nextContent = Atomic<Int>(0)
    /// For each chunk of content files: their stamps, and whether the manifest recorded each of
    /// them with that stamp (nil when it was not compared: no manifest had been read yet).
    private let content = Mutex<[(files: [(path: String, stamp: FileStamp)], same: Bool?)?]>([])

    /// The folders below `Content/` and the files in them, not yet looked at.
    private struct Listing: Sendable {
        var root: String
        /// Relative to `root`, each with a slash at its end.
        var folders: [String] = []
        /// Each folder's stamp, taken before it was read.
        var stamps: [FileStamp] = []
        /// Whether the stamps tell that the names are the same next time: not when a folder
        /// holds a symbolic link (its target may come and go unseen), nor when one changed in
        /// the last seconds (another change within the file system's tick would not show).
        var trusted = true
        var entries: [Entry] = []

        struct Entry: Sendable {
            var folder: Int32
            /// A symbolic link: followed to a regular file, else skipped.
            var isLink: Bool
            var name: String
        }
    }

    /// The site's folder, which `Content/` and the manifest's input paths are in.
    let source: String

    /// Whether a listing with no manifest to compare with leaves regular files' stamps to be
    /// taken as they are read (``FileStamp/notTaken``): a build that renders everything opens
    /// each of them anyway.
    let stampsTakenByReading: Bool

    init(source: String, stampsTakenByReading: Bool = false) {
        self.source = source
        self.stampsTakenByReading = stampsTakenByReading
    }

    /// Reads the manifest at `path` (nil: none is wanted), the second half of a big one scanned
    /// by the thread in `walk`, then checks as `read(_:)` does. Returns the manifest.
    func read(mapping path: String?) -> ManifestText? {
        let bytes = path.flatMap { ManifestText.Bytes(mapping: $0) }
        let cut = bytes.flatMap(ManifestText.split)
        if let bytes, let cut { mapped.withLock { $0 = (bytes, cut) } }
        manifestMapped.signal()
        var text: ManifestText?
        if let bytes, let cut {
            let first = bytes.withUnsafeBufferPointer { ManifestText.scan($0, from: 0, to: cut) }
            secondPartScanned.wait()
            // A part with a line out of place: scanned whole, to tell a long header from damage.
            text = secondPart.withLock { $0.take() }.flatMap { ManifestText(bytes, parts: [first, $0]) } ?? ManifestText(bytes)
        } else {
            text = bytes.flatMap(ManifestText.init)
        }
        publish(text)
        return text
    }

    /// The manifest `text` was read (nil: there is none): checks what it recorded, and content
    /// files once listed, on this thread.
    func read(_ text: ManifestText?) {
        manifestMapped.signal()
        publish(text)
    }

    private func publish(_ text: ManifestText?) {
        if let text {
            outputs.withLock { $0 = Array(repeating: nil, count: (text.outputLines.count + Self.chunk - 1) / Self.chunk) }
            if !text.folderLines.isEmpty {
                recorded.withLock { $0 = Array(repeating: nil, count: (text.folderLines.count + text.contentInputs.count + Self.chunk - 1) / Self.chunk) }
            }
            manifest.withLock { $0 = text }
        }
        manifestRead.signal()
        if text == nil { waitForListing() }
        help()
    }

    /// Waits for the manifest, then looks at what it recorded, or lists `Content/` when it
    /// recorded no folders.
    func walk() {
        manifestMapped.wait()
        if let (bytes, cut) = mapped.withLock({ $0.take() }) {
            let part = bytes.withUnsafeBufferPointer { ManifestText.scan($0, from: cut, to: $0.count) }
            secondPart.withLock { $0 = part }
            secondPartScanned.signal()
        }
        manifestRead.wait()
        manifestRead.signal()
        if manifest.withLock({ $0?.folderLines.isEmpty == false }) {
            help()
        } else {
            list()
        }
    }

    /// Whether `Content/` must be listed: the manifest recorded no folders, or a folder or a
    /// content file is not as it recorded. To be asked once every thread is done.
    var listingNeeded: Bool {
        let chunks = recorded.withLock { $0 }
        return chunks.isEmpty || chunks.contains { $0 != true }
    }

    /// Whether `list` has listed.
    var isListed: Bool { listing.withLock { $0 != nil } }

    /// How many content files were listed, and whether the manifest recorded each of them with
    /// its stamp; once every thread is done.
    var contentCount: (count: Int, allRecorded: Bool) {
        content.withLock { chunks in
            (chunks.reduce(0) { $0 + ($1?.files.count ?? 0) }, chunks.allSatisfy { $0?.same == true })
        }
    }

    /// Waits until `list` has listed.
    func waitForListing() {
        listed.wait()
        listed.signal()
    }

    /// Lists the folders below `Content/` (hidden names skipped, linked folders not followed),
    /// then looks at their files (and published files) with the other thread.
    func list() {
        let (root, relative) = (source, "Content")
        var listing = Listing(root: root)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let recent = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) - 2_000_000_000
        let fd = open(root + "/" + relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { Self.read(fd, prefix: relative + "/", recent: recent, into: &listing) } else { listing.trusted = false }
        content.withLock { $0 = Array(repeating: nil, count: (listing.entries.count + Self.chunk - 1) / Self.chunk) }
        self.listing.withLock { $0 = listing }
        listed.signal()
        help()
    }

    /// Reads the folder open as `fd` (and closes it), then its subfolders.
    /// - Parameter recent: a time (ns) after which a folder's change is too recent to trust.
    private static func read(_ fd: Int32, prefix: String, recent: Int64, into listing: inout Listing) {
        // Its stamp before its names: a name added meanwhile changes the stamp after this.
        var info = stat()
        guard fstat(fd, &info) == 0, let dir = fdopendir(fd) else {
            close(fd)
            listing.trusted = false
            return
        }
        defer { closedir(dir) }
        let stamp = FileStamp(info, withChangeTime: true)
        if stamp.modified >= recent || stamp.changed >= recent { listing.trusted = false }
        let folder = Int32(listing.folders.count)
        listing.folders.append(prefix)
        listing.stamps.append(stamp)
        var subfolders: [String] = []
        while let entry = readdir(dir) {
            let (name, kind) = directoryEntry(entry)
            if name.hasPrefix(".") { continue }
            var type = Int(kind)
            if type == DT_UNKNOWN {
                // A file system that does not say: asked.
                var info = stat()
                guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                type = info.st_mode & S_IFMT == S_IFDIR ? DT_DIR : info.st_mode & S_IFMT == S_IFLNK ? DT_LNK : DT_REG
            }
            switch type {
            case DT_DIR: subfolders.append(name)
            case DT_REG: listing.entries.append(.init(folder: folder, isLink: false, name: name))
            case DT_LNK:
                listing.entries.append(.init(folder: folder, isLink: true, name: name))
                listing.trusted = false
            default: break
            }
        }
        for name in subfolders {
            let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            if child >= 0 { read(child, prefix: prefix + name + "/", recent: recent, into: &listing) } else { listing.trusted = false }
        }
    }

    /// Checks chunks that no thread has taken yet, content files first, until none is left.
    func help() {
        let text = manifest.withLock { $0 }
        let listing = listing.withLock { $0 }
        if let text, !text.folderLines.isEmpty { helpWithRecorded(text) }
        if let listing { helpWithContent(listing) }
        if let text { helpWithOutputs(text, then: listing == nil) }
    }

    /// The folders and content files `text` recorded: each must have its recorded stamp.
    private func helpWithRecorded(_ text: ManifestText) {
        let folders = text.folderLines.count
        let count = folders + text.contentInputs.count
        let source = open(self.source, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if source >= 0 { close(source) } }
        // Content files are looked up from their board's folder (`Content/<board>`).
        var lookup = HeldFolderLookup(root: source, depth: 2)
        defer { lookup.close() }
        // Glibc's constants are calls into another module: taken once.
        let (format, folderType, fileType) = (S_IFMT, S_IFDIR, S_IFREG)
        text.bytes.withUnsafeBufferPointer { all in
            while true {
                let c = nextRecorded.wrappingAdd(1, ordering: .relaxed).oldValue
                guard c * Self.chunk < count else { return }
                var same = source >= 0
                for i in (c * Self.chunk)..<min(count, (c + 1) * Self.chunk) where same {
                    let isFolder = i < folders
                    let start = isFolder ? text.folderLines[i] : text.inputLines[text.contentInputs.lowerBound + i - folders]
                    let pathStart = start + (isFolder ? 4 : 3)
                    let pathEnd = BuildManifest.find(9, in: all, from: pathStart)
                    var numbers = BuildManifest.Numbers(all: all, at: pathEnd + 1)
                    guard let stamp = numbers.stamp() else {
                        same = false
                        break
                    }
                    // A folder as it is (but `Content` itself, which the listing opens through a
                    // link too); a file followed if it is a link, as the listing does.
                    var info = stat()
                    let path = UnsafeBufferPointer(rebasing: all[pathStart..<pathEnd])
                    let follow = !isFolder || path.elementsEqual("Content".utf8)
                    same =
                        lookup.stat(path, held: !isFolder, flags: follow ? 0 : AT_SYMLINK_NOFOLLOW, &info)
                        && info.st_mode & format == (isFolder ? folderType : fileType) && FileStamp(info, withChangeTime: true) == stamp
                }
                recorded.withLock { $0[c] = same }
            }
        }
    }

    private func helpWithContent(_ listing: Listing) {
        let entries = listing.entries
        // With no manifest to compare with (known by now: listing waits for it), a regular
        // file's stamp is the one its reading takes.
        let taken = !stampsTakenByReading || manifest.withLock { $0 != nil }
        var folder: (index: Int32, fd: Int32) = (-1, -1)
        defer { if folder.fd >= 0 { close(folder.fd) } }
        while true {
            let c = nextContent.wrappingAdd(1, ordering: .relaxed).oldValue
            guard c * Self.chunk < entries.count else { return }
            var files: [(path: String, stamp: FileStamp)] = []
            files.reserveCapacity(Self.chunk)
            for entry in entries[(c * Self.chunk)..<min(entries.count, (c + 1) * Self.chunk)] {
                if entry.folder != folder.index {
                    if folder.fd >= 0 { close(folder.fd) }
                    folder = (entry.folder, open(listing.root + "/" + listing.folders[Int(entry.folder)], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW))
                }
                if !taken && !entry.isLink {
                    files.append((listing.folders[Int(entry.folder)] + entry.name, .notTaken))
                    continue
                }
                var info = stat()
                guard folder.fd >= 0, fstatat(folder.fd, entry.name, &info, entry.isLink ? 0 : AT_SYMLINK_NOFOLLOW) == 0,
                    info.st_mode & S_IFMT == S_IFREG
                else { continue }
                files.append((listing.folders[Int(entry.folder)] + entry.name, FileStamp(info, withChangeTime: true)))
            }
            let same = manifest.withLock({ $0 }).map { text in text.inputRecords(for: files).map { zip($0, files).allSatisfy { $0.stamp == $1.stamp } } ?? false }
            content.withLock { $0[c] = (files, same) }
        }
    }

    /// - Parameter then: whether to go on with content files listed meanwhile.
    private func helpWithOutputs(_ text: ManifestText, then: Bool) {
        let folder = open(text.header.output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if folder >= 0 { close(folder) } }
        let lines = text.outputLines
        // Published files are looked up from their first folder (a board, `tags`, …).
        var lookup = HeldFolderLookup(root: folder, depth: 1)
        defer { lookup.close() }
        let (format, fileType) = (S_IFMT, S_IFREG)
        text.bytes.withUnsafeBufferPointer { all in
            while true {
                // Content files, once listed, first: the other thread may be waiting for them.
                if then, let listing = listing.withLock({ $0 }) {
                    helpWithContent(listing)
                }
                let c = nextOutput.wrappingAdd(1, ordering: .relaxed).oldValue
                guard c * Self.chunk < lines.count else { return }
                var flags: [Bool] = []
                flags.reserveCapacity(Self.chunk)
                for start in lines[(c * Self.chunk)..<min(lines.count, (c + 1) * Self.chunk)] {
                    // "out", the path, the hash, the stamp, and maybe more.
                    let pathEnd = BuildManifest.find(9, in: all, from: start + 4)
                    var numbers = BuildManifest.Numbers(all: all, at: pathEnd + 1)
                    var info = stat()
                    guard folder >= 0, numbers.next() != nil, let stamp = numbers.stamp(),
                        lookup.stat(UnsafeBufferPointer(rebasing: all[(start + 4)..<pathEnd]), held: true, flags: 0, &info)
                    else {
                        flags.append(false)
                        continue
                    }
                    flags.append(info.st_mode & format == fileType && FileStamp(info, withChangeTime: false) == stamp)
                }
                outputs.withLock { $0[c] = flags }
            }
        }
    }

    /// Whether the output on a line (counted from 0) of the manifest given to `read` was found as
    /// recorded; to be asked once every thread is done.
    func seen() -> @Sendable (Int) -> Bool {
        let flags = outputs.withLock { $0 }
        return { i in i / Self.chunk < flags.count && flags[i / Self.chunk]?[i % Self.chunk] == true }
    }

    /// The stamps of `Content/` and its folders as listed, if they can be trusted next time; else none.
    func folderStamps() -> [String: FileStamp] {
        listing.withLock { $0?.trusted == true } ? listedFolderStamps() : [:]
    }

    /// The stamps of `Content/` and its folders as listed, trusted or not.
    func listedFolderStamps() -> [String: FileStamp] {
        guard let listing = listing.withLock({ $0 }) else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(listing.folders.map { String($0.dropLast()) }, listing.stamps))
    }

    /// The content files listed with `list`, with their stamps, in the order of the listing (a
    /// folder's files, then its subfolders'), once every thread is done; and whether the
    /// manifest recorded every one of them with the same stamp.
    func contentFiles() -> (files: [(path: String, stamp: FileStamp)], allRecorded: Bool) {
        let chunks = content.withLock { $0 }
        var files: [(path: String, stamp: FileStamp)] = []
        files.reserveCapacity(chunks.reduce(0) { $0 + ($1?.files.count ?? 0) })
        var same = true
        for chunk in chunks {
            files += chunk?.files ?? []
            same = same && chunk?.same == true
        }
        return (files, same)
    }

    /// Lets go of what the threads shared.
    func finish() {
        manifest.withLock { $0 = nil }
        listing.withLock { $0 = nil }
        content.withLock { $0 = [] }
    }
}

/// `fstatat` of paths as a manifest has them (escaped, relative to `root`), taken in order: the
/// folder of each path's first `depth` components is held open while the paths share it, and the
/// rest is passed as a C string made in one reused buffer. Both the content files of a board and
/// the published files of a section come together in a manifest, so most paths cost the lookup
/// of one or two components.
private struct HeldFolderLookup {
    let root: Int32
    let depth: Int
    private var held: (name: [UInt8], fd: Int32) = ([], -1)
    private var path = [CChar](repeating: 0, count: 4096)

    init(root: Int32, depth: Int) {
        self.root = root
        self.depth = depth
    }

    /// Whether `fstatat` found the file at `field`; `held`: whether its first folders may be held open.
    mutating func stat(_ field: UnsafeBufferPointer<UInt8>, held useHeld: Bool, flags: Int32, _ info: inout stat) -> Bool {
        guard field.count < path.count, !field.contains(UInt8(ascii: "\\")) else {
            return fstatat(root, BuildManifest.unescape(field), &info, flags) == 0
        }
        var from = root
        var rest = field
        if useHeld, let end = Self.end(ofFirst: depth, in: field) {
            let top = UnsafeBufferPointer(rebasing: field[..<end])
            if top.count != held.name.count || (top.count > 0 && memcmp(top.baseAddress!, held.name, top.count) != 0) {
                close()
                held = (Array(top), openat(root, String(decoding: top, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
            }
            if held.fd >= 0 {
                from = held.fd
                rest = UnsafeBufferPointer(rebasing: field[(end + 1)...])
            }
        }
        path.withUnsafeMutableBytes { buffer in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rest))
            buffer[rest.count] = 0
        }
        return fstatat(from, path, &info, flags) == 0
    }

    /// Where the slash after the first `count` components of `path` is, if it has more.
    private static func end(ofFirst count: Int, in path: UnsafeBufferPointer<UInt8>) -> Int? {
        var slash = -1
        for _ in 0..<count {
            let next = BuildManifest.find(UInt8(ascii: "/"), in: path, from: slash + 1)
            guard next < path.count else { return nil }
            slash = next
        }
        return slash
    }

    mutating func close() {
        if held.fd >= 0 { Glibc.close(held.fd) }
        held = ([], -1)
    }
}
