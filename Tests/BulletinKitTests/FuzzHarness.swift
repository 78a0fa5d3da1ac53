// The code paths of the fuzz targets in Fuzz/ and the invariants they check. With BULLETIN_FUZZ
// set, this file is the module FuzzHarness that the targets use (Package.swift); otherwise it is
// part of the tests, and FuzzRegressionTests runs the kept inputs through the same functions.
// Each check returns what went wrong (empty: nothing); a fuzz target crashes on the first.

import Foundation

@testable import BulletinKit

public enum FuzzHarness {
    static let seoul = SiteClock(timeZone: TimeZone(identifier: "Asia/Seoul")!)
    static let utc = SiteClock(timeZone: TimeZone(identifier: "UTC")!)
    static let newYork = SiteClock(timeZone: TimeZone(identifier: "America/New_York")!)

    // MARK: fuzz-front-matter

    /// `SourceText.decode` on the bytes, then `FrontMatter.split` on the text.
    public static func frontMatter(_ bytes: [UInt8]) -> [String] {
        var problems: [String] = []
        let hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        let content = Array(bytes.dropFirst(hasBOM ? 3 : 0))
        switch SourceText.decode(bytes) {
        case .failure(.notUTF8(let line, let column)):
            guard let (expectedLine, expectedColumn) = firstInvalidUTF8(content) else {
                problems.append("decode refused valid UTF-8")
                return problems
            }
            if (line, column) != (expectedLine, expectedColumn) {
                problems.append("not-UTF-8 error at \(line):\(column), the first invalid byte is at \(expectedLine):\(expectedColumn)")
            }
        case .success(let text):
            if firstInvalidUTF8(content) != nil { problems.append("decode accepted invalid UTF-8") }
            if text.utf8.starts(with: [0xEF, 0xBB, 0xBF]) && !content.starts(with: [0xEF, 0xBB, 0xBF]) {
                problems.append("the text starts with a byte-order mark the file did not have after its first one")
            }
            if text.utf8.contains(13) { problems.append("the decoded text still holds a CR") }
            problems += split(text)
        }
        return problems
    }

    /// The invariants of `FrontMatter.split` on a decoded text.
    static func split(_ text: String) -> [String] {
        var problems: [String] = []
        let utf8 = Array(text.utf8)
        switch FrontMatter.split(text) {
        case .failure(.missingStart):
            if firstLineIsFence(utf8) && utf8.contains(10) {
                // The first line is a fence: only "unclosed" may be reported.
                problems.append("missingStart for a text whose first line is '---'")
            }
        case .failure(.unclosed):
            if !utf8.starts(with: Array("---".utf8)) { problems.append("unclosed for a text not starting with '---'") }
            if let fence = closingFence(utf8) { problems.append("unclosed, but line \(fence) closes the front matter") }
        case .success(let parts):
            if parts.lineOffset != 1 { problems.append("lineOffset \(parts.lineOffset)") }
            guard let firstNewline = utf8.firstIndex(of: 10), firstLineIsFence(utf8) else {
                problems.append("split a text whose first line is not '---'")
                return problems
            }
            let yaml = Array(parts.yaml.utf8)
            let body = Array(parts.body.utf8)
            let afterFirst = Array(utf8[(firstNewline + 1)...])
            if !afterFirst.starts(with: yaml) { problems.append("the YAML is not the text after the first line") }
            if !yaml.isEmpty && yaml.last != 10 { problems.append("the YAML does not end with a newline") }
            if !utf8.reversed().starts(with: body.reversed()) { problems.append("the body is not the end of the text") }
            if yaml.split(separator: 10, omittingEmptySubsequences: false).contains(where: isFence) {
                problems.append("the YAML holds a fence line")
            }
            // Between the YAML and the body: exactly one fence line.
            let middleStart = firstNewline + 1 + yaml.count
            let middleEnd = utf8.count - body.count
            if middleStart > middleEnd {
                problems.append("the YAML and the body overlap")
            } else {
                var middle = Array(utf8[middleStart..<middleEnd])
                if middle.last == 10 { middle.removeLast() }
                if middle.contains(10) || !isFence(middle[...]) { problems.append("what lies between the YAML and the body is not one fence line") }
                if middleEnd < utf8.count && utf8[middleEnd - 1] != 10 { problems.append("the body does not start on a new line") }
            }
        }
        return problems
    }

