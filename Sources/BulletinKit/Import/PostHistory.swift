/// What the captures of a board saw of one post, kept beside it (`<id>.history.yml`) so that
/// captures can be merged in any order, any number of times, to the same `Content/`.
///
/// Everything here is a join of observations: the earliest and latest time each thing was seen,
/// the fields of the newest capture (ties broken by the fields' own order), sets of times. Merging
/// two histories is commutative, associative and idempotent; what a post page shows (its current
/// title and body, whether and when it was edited or deleted) is derived from the history and the
/// board's ``Coverage`` alone.
struct PostHistory: Sendable, Equatable {
    var board: String
    var id: String
    /// The newest capture's fields, and that capture's time.
    var fields: PostFields
    var fieldsSeen: Timestamp
    /// Each distinct title and body seen, with the first and last capture that showed it.
    var versions: [Version]
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    /// The captures that held the post's whole thread (sorted, each once).
    var threads: [Timestamp]
    /// By id.
    var comments: [String: CommentHistory]

    struct Version: Sendable, Equatable {
        var title: String
        var body: String
        var firstSeen: Timestamp
        var lastSeen: Timestamp

        /// The title and body as bytes (Swift's `==` on strings would equate NFC and NFD).
        var text: [UInt8] { Array(title.utf8) + [0] + Array(body.utf8) }
    }

    /// Adds what `other` saw of the same post.
    mutating func merge(_ other: PostHistory) {
        if newer(other.fieldsSeen, other.fields.key, than: fieldsSeen, fields.key) {
            fields = other.fields
            fieldsSeen = other.fieldsSeen
        }
        for v in other.versions { add(v) }
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        threads = Array(Set(threads + other.threads)).sorted()
        for (id, c) in other.comments { comments[id, default: c].merge(c) }
    }

    private mutating func add(_ v: Version) {
        // A version without text (the board showed the post deleted) only stands in until a
        // version with text is known.
        if v.body.isEmpty, versions.contains(where: { !$0.body.isEmpty }) { return }
        if !v.body.isEmpty { versions.removeAll { $0.body.isEmpty } }
        if let i = versions.firstIndex(where: { $0.text == v.text }) {
            versions[i].firstSeen = min(versions[i].firstSeen, v.firstSeen)
            versions[i].lastSeen = max(versions[i].lastSeen, v.lastSeen)
        } else {
            versions.append(v)
        }
        versions.sort { $0.firstSeen != $1.firstSeen ? $0.firstSeen < $1.firstSeen : $0.text.lexicographicallyPrecedes($1.text) }
    }

    /// The version the newest capture showed.
    var current: Version {
        versions.max { newer($1.lastSeen, $1.text, than: $0.lastSeen, $0.text) }!
    }

    /// The versions before the current one, oldest first.
    var earlier: [Version] {
        let now = current
        return versions.filter { $0 != now }
    }

    /// When a title or body other than the first was first seen; nil while there was one.
    var edited: Timestamp? {
        guard versions.count > 1 else { return nil }
        return versions.dropFirst().map(\.firstSeen).min()
    }

    /// When the post was first found missing from a capture that covered it, after the last
    /// capture that held it.
    func deleted(by coverage: [Coverage]) -> Timestamp? {
        coverage.filter { $0.captured > lastSeen && $0.covers(board: board, id: id) }.map(\.captured).min()
    }

    /// The newest capture that looked at the post.
    func captured(by coverage: [Coverage]) -> Timestamp {
        max(lastSeen, coverage.filter { $0.covers(board: board, id: id) }.map(\.captured).max() ?? lastSeen)
    }

    /// When a comment was first found missing from a capture that held the whole thread.
    func deleted(_ comment: CommentHistory) -> Timestamp? { threads.first { $0 > comment.lastSeen } }
}

/// A post's fields besides its title and body, as one capture showed them.
struct PostFields: Sendable, Equatable {
    var author: String
    var date: Timestamp
    var updated: Timestamp? = nil
    var views = 0
    var recommends = 0
    var commentCount: Int? = nil
    var tags: [String] = []
    var notice = false
    /// The board itself showed the post as deleted.
    var deletedOnBoard = false
    var source: String? = nil

    /// An order on fields, to choose between two captures taken at the same time.
    var key: [UInt8] {
        orderKey(
            texts: [author, source ?? ""] + tags,
            numbers: [date.seconds, updated?.seconds ?? -1, Int64(views), Int64(recommends), Int64(commentCount ?? -1), notice ? 1 : 0, deletedOnBoard ? 1 : 0])
    }
}

/// What the captures saw of one comment.
struct CommentHistory: Sendable, Equatable {
    var id: String
    /// The newest capture's fields, and that capture's time.
    var fields: CommentFields
    var fieldsSeen: Timestamp
    /// The text of the newest capture that showed one, and that capture's time.
    var body: String
    var bodySeen: Timestamp
    var firstSeen: Timestamp
    var lastSeen: Timestamp

