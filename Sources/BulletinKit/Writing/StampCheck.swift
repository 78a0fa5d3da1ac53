import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The first look of a build at the disk, shared by two threads: the stamps of the files below
/// `Content/`, and which published files still have the stamps the last manifest recorded.
///
/// One thread reads the manifest and starts on the published files (`start`); the other lists
/// `Content/`'s folders, and joins in once done (`list`). From then on, whichever thread has
/// time takes the next chunk of either: a `stat` of each file is most of the time of a build
/// that finds nothing changed, so neither thread waits for the other. The content files of a
/// chunk are compared with the manifest's records there and then.
///
/// Nearly every build needs it: one that changed nothing to know that it may stop, one that
/// changed a post to know which files it may keep (``BuildManifest/Output/seenUnchanged``).
/// Paths are taken from the manifest's text as they are (``ManifestText``), without decoding it.
final class StampCheck: Sendable {
    /// A run of files, checked by one thread at a time.
    static let chunk = 512

    private let manifest = Mutex<ManifestText?>(nil)
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
        var entries: [Entry] = []

        struct Entry: Sendable {
            var folder: Int32
            /// A symbolic link: followed to a regular file, else skipped.
            var isLink: Bool
            var name: String
        }
    }

    init() {}

    /// Checks the published files that `text` recorded (and content files, once listed), on this thread.
    func start(_ text: ManifestText) {
        outputs.withLock { $0 = Array(repeating: nil, count: (text.outputLines.count + Self.chunk - 1) / Self.chunk) }
        manifest.withLock { $0 = text }
        help()
    }

    /// Lists the folders below `root/relative` (hidden names skipped, linked folders not
    /// followed), then looks at their files (and published files) with the other thread.
    func list(_ root: String, _ relative: String) {
        var listing = Listing(root: root)
        let fd = open(root + "/" + relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { Self.read(fd, prefix: relative + "/", into: &listing) }
        content.withLock { $0 = Array(repeating: nil, count: (listing.entries.count + Self.chunk - 1) / Self.chunk) }
        self.listing.withLock { $0 = listing }
        help()
    }

    /// Reads the folder open as `fd` (and closes it), then its subfolders.
    private static func read(_ fd: Int32, prefix: String, into listing: inout Listing) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(dir) }
        let folder = Int32(listing.folders.count)
        listing.folders.append(prefix)
        var subfolders: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            var type = Int(entry.pointee.d_type)
            if type == DT_UNKNOWN {
                // A file system that does not say: asked.
                var info = stat()
                guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                type = info.st_mode & S_IFMT == S_IFDIR ? DT_DIR : info.st_mode & S_IFMT == S_IFLNK ? DT_LNK : DT_REG
            }
            switch type {
            case DT_DIR: subfolders.append(name)
            case DT_REG: listing.entries.append(.init(folder: folder, isLink: false, name: name))
            case DT_LNK: listing.entries.append(.init(folder: folder, isLink: true, name: name))
            default: break
            }
        }
        for name in subfolders {
            let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            if child >= 0 { read(child, prefix: prefix + name + "/", into: &listing) }
        }
    }

    /// Checks chunks that no thread has taken yet, content files first, until none is left.
    func help() {
        let text = manifest.withLock { $0 }
        let listing = listing.withLock { $0 }
        if let listing { helpWithContent(listing) }
        if let text { helpWithOutputs(text, then: listing == nil) }
    }

    private func helpWithContent(_ listing: Listing) {
        let entries = listing.entries
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
        // A path as `fstatat` takes it: its bytes and a NUL.
        var path = [CChar](repeating: 0, count: 4096)
        var first: (name: [UInt8], fd: Int32) = ([], -1)
        defer { if first.fd >= 0 { close(first.fd) } }
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
                    guard folder >= 0, numbers.next() != nil, let stamp = numbers.stamp() else {
                        flags.append(false)
                        continue
                    }
                    var field = UnsafeBufferPointer(rebasing: all[(start + 4)..<pathEnd])
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
                        status = fstatat(folder, BuildManifest.unescape(field), &info, 0)
                    }
                    flags.append(status == 0 && info.st_mode & S_IFMT == S_IFREG && FileStamp(info, withChangeTime: false) == stamp)
                }
                outputs.withLock { $0[c] = flags }
            }
        }
    }

    /// Whether the output on a line (counted from 0) of the text given to `start` was found as
    /// recorded; to be asked once every thread is done.
    func seen() -> @Sendable (Int) -> Bool {
        let flags = outputs.withLock { $0 }
        return { i in i / Self.chunk < flags.count && flags[i / Self.chunk]?[i % Self.chunk] == true }
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

    /// The text given to `start`, once it was.
    var text: ManifestText? { manifest.withLock { $0 } }

    /// Lets go of what the threads shared.
    func finish() {
        manifest.withLock { $0 = nil }
        listing.withLock { $0 = nil }
        content.withLock { $0 = [] }
    }
}
