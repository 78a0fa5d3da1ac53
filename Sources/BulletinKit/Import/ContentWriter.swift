/// A post's files in our content format, made from what the captures saw of it: the current
/// version with its fields, the times it was captured, edited and deleted, and its comments
/// (deleted ones kept, marked, with their last captured text).
struct ContentWriter {
    let display: DateDisplay

    init(clock: SiteClock) {
        display = DateDisplay(clock: clock)
    }

    /// `<stem>.md`.
    func post(_ h: PostHistory, stem: String, coverage: [Coverage]) -> [UInt8] {
        let now = h.current
        let f = h.fields
        var out = "---\n"
        if stem != h.id { out += "id: " + Self.quoted(h.id) + "\n" }
        out += "title: " + Self.quoted(now.title) + "\n"
        out += "author: " + Self.quoted(f.author) + "\n"
        out += "date: " + display.iso(f.date) + "\n"
        if let u = f.updated { out += "updated: " + display.iso(u) + "\n" }
        out += "views: \(f.views)\nrecommends: \(f.recommends)\n"
        if let n = f.commentCount { out += "comment_count: \(n)\n" }
        if !f.tags.isEmpty { out += "tags: [" + f.tags.map(Self.quoted).joined(separator: ", ") + "]\n" }
        if f.notice { out += "notice: true\n" }
        if let s = f.source { out += "source: " + Self.quoted(s) + "\n" }
        if let captured = Self.real(h.captured(by: coverage)) { out += "captured: " + display.iso(captured) + "\n" }
        if let e = h.edited { out += "edited: " + display.iso(e) + "\n" }
        let gone = h.deleted(by: coverage)
        if f.deletedOnBoard || gone != nil { out += "deleted: true\n" }
        if let gone { out += "deleted_at: " + display.iso(gone) + "\n" }
        let earlier = h.earlier
        if !earlier.isEmpty {
            out += "versions:\n"
            for v in earlier {
                out += "  - title: " + Self.quoted(v.title) + "\n"
                if let first = Self.real(v.firstSeen) { out += "    first_seen: " + display.iso(first) + "\n" }
                if let last = Self.real(v.lastSeen) { out += "    last_seen: " + display.iso(last) + "\n" }
                out += "    body: " + Self.quoted(v.body) + "\n"
            }
        }
        out += "---\n" + now.body
        if !now.body.isEmpty && !now.body.hasSuffix("\n") { out += "\n" }
        return Array(out.utf8)
    }

    /// `<stem>.comments.yml`: every comment ever captured, by date then id; nil when none.
    func comments(_ h: PostHistory) -> [UInt8]? {
        guard !h.comments.isEmpty else { return nil }
        let ordered = h.comments.values.sorted {
            $0.fields.date != $1.fields.date ? $0.fields.date < $1.fields.date : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8)
        }
        var out = ""
        for c in ordered {
            out += "- id: " + Self.quoted(c.id) + "\n"
            out += "  author: " + Self.quoted(c.fields.author) + "\n"
            out += "  date: " + display.iso(c.fields.date) + "\n"
            if let r = c.fields.replyTo { out += "  reply_to: " + Self.quoted(r) + "\n" }
            if c.fields.recommends != 0 { out += "  recommends: \(c.fields.recommends)\n" }
            let gone = h.deleted(c)
            if c.fields.deletedOnBoard || gone != nil { out += "  deleted: true\n" }
            if let gone { out += "  deleted_at: " + display.iso(gone) + "\n" }
            out += "  body: " + Self.quoted(c.body) + "\n"
        }
        return Array(out.utf8)
    }

    /// A time some capture gave: not the one given to content that no import recorded.
    static func real(_ t: Timestamp) -> Timestamp? { t == .beforeCaptures ? nil : t }

    /// A YAML double-quoted scalar: any text, read back as it is. Line breaks YAML would fold
    /// (NEL, LS, PS) and controls are escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                out += "\\u" + hex(u.value, width: 4)
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\x" + hex(u.value, width: 2)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
