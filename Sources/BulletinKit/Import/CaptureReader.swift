import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The text encodings of captures: UTF-8, or the legacy Korean ones that older boards and their
/// dumps use (EUC-KR, and its superset CP949, Windows' "Korean"), converted with the C library's
/// `iconv`.
public enum CaptureEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case cp949
    case eucKR = "euc-kr"

    /// `bytes` as NFC text. Without `given`: UTF-8 when the bytes are valid UTF-8, else CP949.
    /// Fails with the 0-based offset of the first byte that does not decode.
    static func decode(_ bytes: [UInt8], given: CaptureEncoding?) -> Result<String, DecodeFailure> {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let encoding = given ?? (String(validating: bytes, as: UTF8.self) != nil ? .utf8 : .cp949)
        switch encoding {
        case .utf8:
            guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(DecodeFailure(encoding: .utf8, offset: firstInvalidUTF8(bytes))) }
            return .success(text.precomposedStringWithCanonicalMapping)
        case .cp949, .eucKR:
            return convert(bytes, from: encoding == .cp949 ? "CP949" : "EUC-KR").map { $0.precomposedStringWithCanonicalMapping }
                .mapError { DecodeFailure(encoding: encoding, offset: $0.offset) }
        }
    }

    struct DecodeFailure: Error {
        var encoding: CaptureEncoding
        var offset: Int

        /// The error, at the line and column of the byte in `bytes`, the text of the file `path`.
        func diagnostic(_ path: String, _ bytes: Data) -> Diagnostic {
            let prefix = bytes.prefix(offset)
            let line = prefix.filter { $0 == 0x0A }.count + 1
            let column = offset - (prefix.lastIndex(of: 0x0A).map { $0 - bytes.startIndex + 1 } ?? 0) + 1
            return .error(SourceLocation(path: path, line: line, column: column), "this byte is not \(encoding.rawValue); give the capture's encoding with --encoding")
        }
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var low = 0, high = bytes.count
        // The longest valid prefix, found by halving (a valid prefix may end inside a sequence).
        while low < high {
            let mid = (low + high + 1) / 2
            var end = mid
            while end > 0 && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
            if String(validating: bytes[..<end], as: UTF8.self) != nil && end == mid { low = mid } else { high = mid - 1 }
        }
        return low
    }

    private struct Unconverted: Error { var offset: Int }

    /// Converts with iconv; fails with the offset of the first byte it could not convert.
    private static func convert(_ bytes: [UInt8], from name: String) -> Result<String, Unconverted> {
        let cd = iconv_open("UTF-8", name)
        guard cd != iconv_t(bitPattern: -1) else { return .failure(Unconverted(offset: 0)) }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 3 + 16)
        let (left, produced) = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                _ = iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                return (inLeft, outBuffer.count - outLeft)
            }
        }
        guard left == 0, let text = String(validating: output[..<produced], as: UTF8.self) else { return .failure(Unconverted(offset: bytes.count - left)) }
        return .success(text)
    }
}

/// One capture, read: the posts it showed and what it covers.
struct Capture {
    var observations: [PostObservation] = []
    var coverage: [Coverage] = []
    var diagnostics: [Diagnostic] = []

    /// Dates what it covers with the capture's time, once that is known.
    mutating func date(coverage time: Timestamp) {
        for i in coverage.indices { coverage[i].captured = time }
    }
}

/// Reads captures: a folder in our content format, or JSON Lines (README's "Importing
/// captures" defines the fields).
struct CaptureReader {
    let config: SiteConfig
    let clock: SiteClock
    /// `--board`: the board of posts that name none.
    let board: String?
    /// `--captured`: the capture's time when it gives none.
    let captured: Timestamp?
    let encoding: CaptureEncoding?

