import Foundation

/// Where a capture's relative links start: the post's folder in the capture, and the capture's
/// root (a real path, links resolved), which no link may leave.
struct LinkBase: Sendable, Equatable {
    var folder: String
    var root: String
}

/// The files a capture's posts link to, brought into `Content/<board>/attachments/`, named by a
/// hash of their bytes: a file several captures or posts hold is stored once, a changed file is
/// a new one (and the post's text that links to it a new version), and the same captures in any
/// order give the same names. A link is rewritten to the stored file (`/<board>/attachments/…`,
/// from `Content/`, so that it works from any post's folder); a link to a file the capture lacks
/// is left as it is, and the page shows a placeholder for it.
struct CaptureAttachments {
    /// The largest file brought in.
    static let sizeLimit = 64 << 20

    /// By path below `Content/`.
    private(set) var files: [String: [UInt8]] = [:]
    private(set) var diagnostics: [Diagnostic] = []

    /// `markdown` with its links to files of the capture rewritten to the stored copies.
    mutating func localize(_ markdown: String, board: String, base: LinkBase, at location: SourceLocation) -> String {
        // A link's text ends in ']': without one there is nothing to look up, and nothing to
        // render (most bodies and comments).
        guard markdown.utf8.contains(UInt8(ascii: "]")) else { return markdown }
        struct Destinations: LinkResolver {
            var found: [(path: String, suffix: String)] = []
            mutating func resolve(relative path: String, suffix: String, isImage: Bool) -> String? {
                found.append((path, suffix))
                return nil
            }
        }
        var destinations = Destinations()
        _ = Markdown.html(markdown, links: &destinations)
        var text = markdown
        for (path, suffix) in destinations.found {
            guard let stored = store(path, board: board, base: base, at: location) else { continue }
            // The destination as written: as decoded, or percent-encoded.
            for written in Set([path + suffix, URLSafety.encodePath(path) + suffix]) {
                for end in [")", " "] { text = text.replacingOccurrences(of: "](" + written + end, with: "](" + stored + suffix + end) }
            }
        }
        return text
    }

    /// Stores the file `path` names (from `base`); gives the link to it, or nil when the capture
    /// has no such file inside it.
    private mutating func store(_ path: String, board: String, base: LinkBase, at location: SourceLocation) -> String? {
        let joined = path.hasPrefix("/") ? base.root + path : base.folder + "/" + path
        guard let real = SiteLoader.realPath(joined), real.hasPrefix(base.root + "/") else { return nil }
        var info = stat()
        guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        guard Int(info.st_size) <= Self.sizeLimit, let data = FileManager.default.contents(atPath: real) else {
            diagnostics.append(.warning(location, "'\(path.prefix(80))' is larger than \(Self.sizeLimit >> 20) MB or unreadable; not brought in"))
            return nil
        }
        let bytes = Array(data)
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        let hash = String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 16)
        let name = String(repeating: "0", count: 16 - hash.count) + hash + Self.extension(of: path)
        let stored = "\(board)/attachments/\(name)"
        if let other = files[stored], other != bytes {
            diagnostics.append(.error(location, "two different files hash to '\(name)'; rename one"))
            return nil
        }
        files[stored] = bytes
        return "/" + stored
    }

    /// `.png`, `.jpg`…: the path's extension, lower case, when it is short letters and digits.
    static func `extension`(of path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "" }
        let ext = path[path.index(after: dot)...].lowercased()
        guard (1...8).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return "." + ext
    }
}
