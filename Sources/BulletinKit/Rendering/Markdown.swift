import CCmark

#if canImport(Glibc)
import Glibc
#endif

/// How a Markdown text's relative links are resolved.
public protocol LinkResolver {
    /// The href for a relative destination (its path part percent-decoded), or `nil` to drop the link.
    /// `isImage` tells whether the destination is an image's source.
    mutating func resolve(relative path: String, suffix: String, isImage: Bool) -> String?

    /// What stands in for an image that `resolve` just refused because its file is missing
    /// (nil: its alternative text alone, as for any refused image).
    mutating func placeholderForMissingImage(alt: String) -> String?
}

extension LinkResolver {
    public mutating func placeholderForMissingImage(alt: String) -> String? { nil }
}

/// Markdown to HTML with cmark, safely.
///
/// This is the only file that calls cmark. Raw HTML is omitted (cmark's safe default), link and
/// image destinations are kept only when they are http(s), mailto, fragments or resolvable relative
/// paths, bare web addresses in text become links, and links get `rel="nofollow ugc noopener"`.
public enum Markdown {
    public struct Options: Sendable {
        /// Every newline in a paragraph is a line break (used for comments, written like chat).
        public var hardBreaks = false
        /// Raw HTML in the Markdown is kept (`unsafe_html: true` in site.yml, for trusted content
        /// only). Markdown links and images are still filtered.
        public var unsafeHTML = false

        public init(hardBreaks: Bool = false, unsafeHTML: Bool = false) {
            self.hardBreaks = hardBreaks
            self.unsafeHTML = unsafeHTML
        }
    }

