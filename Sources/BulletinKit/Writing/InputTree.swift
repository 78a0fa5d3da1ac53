#if canImport(Glibc)
import Glibc
#endif

/// Every file a build reads: `site.yml`, everything below `Content/` and the theme's folder,
/// as the loader sees them (hidden names skipped, linked files followed, linked folders not),
/// with their stamps, by path relative to the site's folder, in no particular order.
struct InputTree: Sendable {
    var files: [(path: String, stamp: FileStamp)]

    /// - Parameter content: `Content/`'s files when they were walked already.
    static func walk(source: String, theme: String, content: [(path: String, stamp: FileStamp)]? = nil) -> InputTree {
        var files: [(path: String, stamp: FileStamp)] = []
        if let stamp = FileStamp.of(source + "/site.yml", withChangeTime: true) { files.append(("site.yml", stamp)) }
        files += content ?? FileStamp.tree(source, "Content", withChangeTime: true)
        // A theme is a few folders and files: walked on this thread (waking threads to share
        // them took longer than the walk, in a rebuild that finds nothing changed).
        files += FileStamp.tree(source, "Themes/" + theme, withChangeTime: true, jobs: 1)
        return InputTree(files: files)
    }

    /// What part an input plays in a page's fingerprint.
    enum Role {
        /// A post or its comments: it reaches the pages through the post's revision.
        case post
        /// Its presence, not its bytes, reaches pages (attachments, the theme's static files).
        case presence
        /// Its bytes reach every page (settings, board settings, templates).
        case everything
    }

    static func role(of path: String, theme: String) -> Role {
        if path.hasPrefix("Content/") {
            let depth = path.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
            if depth >= 2 && LiveSite.isContentFile(path) { return .post }
            return path.hasSuffix("/_board.yml") ? .everything : .presence
        }
        if path.hasPrefix("Themes/" + theme + "/static/") { return .presence }
        return .everything
    }
}

extension FileStamp {
    /// The regular files below `root/relative` (hidden names skipped; linked files followed,
    /// linked folders not), with their stamps, by path relative to `root`, in the order of the
    /// folders' entries on disk. Each folder is read once and its files are looked up from it, not
    /// from the root; the folders at the top (boards, the sections of a site) are walked on `jobs`
    /// threads.
    /// - Parameter stamped: false to take no stamp of a file or folder that its folder's entry
    ///   says is one (``notTaken`` in its place): only the paths are wanted, and a `stat` of each
    ///   was half of the walk of a published site, where every page is a folder of its own.
    static func tree(_ root: String, _ relative: String, withChangeTime: Bool, stamped: Bool = true, jobs: Int = ProcessInfoCores.count)
        -> [(path: String, stamp: FileStamp)]
    {
        var files: [(path: String, stamp: FileStamp)] = []
        let top = root + "/" + relative
        let fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return files }
        let prefix = relative.isEmpty ? "" : relative + "/"
        var folders: [String]? = []
        collect(fd, prefix: prefix, withChangeTime: withChangeTime, stamped: stamped, into: &files, folders: &folders)
        let below = parallelMap(folders!, jobs: jobs) { name -> [(path: String, stamp: FileStamp)] in
            var files: [(path: String, stamp: FileStamp)] = []
            var none: [String]?
            // Found to be a folder (not a link) by `collect`; O_NOFOLLOW keeps it so if it changed since.
            let child = open(top + "/" + name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            if child >= 0 { collect(child, prefix: prefix + name + "/", withChangeTime: withChangeTime, stamped: stamped, into: &files, folders: &none) }
            return files
        }
        for part in below { files += part }
        return files
    }

    /// Reads the folder open as `fd` (and closes it).
    /// - Parameter folders: where to list the subfolders instead of walking them; nil to walk them.
    private static func collect(
        _ fd: Int32, prefix: String, withChangeTime: Bool, stamped: Bool, into files: inout [(path: String, stamp: FileStamp)], folders: inout [String]?
    ) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let (name, type) = directoryEntry(entry)
            if name.hasPrefix(".") { continue }
            var info = stat()
            if !stamped && type == DT_REG {
                info.st_mode = S_IFREG
            } else if !stamped && type == DT_DIR {
                info.st_mode = S_IFDIR
            } else {
                guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if folders != nil {
                    folders!.append(name)
                    continue
                }
                // Found to be a folder, not a link; O_NOFOLLOW keeps it so if it changed since.
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                var none: [String]?
                if child >= 0 { collect(child, prefix: prefix + name + "/", withChangeTime: withChangeTime, stamped: stamped, into: &files, folders: &none) }
            case S_IFREG:
                files.append((prefix + name, stamped ? FileStamp(info, withChangeTime: withChangeTime) : .notTaken))
            case S_IFLNK:
                var target = stat()
                if fstatat(fd, name, &target, 0) == 0, target.st_mode & S_IFMT == S_IFREG {
                    files.append((prefix + name, FileStamp(target, withChangeTime: withChangeTime)))
                }
            default:
                break
            }
        }
    }
}