    func read(_ path: String, display: String) -> Capture {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return Capture(diagnostics: [.error(SourceLocation(path: display), "no such capture")])
        }
        return isDirectory.boolValue ? readFolder(path, display: display) : readLines(path, display: display)
    }

    // MARK: JSON Lines

    func readLines(_ path: String, display: String) -> Capture {
        var capture = Capture()
        guard let data = FileManager.default.contents(atPath: path) else {
            capture.diagnostics.append(.error(SourceLocation(path: display), "cannot read this file"))
            return capture
        }
        let text: String
        switch CaptureEncoding.decode(Array(data), given: encoding) {
        case .success(let t): text = t
        case .failure(let f):
            capture.diagnostics.append(f.diagnostic(display, data))
            return capture
        }
        var time = captured
        var posts: [(line: Int, object: [String: Any])] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let here = SourceLocation(path: display, line: n + 1)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                capture.diagnostics.append(.error(here, "this line is not a JSON object"))
                continue
            }
            if let header = object["capture"] as? [String: Any] {
                readHeader(header, at: here, time: &time, into: &capture)
                continue
            }
            posts.append((n + 1, object))
        }
        guard let time else {
            capture.diagnostics.append(.error(SourceLocation(path: display), "the capture gives no time: add a first line {\"capture\": {\"captured\": …}} or pass --captured"))
            return capture
        }
        capture.date(coverage: time)
        // Links to files start from the file's folder.
        let folder = SiteLoader.realPath(path.splitAtLastSlash.map { $0.folder.isEmpty ? "/" : $0.folder } ?? ".")
        for (line, object) in posts {
            if var o = observation(object, at: SourceLocation(path: display, line: line), captured: time, into: &capture.diagnostics) {
                o.links = folder.map { LinkBase(folder: $0, root: $0) }
                capture.observations.append(o)
            }
        }
        return capture
    }

    /// A capture's own header (`captured`, `covers`), the first line of JSON Lines or a folder's
    /// `capture.json`.
    private func readHeader(_ header: [String: Any], at here: SourceLocation, time: inout Timestamp?, into capture: inout Capture) {
        if let t = header["captured"] { time = date(t, key: "captured", at: here, into: &capture.diagnostics) ?? time }
        capture.coverage += coverage(header["covers"], at: here, into: &capture.diagnostics)
    }

    private func coverage(_ value: Any?, at here: SourceLocation, into diagnostics: inout [Diagnostic]) -> [Coverage] {
        guard let value else { return [] }
        guard let list = value as? [[String: Any]] else {
            diagnostics.append(.error(here, "'covers' must be a list of {\"board\": …, \"from\": …, \"to\": …}"))
            return []
        }
        return list.compactMap { c in
            guard let b = (c["board"] as? String) ?? board, PathRules.isValidID(b) else {
                diagnostics.append(.error(here, "a 'covers' entry needs a valid 'board'"))
                return nil
            }
            return Coverage(board: b, captured: .beforeCaptures, from: c["from"] as? Int, to: c["to"] as? Int)
        }
    }

    private func date(_ value: Any?, key: String, at here: SourceLocation, into diagnostics: inout [Diagnostic]) -> Timestamp? {
        guard let text = value as? String else {
            diagnostics.append(.error(here, "'\(key)' must be a date and time, as a string"))
            return nil
        }
        switch DateParser.parse(text, clock: clock) {
        case .success(let t): return t
        case .failure(.invalid(let message, _)):
            diagnostics.append(.error(here, "'\(key)': \(message)"))
            return nil
        }
    }

    private func text(_ value: Any?) -> String? {
        if let s = value as? String { return s.precomposedStringWithCanonicalMapping }
        if let n = value as? Int { return String(n) }
        return nil
    }

    private func observation(_ o: [String: Any], at here: SourceLocation, captured: Timestamp, into diagnostics: inout [Diagnostic]) -> PostObservation? {
        let before = diagnostics.count
        guard let id = text(o["id"]), PathRules.isValidID(id) else {
            diagnostics.append(.error(here, "a post needs an 'id' of letters, digits, '-' and '_'"))
            return nil
        }
        guard let b = text(o["board"]) ?? board, PathRules.isValidID(b) else {
            diagnostics.append(.error(here, "post \(id) names no valid 'board' (or pass --board)"))
            return nil
        }
        let title = text(o["title"])
        if title == nil { diagnostics.append(.error(here, "post \(id) has no 'title'")) }
        let date = self.date(o["date"], key: "date", at: here, into: &diagnostics)
        let updated = o["updated"].flatMap { self.date($0, key: "updated", at: here, into: &diagnostics) }
        let deleted = o["deleted"] as? Bool ?? false
        let body = markdown(o, at: here, what: "post \(id)", into: &diagnostics)
        if body == nil && !deleted { diagnostics.append(.error(here, "post \(id) has no 'body' (or 'body_html')")) }
        func count(_ key: String) -> Int? {
            guard let v = o[key] else { return nil }
            guard let n = v as? Int, n >= 0 else {
                diagnostics.append(.error(here, "post \(id): '\(key)' must be a non-negative integer"))
                return nil
            }
            return n
        }
        let tags = (o["tags"] as? [Any])?.compactMap(text) ?? []
        var comments: [CommentObservation]?
        if let list = o["comments"] {
            guard let list = list as? [[String: Any]] else {
                diagnostics.append(.error(here, "post \(id): 'comments' must be a list of objects"))
                return nil
            }
            comments = list.compactMap { comment($0, post: id, at: here, into: &diagnostics) }
        }
        guard diagnostics.count == before, let title, let date else { return nil }
        let commentCount = count("comment_count")
        let fields = PostFields(
            author: text(o["author"]).flatMap { $0.isEmpty ? nil : $0 } ?? config.anonymous, date: date, updated: updated, views: count("views") ?? 0,
            recommends: count("recommends") ?? 0, commentCount: commentCount, tags: tags, notice: o["notice"] as? Bool ?? false, deletedOnBoard: deleted,
            source: text(o["source"]))
        // The whole thread only when the capture says so, or its count says nothing is missing.
        let full = comments.map { list in (o["comments_complete"] as? Bool) ?? (commentCount.map { $0 <= list.count } ?? false) } ?? false
        return PostObservation(board: b, id: id, captured: captured, title: title, body: body ?? "", fields: fields, comments: comments, fullThread: full)
    }

    private func comment(_ c: [String: Any], post: String, at here: SourceLocation, into diagnostics: inout [Diagnostic]) -> CommentObservation? {
        guard let id = text(c["id"]), !id.isEmpty else {
            diagnostics.append(.error(here, "post \(post): a comment has no 'id'"))
            return nil
        }
        guard let date = self.date(c["date"], key: "date", at: here, into: &diagnostics) else { return nil }
        let deleted = c["deleted"] as? Bool ?? false
        let body = markdown(c, at: here, what: "comment \(id) of post \(post)", into: &diagnostics)
        if body == nil && !deleted {
            diagnostics.append(.error(here, "comment \(id) of post \(post) has no 'body'"))
            return nil
        }
        let recommends = c["recommends"] as? Int ?? 0
        return CommentObservation(
            id: id, body: body ?? "",
            fields: CommentFields(
                author: text(c["author"]).flatMap { $0.isEmpty ? nil : $0 } ?? config.anonymous, date: date, replyTo: text(c["reply_to"]),
                recommends: max(0, recommends), deletedOnBoard: deleted))
    }

    /// `body` (Markdown) or `body_html` (what a scraper saw, converted).
    private func markdown(_ o: [String: Any], at here: SourceLocation, what: String, into diagnostics: inout [Diagnostic]) -> String? {
        if let body = o["body"] {
            guard let s = body as? String else {
                diagnostics.append(.error(here, "\(what): 'body' must be a string"))
                return nil
            }
            return s.precomposedStringWithCanonicalMapping
        }
        if let html = o["body_html"] {
            guard let s = html as? String else {
                diagnostics.append(.error(here, "\(what): 'body_html' must be a string"))
                return nil
            }
            if let problem = HTMLToMarkdown.unavailable {
                diagnostics.append(.error(here, "\(what): 'body_html' is read with libxml2, which cannot be loaded (\(problem)); install it (Debian: libxml2)"))
                return nil
            }
            return HTMLToMarkdown.convert(s.precomposedStringWithCanonicalMapping)
        }
        return nil
    }

    // MARK: Folders in our content format

    func readFolder(_ path: String, display: String) -> Capture {
        var capture = Capture()
        // Text in a legacy encoding is read from a UTF-8 copy; files linked from posts are still
        // taken from the capture itself.
        let converted: String?
        switch utf8Copy(of: path, display: display) {
        case .failure(let d):
            capture.diagnostics.append(d)
            return capture
        case .success(let copy): converted = copy
        }
        defer { if let converted { try? FileManager.default.removeItem(atPath: converted) } }
        let loaded = SiteLoader.load(source: converted ?? path, display: display)
        capture.diagnostics = loaded.diagnostics.filter { $0.severity == .error }
        guard let site = loaded.site else { return capture }
        var time = captured
        let header = (converted ?? path) + "/capture.json"
        if let data = FileManager.default.contents(atPath: header) {
            let here = SourceLocation(path: display + "/capture.json")
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                capture.diagnostics.append(.error(here, "not a JSON object"))
                return capture
            }
            readHeader(object, at: here, time: &time, into: &capture)
        }
        // Links to files start from the post's folder in the capture (not its UTF-8 copy).
        let root = SiteLoader.realPath(path + "/Content")
        for board in site.boards {
            for post in board.posts {
                guard let at = time ?? post.captured else {
                    capture.diagnostics.append(.error(post.location, "the capture gives no time: add 'captured' here, a capture.json, or pass --captured"))
                    continue
                }
                var o = PostObservation(post, board: board.slug, captured: at)
                // A comment file is the whole thread, unless its post's count says more.
                o.fullThread = !post.comments.isEmpty && post.commentCount <= post.comments.count
                o.links = root.map { LinkBase(folder: $0 + "/" + (post.contentPath.splitAtLastSlash?.folder ?? ""), root: $0) }
                capture.observations.append(o)
            }
        }
        if let time { capture.date(coverage: time) } else if !capture.coverage.isEmpty {
            capture.diagnostics.append(.error(SourceLocation(path: display + "/capture.json"), "'covers' needs the capture's time: add 'captured'"))
        }
        return capture
    }

    /// The text files of a folder capture (`site.yml`, `capture.json`, posts and comment files)
    /// that are not UTF-8 (or all of them, with `--encoding` other than UTF-8), converted into a
    /// temporary copy of the folder; nil when every file is UTF-8 already.
    private func utf8Copy(of path: String, display: String) -> Result<String?, Diagnostic> {
        let textSuffixes = [".md", ".yml", ".yaml", ".json"]
        guard let walker = FileManager.default.enumerator(atPath: path) else { return .success(nil) }
        var texts: [String] = []
        var legacy = false
        while let relative = walker.nextObject() as? String {
            guard textSuffixes.contains(where: relative.hasSuffix) else { continue }
            texts.append(relative)
            if encoding == nil || encoding == .utf8, !legacy, let data = FileManager.default.contents(atPath: path + "/" + relative) {
                legacy = String(validating: Array(data), as: UTF8.self) == nil
            }
        }
        guard legacy || (encoding != nil && encoding != .utf8) else { return .success(nil) }
        if encoding == .utf8 {
            // Said to be UTF-8 and not: the loader reports the file and the byte.
            return .success(nil)
        }
        let copy = FileManager.default.temporaryDirectory.path + "/bulletin-capture-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            for relative in texts {
                guard let data = FileManager.default.contents(atPath: path + "/" + relative) else { continue }
                let text: String
                switch CaptureEncoding.decode(Array(data), given: encoding) {
                case .success(let t): text = t
                case .failure(let f):
                    try? FileManager.default.removeItem(atPath: copy)
                    return .failure(f.diagnostic(display + "/" + relative, data))
                }
                let target = copy + "/" + relative
                try FileManager.default.createDirectory(atPath: target.splitAtLastSlash!.folder, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: target))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: copy)
            return .failure(.error(SourceLocation(path: display), "cannot make a UTF-8 copy of this capture: \(error.localizedDescription)"))
        }
        return .success(copy)
    }
}