    mutating func merge(_ other: CommentHistory) {
        if newer(other.fieldsSeen, other.fields.key, than: fieldsSeen, fields.key) {
            fields = other.fields
            fieldsSeen = other.fieldsSeen
        }
        // An empty text (deleted on the board) never replaces a captured one; between two
        // empty ones, the later time stands.
        if other.body.isEmpty {
            if body.isEmpty { bodySeen = max(bodySeen, other.bodySeen) }
        } else if body.isEmpty || newer(other.bodySeen, Array(other.body.utf8), than: bodySeen, Array(body.utf8)) {
            body = other.body
            bodySeen = other.bodySeen
        }
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
    }
}

struct CommentFields: Sendable, Equatable {
    var author: String
    var date: Timestamp
    var replyTo: String? = nil
    var recommends = 0
    var deletedOnBoard = false

    var key: [UInt8] {
        orderKey(texts: [author, replyTo ?? ""], numbers: [date.seconds, Int64(recommends), deletedOnBoard ? 1 : 0])
    }
}

/// What one capture showed of a post.
struct PostObservation: Sendable, Equatable {
    var board: String
    var id: String
    var captured: Timestamp
    var title: String
    /// Markdown; empty when the board showed the post deleted without its text.
    var body: String
    var fields: PostFields
    /// Nil when the capture did not look at the thread.
    var comments: [CommentObservation]? = nil
    /// The capture holds every comment of the thread: one it lacks was deleted.
    var fullThread = false
    /// Where its relative links to files start in the capture.
    var links: LinkBase? = nil

}

struct CommentObservation: Sendable, Equatable {
    var id: String
    var body: String
    var fields: CommentFields

}

/// What part of a board a capture looked at: all of it, or the posts whose numeric ids are in
/// `from...to`. A post it covers and lacks was deleted by then.
struct Coverage: Sendable, Hashable {
    var board: String
    var captured: Timestamp
    var from: Int? = nil
    var to: Int? = nil

    func covers(board: String, id: String) -> Bool {
        guard board == self.board else { return false }
        if from == nil && to == nil { return true }
        guard let n = Int(id) else { return false }
        return n >= (from ?? .min) && n <= (to ?? .max)
    }
}

/// Whether what was seen at `t` (ordered by `key` among what was seen at the same time) is
/// newer than what was seen at `u`: the order that makes a merge the same in any order.
func newer(_ t: Timestamp, _ key: [UInt8], than u: Timestamp, _ other: [UInt8]) -> Bool {
    t != u ? t > u : other.lexicographicallyPrecedes(key)
}

/// Bytes that order values: each text ended by a zero byte, then each number big-endian.
func orderKey(texts: [String], numbers: [Int64]) -> [UInt8] {
    var out: [UInt8] = []
    for text in texts { out += text.utf8 + [0] }
    for n in numbers { out += withUnsafeBytes(of: n.bigEndian) { Array($0) } }
    return out
}

extension Timestamp {
    /// Before any capture: the time given to content that no import recorded.
    static let beforeCaptures = Timestamp(seconds: -62_135_596_800)
}

extension PostHistory {
    /// The capture `observation` alone.
    init(_ o: PostObservation) {
        board = o.board
        id = o.id
        fields = o.fields
        fieldsSeen = o.captured
        versions = [Version(title: o.title, body: o.body, firstSeen: o.captured, lastSeen: o.captured)]
        firstSeen = o.captured
        lastSeen = o.captured
        threads = o.fullThread ? [o.captured] : []
        comments = [:]
        for c in o.comments ?? [] { comments[c.id, default: CommentHistory(c, seen: o.captured)].merge(CommentHistory(c, seen: o.captured)) }
    }
}

extension PostObservation {
    /// A post of a site in our content format, as a capture at `captured` showed it (its thread
    /// not taken as whole).
    init(_ post: Post, board: String, captured: Timestamp) {
        let comments = post.comments.map {
            CommentObservation(
                id: $0.id, body: $0.body, fields: CommentFields(author: $0.author, date: $0.date, replyTo: $0.replyTo, recommends: $0.recommends, deletedOnBoard: $0.deleted))
        }
        self.init(
            board: board, id: post.id, captured: captured, title: post.title, body: post.body,
            fields: PostFields(
                author: post.author, date: post.date, updated: post.updated, views: post.views, recommends: post.recommends, commentCount: post.commentCount,
                tags: post.tags, notice: post.notice, deletedOnBoard: post.deleted, source: post.source),
            comments: comments.isEmpty ? nil : comments)
    }
}

extension CommentHistory {
    init(_ c: CommentObservation, seen: Timestamp) {
        id = c.id
        fields = c.fields
        fieldsSeen = seen
        body = c.body
        bodySeen = seen
        firstSeen = seen
        lastSeen = seen
    }
}
