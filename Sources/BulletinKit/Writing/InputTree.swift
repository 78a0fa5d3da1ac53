#if canImport(Glibc)
import Glibc
#endif

/// Every file a build reads: `site.yml`, everything below `Content/` and the theme's folder,
/// as the loader sees them (hidden names skipped, linked files followed, linked folders not),
/// with their stamps, by path relative to the site's folder.
struct InputTree: Sendable {
    var files: [(path: String, stamp: FileStamp)]

    static func walk(source: String, theme: String) -> InputTree {
        var files: [(path: String, stamp: FileStamp)] = []
        if let stamp = FileStamp.of(source + "/site.yml", withChangeTime: true) { files.append(("site.yml", stamp)) }
        collect(source: source, relative: "Content", into: &files)
        collect(source: source, relative: "Themes/" + theme, into: &files)
        return InputTree(files: files)
    }

    private static func collect(source: String, relative: String, into files: inout [(path: String, stamp: FileStamp)]) {
        for name in SiteLoader.sortedEntries(source + "/" + relative) where !name.hasPrefix(".") {
            let path = relative + "/" + name
            var info = stat()
            guard lstat(source + "/" + path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: collect(source: source, relative: path, into: &files)
            case S_IFREG: files.append((path, FileStamp(info, withChangeTime: true)))
            case S_IFLNK: if let stamp = FileStamp.of(source + "/" + path, withChangeTime: true) { files.append((path, stamp)) }
            default: break
            }
        }
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
