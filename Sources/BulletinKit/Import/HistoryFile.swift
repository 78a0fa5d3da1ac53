import Foundation

/// `<id>.history.json` beside a post, and `_captures.json` in a board's folder: what `bulletin
/// import` knows of the captures, as JSON with sorted keys (deterministic), times as seconds
/// since 1970 (the same whatever the site's zone).
enum HistoryFile {
    static let suffix = ".history.json"
    static let coverageName = "_captures.json"

    static func encode(_ h: PostHistory) -> [UInt8] {
        var w = Writer()
        w.open("{")
        w.key("version", number: 1)
        w.key("board", string: h.board)
        w.key("id", string: h.id)
        w.key("first_seen", number: h.firstSeen.seconds)
        w.key("last_seen", number: h.lastSeen.seconds)
        w.key("fields_seen", number: h.fieldsSeen.seconds)
        w.key("fields") { w in
            let f = h.fields
            w.open("{")
            w.key("author", string: f.author)
            w.key("date", number: f.date.seconds)
            if let u = f.updated { w.key("updated", number: u.seconds) }
            w.key("views", number: Int64(f.views))
            w.key("recommends", number: Int64(f.recommends))
            if let n = f.commentCount { w.key("comment_count", number: Int64(n)) }
            w.key("tags") { w in
                w.open("[")
                for tag in f.tags { w.item(string: tag) }
                w.close("]")
            }
            if f.notice { w.key("notice", bool: true) }
            if f.deletedOnBoard { w.key("deleted", bool: true) }
            if let s = f.source { w.key("source", string: s) }
            w.close("}")
        }
        w.key("threads") { w in
            w.open("[")
            for t in h.threads { w.item(number: t.seconds) }
            w.close("]")
        }
        w.key("versions") { w in
            w.open("[")
            for v in h.versions {
                w.item { w in
                    w.open("{")
                    w.key("first_seen", number: v.firstSeen.seconds)
                    w.key("last_seen", number: v.lastSeen.seconds)
                    w.key("title", string: v.title)
                    w.key("body", string: v.body)
                    w.close("}")
                }
            }
            w.close("]")
        }
        w.key("comments") { w in
            w.open("[")
            for id in h.comments.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let c = h.comments[id]!
                w.item { w in
                    w.open("{")
                    w.key("id", string: c.id)
                    w.key("first_seen", number: c.firstSeen.seconds)
                    w.key("last_seen", number: c.lastSeen.seconds)
                    w.key("fields_seen", number: c.fieldsSeen.seconds)
                    w.key("fields") { w in
                        w.open("{")
                        w.key("author", string: c.fields.author)
                        w.key("date", number: c.fields.date.seconds)
                        if let r = c.fields.replyTo { w.key("reply_to", string: r) }
                        w.key("recommends", number: Int64(c.fields.recommends))
                        if c.fields.deletedOnBoard { w.key("deleted", bool: true) }
                        w.close("}")
                    }
                    w.key("body_seen", number: c.bodySeen.seconds)
                    w.key("body", string: c.body)
                    w.close("}")
                }
            }
            w.close("]")
        }
        w.close("}")
        return w.bytes + [0x0A]
    }

    /// Indented JSON with keys in the order written: deterministic, and several times faster
    /// than Foundation's writer with sorted keys (most of an import's time, before).
    struct Writer {
        var bytes: [UInt8] = []
        private var depth = 0
        private var first = true

        private mutating func newline() {
            bytes.append(0x0A)
            bytes += repeatElement(UInt8(ascii: " "), count: depth * 2)
        }

        private mutating func separate() {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            newline()
        }

        mutating func open(_ bracket: Character) {
            bytes += String(bracket).utf8
            depth += 1
            first = true
        }

        mutating func close(_ bracket: Character) {
            depth -= 1
            if !first { newline() }
            bytes += String(bracket).utf8
            first = false
        }

        private mutating func name(_ key: String) {
            separate()
            Escape.json(key, into: &bytes)
            bytes += ": ".utf8
        }

        mutating func key(_ key: String, string: String) {
            name(key)
            Escape.json(string, into: &bytes)
        }

        mutating func key(_ key: String, number: Int64) {
            name(key)
            bytes += String(number).utf8
        }

        mutating func key(_ key: String, bool: Bool) {
            name(key)
            bytes += (bool ? "true" : "false").utf8
        }

        mutating func key(_ key: String, _ value: (inout Writer) -> Void) {
            name(key)
            value(&self)
        }

        mutating func item(string: String) {
            separate()
            Escape.json(string, into: &bytes)
        }

        mutating func item(number: Int64) {
            separate()
            bytes += String(number).utf8
        }

        mutating func item(_ value: (inout Writer) -> Void) {
            separate()
            value(&self)
        }
    }

    enum Failure: Error { case invalid(String) }

    static func decode(_ bytes: [UInt8]) throws -> PostHistory {
        guard let o = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { throw Failure.invalid("not an object") }
        func time(_ v: Any?) throws -> Timestamp {
            guard let n = v as? Int else { throw Failure.invalid("a time is not a number") }
            return Timestamp(seconds: Int64(n))
        }
        func string(_ v: Any?) throws -> String {
            guard let s = v as? String else { throw Failure.invalid("a text is missing") }
            return s
        }
        guard let f = o["fields"] as? [String: Any] else { throw Failure.invalid("no fields") }
        let fields = PostFields(
            author: try string(f["author"]), date: try time(f["date"]), updated: try f["updated"].map(time), views: f["views"] as? Int ?? 0,
            recommends: f["recommends"] as? Int ?? 0, commentCount: f["comment_count"] as? Int, tags: f["tags"] as? [String] ?? [],
            notice: f["notice"] as? Bool ?? false, deletedOnBoard: f["deleted"] as? Bool ?? false, source: f["source"] as? String)
        var versions: [PostHistory.Version] = []
        for v in o["versions"] as? [[String: Any]] ?? [] {
            versions.append(.init(title: try string(v["title"]), body: try string(v["body"]), firstSeen: try time(v["first_seen"]), lastSeen: try time(v["last_seen"])))
        }
        guard !versions.isEmpty else { throw Failure.invalid("no versions") }
        var comments: [String: CommentHistory] = [:]
        for c in o["comments"] as? [[String: Any]] ?? [] {
            guard let cf = c["fields"] as? [String: Any] else { throw Failure.invalid("a comment has no fields") }
            let id = try string(c["id"])
            comments[id] = CommentHistory(
                id: id,
                fields: CommentFields(
                    author: try string(cf["author"]), date: try time(cf["date"]), replyTo: cf["reply_to"] as? String, recommends: cf["recommends"] as? Int ?? 0,
                    deletedOnBoard: cf["deleted"] as? Bool ?? false),
                fieldsSeen: try time(c["fields_seen"]), body: try string(c["body"]), bodySeen: try time(c["body_seen"]), firstSeen: try time(c["first_seen"]),
                lastSeen: try time(c["last_seen"]))
        }
        return PostHistory(
            board: try string(o["board"]), id: try string(o["id"]), fields: fields, fieldsSeen: try time(o["fields_seen"]), versions: versions,
            firstSeen: try time(o["first_seen"]), lastSeen: try time(o["last_seen"]), threads: try (o["threads"] as? [Any] ?? []).map(time).sorted(),
            comments: comments)
    }

    static func encode(coverage: [Coverage]) -> [UInt8] {
        var w = Writer()
        w.open("[")
        for c in coverage.sorted(by: Coverage.order) {
            w.item { w in
                w.open("{")
                w.key("captured", number: c.captured.seconds)
                if let f = c.from { w.key("from", number: Int64(f)) }
                if let t = c.to { w.key("to", number: Int64(t)) }
                w.close("}")
            }
        }
        w.close("]")
        return w.bytes + [0x0A]
    }

    static func decode(coverage bytes: [UInt8], board: String) throws -> [Coverage] {
        guard let list = try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]] else { throw Failure.invalid("not a list") }
        return try list.map { o in
            guard let t = o["captured"] as? Int else { throw Failure.invalid("a coverage has no time") }
            return Coverage(board: board, captured: Timestamp(seconds: Int64(t)), from: o["from"] as? Int, to: o["to"] as? Int)
        }
    }
}

extension Coverage {
    static func order(_ a: Coverage, _ b: Coverage) -> Bool {
        (a.captured, a.from ?? .min, a.to ?? .max) < (b.captured, b.from ?? .min, b.to ?? .max)
    }
}