    public static func html(_ markdown: String, options: Options = Options(), links: inout some LinkResolver) -> String {
        var bytes: [UInt8] = []
        writeHTML(markdown, options: options, links: &links, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `html`, appended to `bytes` (a page's context) without making a string of it.
    static func writeHTML(_ markdown: String, options: Options = Options(), links: inout some LinkResolver, into bytes: inout [UInt8]) {
        if writePlainParagraph(markdown, into: &bytes) { return }
        writeCmarkHTML(markdown, options: options, links: &links, into: &bytes)
    }

    /// The HTML of text that can only be one plain paragraph, as cmark writes it, without cmark
    /// (most comments are one line of words), appended to `out`; false (and nothing appended) for
    /// anything else, which goes to cmark:
    ///
    /// One line; no space or tab at either end; no control character; none of the ASCII
    /// characters that start Markdown syntax or entities (`\` `` ` `` `*` `_` `[` `]` `<` `>` `&`
    /// `!` `~`); not starting with one that starts a block (`#` `-` `+` `=` `|` or a digit); and no
    /// `http`, which is made a link. `"` is written `&quot;`, as cmark writes it.
    static func writePlainParagraph(_ text: String, into out: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            if first == 32 || last == 32 || first == 9 || last == 9 { return false }
            switch first {
            case UInt8(ascii: "#"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "|"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return false
            default: break
            }
            var quotes = 0
            var previous: UInt8 = 0
            for byte in bytes {
                switch byte {
                case 0..<32, 127, UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "["),
                    UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "!"), UInt8(ascii: "~"):
                    return false
                case UInt8(ascii: "\""):
                    quotes += 1
                case UInt8(ascii: "t") where previous == UInt8(ascii: "h"):
                    // "ht": look closer only then.
                    if bytes.firstRange(of: "http".utf8) != nil { return false }
                default:
                    break
                }
                previous = byte
            }
            out.append(contentsOf: "<p>".utf8)
            if quotes == 0 {
                out.append(contentsOf: bytes)
            } else {
                var run = 0
                for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    out.append(contentsOf: "&quot;".utf8)
                    run = i + 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
            }
            out.append(contentsOf: "</p>\n".utf8)
            return true
        }
    }

    /// `html` through cmark, appended to `bytes`.
    static func writeCmarkHTML(_ markdown: String, options: Options = Options(), links: inout some LinkResolver, into bytes: inout [UInt8]) {
        var cmarkOptions = CMARK_OPT_DEFAULT
        if options.hardBreaks { cmarkOptions |= CMARK_OPT_HARDBREAKS }
        if options.unsafeHTML { cmarkOptions |= CMARK_OPT_UNSAFE }
        let document = markdown.withCString { cmark_parse_document($0, strlen($0), cmarkOptions) }
        guard let document else { return }
        defer { cmark_node_free(document) }

        var textNodes: [OpaquePointer] = []
        var linkNodes: [OpaquePointer] = []
        // Links inside a link (cmark lets an autolink `<https://…>` sit in a link's text): nested
        // `<a>` is not HTML, so they are unwrapped.
        var nestedLinks: Set<OpaquePointer> = []
        if let iterator = cmark_iter_new(document) {
            defer { cmark_iter_free(iterator) }
            var insideLink = 0
            var openLinks = 0
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE { break }
                guard let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE {
                    if event == CMARK_EVENT_ENTER {
                        insideLink += 1
                        linkNodes.append(node)
                        if type == CMARK_NODE_LINK {
                            if openLinks > 0 { nestedLinks.insert(node) }
                            openLinks += 1
                        }
                    } else {
                        insideLink -= 1
                        if type == CMARK_NODE_LINK { openLinks -= 1 }
                    }
                } else if type == CMARK_NODE_TEXT && event == CMARK_EVENT_ENTER && insideLink == 0 {
                    if let literal = cmark_node_get_literal(node), strstr(literal, "http") != nil {
                        textNodes.append(node)
                    }
                }
            }
        }
        // Decide in document order (the resolver sees links as they are written), then unwrap from
        // the last one back: removing an image frees its subtree, which holds only later nodes.
        var placeholders: [OpaquePointer: String] = [:]
        let refused = linkNodes.filter { !keepsLink($0, links: &links, placeholders: &placeholders) || nestedLinks.contains($0) }
        for node in refused.reversed() { unwrap(node, isImage: cmark_node_get_type(node) == CMARK_NODE_IMAGE, placeholder: placeholders[node]) }
        for node in textNodes { autolink(node) }

        guard let rendered = cmark_render_html(document, cmarkOptions) else { return }
        defer { free(rendered) }
        // cmark writes valid UTF-8 from the valid UTF-8 it is given; links and images get their attributes on the way.
        let html = UnsafeBufferPointer(start: UnsafeRawPointer(rendered).assumingMemoryBound(to: UInt8.self), count: strlen(rendered))
        bytes.reserveCapacity(bytes.count + html.count + html.count / 8)
        var copied = 0
        var i = 0
        while i < html.count {
            guard html[i] == UInt8(ascii: "<"), i + 1 < html.count else {
                i += 1
                continue
            }
            let rest = UnsafeBufferPointer(rebasing: html[i...])
            let replacement: StaticString
            let matched: Int
            if rest.starts(with: "<a href=\"".utf8) {
                replacement = "<a rel=\"nofollow ugc noopener\" href=\""
                matched = 9
            } else if rest.starts(with: "<img src=\"".utf8) {
                replacement = "<img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\""
                matched = 10
            } else {
                i += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: html[copied..<i]))
            bytes.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            i += matched
            copied = i
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: html[copied...]))
    }

    /// Whether one link or image is kept (rewriting a relative destination); `false` when it must
    /// be unwrapped.
    private static func keepsLink(_ node: OpaquePointer, links: inout some LinkResolver, placeholders: inout [OpaquePointer: String]) -> Bool {
        let isImage = cmark_node_get_type(node) == CMARK_NODE_IMAGE
        let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
        let destination = url.trimmingWhitespace()
        // Keep what was checked: cmark would percent-encode the white space (`< #x>`, a no-break
        // space), making a relative path of it.
        if destination != url { cmark_node_set_url(node, destination) }
        if destination.isEmpty || destination.hasPrefix("#") {
            return true
        }
        if destination.hasPrefix("//") {
            if !isImage || URLSafety.isWebURL("https:" + destination) { return true }
        } else if URLSafety.scheme(of: destination) != nil {
            if URLSafety.isSafeAbsolute(destination) && !(isImage && destination.lowercased().hasPrefix("mailto:")) { return true }
        } else {
            var path = Substring(destination)
            var suffix = ""
            if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) {
                suffix = String(path[cut...])
                path = path[..<cut]
            }
            if let decoded = URLSafety.decodePercent(String(path)) {
                if let href = links.resolve(relative: decoded, suffix: suffix, isImage: isImage) {
                    cmark_node_set_url(node, href)
                    return true
                }
                if isImage, let text = links.placeholderForMissingImage(alt: plainText(of: node)) { placeholders[node] = text }
            }
        }
        return false
    }

    /// Replaces a link by its content, or an image by its alternative text (or, for a missing
    /// file, by a placeholder in emphasis).
    private static func unwrap(_ node: OpaquePointer, isImage: Bool, placeholder: String? = nil) {
        if let placeholder, let emphasis = cmark_node_new(CMARK_NODE_EMPH), let text = cmark_node_new(CMARK_NODE_TEXT) {
            cmark_node_set_literal(text, placeholder)
            cmark_node_append_child(emphasis, text)
            cmark_node_insert_before(node, emphasis)
        } else if isImage {
            let alt = plainText(of: node)
            if !alt.isEmpty, let text = cmark_node_new(CMARK_NODE_TEXT) {
                cmark_node_set_literal(text, alt)
                cmark_node_insert_before(node, text)
            }
        } else {
            while let child = cmark_node_first_child(node) {
                cmark_node_insert_before(node, child)
            }
        }
        cmark_node_unlink(node)
        cmark_node_free(node)
    }

    private static func plainText(of node: OpaquePointer) -> String {
        var out = ""
        guard let iterator = cmark_iter_new(node) else { return out }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let child = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(child)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE, let literal = cmark_node_get_literal(child) {
                out += String(cString: literal)
            }
        }
        return out
    }

    /// Splits a text node around the web addresses it holds, each becoming a link.
    private static func autolink(_ node: OpaquePointer) {
        guard let literal = cmark_node_get_literal(node) else { return }
        let text = String(cString: literal)
        let ranges = webAddresses(in: text)
        guard !ranges.isEmpty else { return }
        var position = text.startIndex
        for range in ranges {
            if position < range.lowerBound {
                insertText(String(text[position..<range.lowerBound]), before: node)
            }
            let url = String(text[range])
            if let link = cmark_node_new(CMARK_NODE_LINK), let label = cmark_node_new(CMARK_NODE_TEXT) {
                cmark_node_set_url(link, url)
                cmark_node_set_literal(label, url)
                cmark_node_append_child(link, label)
                cmark_node_insert_before(node, link)
            }
            position = range.upperBound
        }
        if position < text.endIndex {
            cmark_node_set_literal(node, String(text[position...]))
        } else {
            cmark_node_unlink(node)
            cmark_node_free(node)
        }
    }

    private static func insertText(_ text: String, before node: OpaquePointer) {
        guard let new = cmark_node_new(CMARK_NODE_TEXT) else { return }
        cmark_node_set_literal(new, text)
        cmark_node_insert_before(node, new)
    }

    /// Ranges of `http://` and `https://` addresses in plain text. An address ends at white space,
    /// at a character that is not ASCII (Korean particles follow addresses without a space), and
    /// loses trailing punctuation and an unbalanced closing parenthesis, as GitHub does.
    static func webAddresses(in text: String) -> [Range<String.Index>] {
        var result: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while let found = text.range(of: "http", range: searchStart..<text.endIndex) {
            let rest = text[found.lowerBound...]
            let schemeLength: Int
            if rest.hasPrefix("https://") {
                schemeLength = 8
            } else if rest.hasPrefix("http://") {
                schemeLength = 7
            } else {
                searchStart = found.upperBound
                continue
            }
            if found.lowerBound > text.startIndex {
                let before = text[text.index(before: found.lowerBound)]
                if before.isLetter || before.isNumber {
                    searchStart = found.upperBound
                    continue
                }
            }
            var end = found.lowerBound
            for scalar in text.unicodeScalars[found.lowerBound...] {
                if scalar.value <= 0x20 || scalar.value >= 0x7F || scalar == "<" || scalar == ">" || scalar == "\"" || scalar == "`" {
                    break
                }
                end = text.unicodeScalars.index(after: end)
            }
            var candidate = text[found.lowerBound..<end]
            while let last = candidate.last {
                if ".,:;!?'*_~".contains(last) {
                    candidate = candidate.dropLast()
                } else if last == ")" && candidate.filter({ $0 == ")" }).count > candidate.filter({ $0 == "(" }).count {
                    candidate = candidate.dropLast()
                } else {
                    break
                }
            }
            if candidate.count > schemeLength, URLSafety.isWebURL(String(candidate)) {
                result.append(candidate.startIndex..<candidate.endIndex)
                searchStart = candidate.endIndex
            } else {
                searchStart = found.upperBound
            }
        }
        return result
    }
}
