import Foundation

/// Resolves a post's relative links against its folder below `Content/`: links to other posts
/// become their URLs, links to files become `_files/` URLs (and are copied), and anything that
/// would leave `Content/` or names no file is dropped with a warning.
struct ContentLinks: LinkResolver {
    /// The post's folder relative to `Content/` (`free/2024`).
    let folder: String
    let contentRoot: String
    let realContentRoot: String
    let base: String
    let postURLs: [String: String]
    let location: SourceLocation
    /// Files linked, relative to `Content/`, exactly as named on disk.
    var attachments: [String] = []
    var diagnostics: [Diagnostic] = []
    /// Every path looked up among the posts: the page changes when one of them becomes a post or
    /// stops being one.
    var lookedUp: [String] = []
    /// The last path resolved named no file.
    private(set) var lastMissing = false

    /// A missing image is shown as missing, not silently as its text: a capture that lost a
    /// picture says so.
    mutating func placeholderForMissingImage(alt: String) -> String? {
        guard lastMissing else { return nil }
        return alt.isEmpty ? "[그림 없음]" : "[그림 없음: \(alt)]"
    }

    mutating func resolve(relative path: String, suffix: String, isImage: Bool) -> String? {
        lastMissing = false
        guard !path.isEmpty else { return suffix.isEmpty ? nil : suffix }
        // Split at '/' bytes, as the file system does: a '/' followed by a combining mark is one
        // Character, and splitting Characters would count `a/\u{338}..` as one folder.
        var parts: [String] = path.utf8.first == UInt8(ascii: "/") ? [] : folder.slashSeparatedParts
        for part in path.slashSeparatedParts {
            if part.utf8.elementsEqual(".".utf8) { continue }
            if part.utf8.elementsEqual("..".utf8) {
                if parts.isEmpty {
                    diagnostics.append(.warning(location, "link '\(path.prefix(80))' leads outside Content/; dropped"))
                    return nil
                }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let target = parts.joined(separator: "/")
        if target.contains("\0") || parts.isEmpty { return nil }
        lookedUp.append(target)
        if let url = postURLs[target] { return url + suffix }
        let absolute = contentRoot + "/" + target
        var info = stat()
        guard stat(absolute, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            lastMissing = true
            diagnostics.append(.warning(location, "\(isImage ? "image" : "link") '\(path.prefix(80))' names no file in Content/; dropped"))
            return nil
        }
        guard let real = SiteLoader.realPath(absolute), real.hasPrefix(realContentRoot + "/") else {
            diagnostics.append(.warning(location, "'\(path.prefix(80))' is a link to a file outside Content/; dropped"))
            return nil
        }
        if target.hasSuffix(".md") || target.contains(".comments.") || target.hasSuffix("/_board.yml") {
            diagnostics.append(.warning(location, "'\(path.prefix(80))' is a content file, not an attachment; dropped"))
            return nil
        }
        // Strings compare by canonical equivalence: compare bytes, so that a file named in NFD and
        // one named in NFC stay two attachments (and are reported as colliding when copied).
        if !attachments.contains(where: { $0.utf8.elementsEqual(target.utf8) }) { attachments.append(target) }
        return base + "_files/" + URLSafety.encodePath(SiteBuilder.attachmentOutputPath(target)) + suffix
    }
}