    private static func firstLineIsFence(_ utf8: [UInt8]) -> Bool {
        guard utf8.starts(with: Array("---".utf8)) else { return false }
        let line = utf8.prefix { $0 != 10 }.dropFirst(3)
        return line.allSatisfy { $0 == 32 || $0 == 9 }
    }

    private static func isFence(_ line: ArraySlice<UInt8>) -> Bool {
        var end = line.endIndex
        while end > line.startIndex, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 }
        let trimmed = Array(line[line.startIndex..<end])
        return trimmed == Array("---".utf8) || trimmed == Array("...".utf8)
    }

    /// The 1-based number of the first fence line after the first line.
    private static func closingFence(_ utf8: [UInt8]) -> Int? {
        let lines = utf8.split(separator: 10, omittingEmptySubsequences: false)
        return lines.indices.dropFirst().first { isFence(lines[$0]) }.map { $0 + 1 }
    }

    /// 1-based line (ended by LF, CR LF or CR) and column (in scalars) of the first byte that does
    /// not start a valid UTF-8 sequence, or `nil` when all bytes are UTF-8: Swift's own decoder,
    /// not `SourceText`'s.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, Int)? {
        var line = 1
        var column = 1
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var previous: UInt8 = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let byte = encoded.count == 1 ? encoded.first! : 0x80
                if byte == 10 && previous == 13 {
                    // CR LF: one line break, counted at the CR.
                } else if byte == 10 || byte == 13 {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                previous = byte
            case .emptyInput:
                return nil
            case .error:
                return (line, column)
            }
        }
    }

    // MARK: fuzz-post-decoder

    static let postPath = "Content/free/2024/812345.md"
    static let commentPath = "Content/free/2024/812345.comments.yml"

    /// The bytes as a post file and as a comment file. When they hold a NUL byte, the part before
    /// it is the post and the part after it the comments; otherwise the whole text is both.
    public static func postDecoder(_ bytes: [UInt8]) -> [String] {
        var problems: [String] = []
        let postBytes: [UInt8]
        let commentBytes: [UInt8]
        if let nul = bytes.firstIndex(of: 0) {
            postBytes = Array(bytes[..<nul])
            commentBytes = Array(bytes[(nul + 1)...])
        } else {
            postBytes = bytes
            commentBytes = bytes
        }
        let config = SiteConfig(title: "t")
        let clock = SiteClock(timeZone: config.timeZone)

        var comments: [Comment] = []
        var commentDiagnostics: [Diagnostic] = []
        if case .success(let text) = SourceText.decode(commentBytes) {
            (comments, commentDiagnostics) = PostLoader.decodeComments(text, path: commentPath, config: config, clock: clock)
            problems += checkComments(comments, commentDiagnostics, text: text)
        }
        guard case .success(let text) = SourceText.decode(postBytes) else { return problems }
        let file = PostFile(
            board: "free", contentPath: "free/2024/812345.md", absolutePath: "/nonexistent/" + postPath, displayPath: postPath,
            stem: "812345", comments: CommentFile(contentPath: "free/2024/812345.comments.yml", absolutePath: "/nonexistent/" + commentPath, displayPath: commentPath))
        let (post, diagnostics) = PostLoader.decode(
            text, file: file, comments: comments, commentDiagnostics: commentDiagnostics, config: config, clock: clock)
        for diagnostic in commentDiagnostics where !diagnostics.contains(diagnostic) {
            problems.append("the comments' diagnostic '\(diagnostic)' is missing from the post's")
        }
        let own = diagnostics.filter { $0.location.path == postPath }
        if own.count + commentDiagnostics.count != diagnostics.count {
            problems.append("the post's diagnostics name other files: \(diagnostics)")
        }
        problems += checkPositions(own, text: text)
        guard let post else {
            if !diagnostics.hasErrors { problems.append("no post, and no error saying why: \(diagnostics)") }
            return problems
        }
        if diagnostics.hasErrors { problems.append("a post despite errors: \(diagnostics)") }
        if post.title.isEmpty || post.title != post.title.trimmingWhitespace() { problems.append("title '\(post.title)'") }
        if !PathRules.isValidID(post.id) || ["page", "best"].contains(post.id.lowercased()) { problems.append("id '\(post.id)'") }
        if post.author.isEmpty || post.author != post.author.trimmingWhitespace() { problems.append("author '\(post.author)'") }
        if post.views < 0 || post.recommends < 0 { problems.append("negative counts") }
        if post.commentCount < post.comments.count { problems.append("comment_count \(post.commentCount) < \(post.comments.count) comments") }
        if post.comments.map(\.id) != comments.map(\.id) { problems.append("the post's comments are not the comments given") }
        var tagKeys = Set<String>()
        for tag in post.tags {
            if tag.isEmpty || tag != tag.trimmingWhitespace() { problems.append("tag '\(tag)'") }
            if !tagKeys.insert(tag.lowercased()).inserted { problems.append("tag '\(tag)' twice") }
        }
        if let source = post.source, !URLSafety.isWebURL(source) { problems.append("source '\(source)'") }
        if !text.utf8.reversed().starts(with: post.body.utf8.reversed()) { problems.append("the body is not the end of the file") }
        if post.location != SourceLocation(path: postPath) { problems.append("location \(post.location)") }
        return problems
    }

    static func checkComments(_ comments: [Comment], _ diagnostics: [Diagnostic], text: String) -> [String] {
        var problems: [String] = []
        if diagnostics.contains(where: { $0.location.path != commentPath }) {
            problems.append("the comments' diagnostics name other files: \(diagnostics)")
        }
        problems += checkPositions(diagnostics, text: text)
        if !comments.isEmpty && diagnostics.hasErrors { problems.append("comments despite errors: \(diagnostics)") }
        var ids = Set<String>()
        for (index, comment) in comments.enumerated() {
            if comment.parentIndex.map({ $0 >= index || comments[$0].id != comment.replyTo }) ?? (comment.replyTo != nil) {
                problems.append("comment \(comment.id): parent index \(String(describing: comment.parentIndex)) does not name '\(comment.replyTo ?? "")'")
            }
            if comment.id.isEmpty || comment.id != comment.id.trimmingWhitespace() { problems.append("comment id '\(comment.id)'") }
            if let parent = comment.replyTo, !ids.contains(parent) { problems.append("comment \(comment.id) replies to \(parent), not an earlier comment") }
            if !ids.insert(comment.id).inserted { problems.append("comment id '\(comment.id)' twice") }
            if comment.author.isEmpty || comment.author != comment.author.trimmingWhitespace() { problems.append("comment author '\(comment.author)'") }
            if comment.recommends < 0 { problems.append("negative recommends") }
        }
        return problems
    }

    /// Every diagnostic points at a line and column that exist in `text` (the end of a line or
    /// of the text included). Lines are counted as libyaml counts them: LF, CR, NEL, LS, PS.
    static func checkPositions(_ diagnostics: [Diagnostic], text: String) -> [String] {
        var problems: [String] = []
        var lineLengths = [0]
        var previous: Unicode.Scalar = "\0"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r":
                break
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                lineLengths.append(0)
            default:
                lineLengths[lineLengths.count - 1] += 1
            }
            previous = scalar
        }
        for diagnostic in diagnostics {
            let location = diagnostic.location
            if location.line < 1 || location.column < 1 {
                problems.append("diagnostic at line \(location.line), column \(location.column): \(diagnostic)")
            } else if location.line > lineLengths.count {
                problems.append("diagnostic past the last line (\(lineLengths.count)): \(diagnostic)")
            } else if location.column > lineLengths[location.line - 1] + 1 {
                problems.append("diagnostic past the end of its line (\(lineLengths[location.line - 1]) characters): \(diagnostic)")
            }
        }
        return problems
    }

    // MARK: fuzz-date

    /// `DateParser.parse` on the text, in three zones: a parsed date, shown with
    /// `DateDisplay.iso`, parses back to the same instant.
    public static func date(_ bytes: [UInt8]) -> [String] {
        var problems: [String] = []
        let text = String(decoding: bytes, as: UTF8.self)
        var parsed = false
        var syntaxError: String?
        for clock in [seoul, utc, newYork] {
            switch DateParser.parse(text, clock: clock) {
            case .failure(.invalid(let reason, let at)):
                if reason.isEmpty || at < 0 || at > text.utf8.count { problems.append("failure '\(reason)' at \(at) of \(text.utf8.count) bytes") }
                // Only the range check may depend on the zone (a date without an offset near its ends).
                if !reason.contains("not supported") { syntaxError = reason }
            case .success(let instant):
                parsed = true
                let iso = DateDisplay(clock: clock).iso(instant)
                switch DateParser.parse(iso, clock: clock) {
                case .success(let again) where again == instant:
                    break
                case .success(let again):
                    problems.append("'\(text)' in \(clock.timeZone.identifier) is \(instant.seconds), shown as '\(iso)', which is \(again.seconds)")
                case .failure(let failure):
                    problems.append("'\(text)' in \(clock.timeZone.identifier) is \(instant.seconds), shown as '\(iso)', which does not parse: \(failure)")
                }
            }
        }
        if parsed, let syntaxError { problems.append("'\(text)' parses in one zone and is '\(syntaxError)' in another") }
        return problems
    }

    // MARK: fuzz-markdown

    /// Resolves relative paths whose first byte is even to a fixed href (plus the suffix, as the
    /// site's resolver does) and refuses the others.
    struct Resolver: LinkResolver {
        static let href = "/fuzz/resolved"

        func resolve(relative path: String, suffix: String, isImage: Bool) -> String? {
            guard let first = path.utf8.first else { return suffix.isEmpty ? nil : suffix }
            return first % 2 == 0 ? Self.href + suffix : nil
        }
    }

    /// `Markdown.html` with and without hard breaks; the HTML holds only what cmark writes, with
    /// safe destinations.
    public static func markdown(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var problems: [String] = []
        for hardBreaks in [false, true] {
            var resolver = Resolver()
            let html = Markdown.html(text, options: .init(hardBreaks: hardBreaks), links: &resolver)
            problems += checkHTML(html).map { "hardBreaks \(hardBreaks): \($0)" }
        }
        return problems
    }

    static let voidTags: Set<String> = ["br", "hr", "img"]
    static let allowedAttributes: [String: Set<String>] = [
        "p": [], "blockquote": [], "ul": [], "ol": ["start"], "li": [], "pre": [], "code": ["class"], "hr": [], "br": [],
        "em": [], "strong": [], "a": ["rel", "href", "title"], "img": ["loading", "referrerpolicy", "src", "alt", "title"],
        "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
    ]

    /// Scans HTML as cmark writes it: text without `<` or `>`, tags with double-quoted attributes,
    /// and `<!-- raw HTML omitted -->`.
    static func checkHTML(_ html: String) -> [String] {
        var problems: [String] = []
        let s = Array(html.utf8)
        var i = 0
        var open: [String] = []
        let omitted = Array("<!-- raw HTML omitted -->".utf8)
        func isNameByte(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 }
        if html.lowercased().contains("<script") { problems.append("<script in \(html)") }
        scan: while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: ">") {
                problems.append("a bare '>' at byte \(i)")
                i += 1
                continue
            }
            guard c == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if s[i...].starts(with: omitted) {
                i += omitted.count
                continue
            }
            let tagStart = i
            i += 1
            let closing = i < s.count && s[i] == UInt8(ascii: "/")
            if closing { i += 1 }
            let nameStart = i
            while i < s.count, isNameByte(s[i]) { i += 1 }
            let name = String(decoding: s[nameStart..<i], as: UTF8.self)
            guard let allowed = allowedAttributes[name] else {
                problems.append("tag '\(name)' at byte \(tagStart), which cmark does not write")
                break scan
            }
            var attributes: [String: String] = [:]
            while true {
                guard i < s.count else {
                    problems.append("unterminated tag at byte \(tagStart)")
                    break scan
                }
                if s[i] == UInt8(ascii: ">") {
                    i += 1
                    break
                }
                if s[i...].starts(with: Array(" />".utf8)) && voidTags.contains(name) && !closing {
                    i += 3
                    break
                }
                guard s[i] == UInt8(ascii: " ") else {
                    problems.append("unexpected byte \(s[i]) in tag '\(name)' at byte \(i)")
                    break scan
                }
                i += 1
                let attributeStart = i
                while i < s.count, isNameByte(s[i]) { i += 1 }
                let attribute = String(decoding: s[attributeStart..<i], as: UTF8.self)
                guard i + 1 < s.count, s[i] == UInt8(ascii: "="), s[i + 1] == UInt8(ascii: "\"") else {
                    problems.append("attribute '\(attribute)' of '\(name)' without a quoted value at byte \(i)")
                    break scan
                }
                i += 2
                let valueStart = i
                while i < s.count, s[i] != UInt8(ascii: "\"") {
                    if s[i] == UInt8(ascii: "<") || s[i] == UInt8(ascii: ">") { problems.append("'<' or '>' in an attribute at byte \(i)") }
                    i += 1
                }
                guard i < s.count else {
                    problems.append("unterminated attribute at byte \(valueStart)")
                    break scan
                }
                let value = String(decoding: s[valueStart..<i], as: UTF8.self)
                i += 1
                if attribute.hasPrefix("on") { problems.append("event attribute '\(attribute)' on '\(name)'") }
                if closing || !allowed.contains(attribute) { problems.append("attribute '\(attribute)' on '\(name)'") }
                if attributes.updateValue(value, forKey: attribute) != nil { problems.append("attribute '\(attribute)' twice on '\(name)'") }
                if attribute == "href" || attribute == "src" {
                    if let problem = unsafeDestination(value, isImage: attribute == "src") {
                        problems.append("\(attribute)=\"\(value)\": \(problem)")
                    }
                }
            }
            if closing {
                if open.last == name {
                    open.removeLast()
                } else {
                    problems.append("</\(name)> closes \(open.last.map { "<\($0)>" } ?? "nothing")")
                }
            } else if !voidTags.contains(name) {
                if name == "a" && open.contains("a") { problems.append("a link inside a link") }
                open.append(name)
            }
            if name == "a" && !closing && attributes["rel"] != "nofollow ugc noopener" { problems.append("a link without rel") }
            if name == "img" && !closing && (attributes["loading"] != "lazy" || attributes["referrerpolicy"] != "no-referrer") {
                problems.append("an image without loading or referrerpolicy")
            }
        }
        if !open.isEmpty { problems.append("unclosed \(open)") }
        return problems
    }

    /// Why an href or src (as written in the HTML) is not one Bulletin may write, or `nil`.
    static func unsafeDestination(_ attribute: String, isImage: Bool) -> String? {
        // As a browser sees it: entities decoded, then tabs, newlines and spaces dropped.
        let decoded = decodeEntities(attribute)
        let squeezed = String(String.UnicodeScalarView(decoded.unicodeScalars.filter { $0.value > 0x20 })).lowercased()
        for scheme in ["javascript:", "vbscript:", "data:"] where squeezed.hasPrefix(scheme) {
            return "a \(scheme) URL"
        }
        if squeezed.isEmpty || squeezed.hasPrefix("#") || squeezed.hasPrefix("?") || squeezed.hasPrefix(Resolver.href) {
            return nil
        }
        if squeezed.hasPrefix("//") { return nil }
        // A scheme as the URL standard reads one: a letter, then letters, digits, '+', '-', '.'.
        let schemeLength = squeezed.unicodeScalars.prefix { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) }.count
        if schemeLength > 0, let first = squeezed.unicodeScalars.first, ("a"..."z").contains(first),
            squeezed.unicodeScalars.dropFirst(schemeLength).first == ":"
        {
            let scheme = String(squeezed.unicodeScalars.prefix(schemeLength))
            if scheme == "http" || scheme == "https" || (scheme == "mailto" && !isImage) { return nil }
            return "scheme '\(scheme)'"
        }
        return "a relative destination the resolver did not give"
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.firstIndex(of: ";"), rest.distance(from: rest.startIndex, to: semicolon) <= 10 else {
                out += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            var scalar: Unicode.Scalar?
            switch entity {
            case "amp": scalar = "&"
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                }
            }
            if let scalar {
                out.unicodeScalars.append(scalar)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
                rest = rest.dropFirst()
            }
        }
        out += rest
        return out
    }
}
