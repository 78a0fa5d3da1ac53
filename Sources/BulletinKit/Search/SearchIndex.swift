import Foundation

/// The files of `/search/` besides its page: the index the page's script queries with no server.
///
/// - `search/meta.json`: how many docs and shards, the boards, the first doc of each month;
/// - `search/s/<k>.bin`: shard k of the postings (which docs hold each token, and how much);
/// - `search/d/<k>.json`: what the results show of docs k·chunk ..< (k+1)·chunk.
///
/// A doc is a post; docs are numbered newest first, so that ties of score go to the newer post and
/// a date range is a range of numbers. A token's shard is the FNV-1a hash of its text (of a word's
/// first two characters, so that every word a prefix can match is in one shard), so a query fetches
/// one shard per token. The format is README's "Search index"; `search.js` reads it.
public struct SearchIndex: Sendable {
    public let site: Site
    public let fields: Set<SearchField>
    public let contentRoot: String
    public let jobs: Int

    /// Docs per `d/<k>.json`.
    public static let chunk = 16
    /// Characters of a post's body that results show.
    public static let excerptLength = 120
    /// The most a token's count in one field adds up to.
    static let countLimit = 5

    public init(site: Site, fields: Set<SearchField>, contentRoot: String, jobs: Int) {
        self.site = site
        self.fields = fields
        self.contentRoot = contentRoot
        self.jobs = jobs
    }

    /// Posts, newest first: by date, then board slug, then id.
    var docs: [PostRef] {
        // Sorted with each post's date beside it: a comparison that copied two posts would count
        // references to all their strings, which the threads rendering pages read at the same time.
        var refs: [(ref: PostRef, date: Timestamp)] = []
        refs.reserveCapacity(site.postCount)
        for (b, board) in site.boards.enumerated() {
            for p in board.posts.indices { refs.append((PostRef(board: b, post: p), board.posts[p].date)) }
        }
        refs.sort { x, y in
            if x.date != y.date { return x.date > y.date }
            if x.ref.board != y.ref.board { return BuildManifest.byBytes(site.boards[x.ref.board].slug, site.boards[y.ref.board].slug) }
            return BuildManifest.byBytes(site.boards[x.ref.board].posts[x.ref.post].id, site.boards[y.ref.board].posts[y.ref.post].id)
        }
        return refs.map(\.ref)
    }

    /// How many shards: about one for every 16 posts, at most 4,096.
    static func shardCount(posts: Int) -> Int { min(4096, max(1, (posts + 15) / 16)) }

    /// Every file, by its path in the output.
    public func files() -> [(path: String, bytes: [UInt8])] {
        var files: [(path: String, bytes: [UInt8])] = []
        write { files.append(($0, $1)) }
        return files.sorted { BuildManifest.byBytes($0.path, $1.path) }
    }

    /// Gives `emit` every file as it is made, a few at a time, so that the index (a kilobyte a
    /// post) is never held whole.
    public func write(_ emit: (_ path: String, _ bytes: [UInt8]) throws -> Void) rethrows {
        let docs = self.docs
        let shards = Self.shardCount(posts: docs.count)
        // On one thread, beside the threads that render pages. When the site let go of its posts'
        // content, each post is read again once, and the postings go to disk in a part per
        // 50,000 posts, then each part's are gathered alone: only a part is held at once.
        let parts = site.contentDropped ? max(jobs, (docs.count + 49_999) / 50_000) : nil
        try shardFiles(docs: docs, shards: shards, spillParts: parts, emit)
        try docFiles(docs, emit)
        try emit("search/meta.json", meta(docs: docs, shards: shards))
    }

    /// A post with its body and comments, read again when the site let go of them.
    func post(_ ref: PostRef) -> Post {
        let post = site.boards[ref.board].posts[ref.post]
        guard site.contentDropped else { return post }
        return SiteLoader.reload(post, config: site.config, contentRoot: contentRoot) ?? post
    }

    /// The board filter's token (`search.js` makes the same).
    static func boardToken(_ slug: String) -> String { "\u{1}b:" + slug }

    /// The shard files, given to `emit`; the postings held in memory, or (`spillParts`) written
    /// to disk in that many parts and gathered a part at a time.
    func shardFiles(docs: [PostRef], shards: Int, spillParts: Int?, _ emit: (String, [UInt8]) throws -> Void) rethrows {
        var collector = Collector(shards: shards, spill: spillParts.map(Spill.init))
        let fields = SearchField.allCases.filter { self.fields.contains($0) }
        for (d, ref) in docs.enumerated() {
            let post = self.post(ref)
            for field in fields {
                collector.field = Collector.Field(field)
                switch field {
                case .title: SearchTokenizer.tokens(of: post.title, into: &collector)
                case .body: SearchTokenizer.tokens(of: post.body, into: &collector)
                case .author: SearchTokenizer.tokens(of: post.author, into: &collector)
                case .tags: for tag in post.tags { SearchTokenizer.tokens(of: tag, into: &collector) }
                case .comments:
                    // Read in place: a copy of each comment would count references to each of its
                    // strings, which the threads rendering pages read too.
                    post.comments.withUnsafeBufferPointer { comments in
                        for i in comments.indices where !comments[i].deleted { SearchTokenizer.tokens(of: comments[i].body, into: &collector) }
                    }
                }
            }
            collector.field = .filter
            var board = Self.boardToken(site.boards[ref.board].slug)
            board.withUTF8 { collector.token(SearchTokenizer.word(utf8: $0), word: $0) }
            collector.endDoc(UInt32(d))
        }
        try collector.files(jobs: jobs, emit)
    }

    /// How much a post holds a token, 1...255: a title that holds it beats any body that does
    /// (100), a tag or the author comes next (50), and the text of the body and comments adds at
    /// most 69, saturating (90·x / (x + 6) of x = 3 per time in the body + 1 per comment, each
    /// field counted up to 5 times), so that a long thread that repeats a word does not outrank
    /// the post it is about. The page's script multiplies it by the token's rarity.
    ///
    /// - Parameters: the times a token is in the title, in tags and the author, in the body, in comments.
    @inline(__always) static func weight(title: Int, named: Int, body: Int, comments: Int) -> UInt8 {
        let text = 3 * body + comments
        var w = 0
        if title > 0 { w += 100 }
        if named > 0 { w += 50 }
        w += (90 * text + (text + 6) / 2) / (text + 6)
        return UInt8(min(255, max(1, w)))
    }

    /// Unsigned LEB128.
    static func varint(_ value: Int, into out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The doc files, given to `emit` a batch at a time.
    func docFiles(_ docs: [PostRef], _ emit: (String, [UInt8]) throws -> Void) rethrows {
        let clock = SiteClock(timeZone: site.config.timeZone)
        let chunks = (docs.count + Self.chunk - 1) / Self.chunk
        let batch = 1024
        for first in stride(from: 0, to: chunks, by: batch) {
            for (path, bytes) in docFiles(docs, chunks: first..<min(chunks, first + batch), clock: clock) { try emit(path, bytes) }
        }
    }

    private func docFiles(_ docs: [PostRef], chunks: Range<Int>, clock: SiteClock) -> [(path: String, bytes: [UInt8])] {
        parallelMap(count: chunks.count, jobs: jobs, chunk: 8) { n in
            let k = chunks.lowerBound + n
            var out: [UInt8] = [UInt8(ascii: "[")]
            out.reserveCapacity(Self.chunk * 600)
            func number(_ n: Int, digits: Int = 0) {
                let text = String(n).utf8
                if text.count < digits { out += repeatElement(UInt8(ascii: "0"), count: digits - text.count) }
                out += text
            }
            for d in (k * Self.chunk)..<min(docs.count, (k + 1) * Self.chunk) {
                let ref = docs[d]
                let board = site.boards[ref.board]
                let post = self.post(ref)
                let t = clock.local(post.date)
                if d > k * Self.chunk { out += ",\n".utf8 }
                out.append(UInt8(ascii: "["))
                Escape.json(URLSafety.encodePath(board.slug + "/" + post.id + "/"), into: &out)
                out.append(UInt8(ascii: ","))
                Escape.json(post.title, into: &out)
                out.append(UInt8(ascii: ","))
                number(ref.board)
                out.append(UInt8(ascii: ","))
                Escape.json(post.author, into: &out)
                out += ",\"".utf8
                number(t.year, digits: 4)
                out.append(UInt8(ascii: "-"))
                number(t.month, digits: 2)
                out.append(UInt8(ascii: "-"))
                number(t.day, digits: 2)
                out.append(UInt8(ascii: " "))
                number(t.hour, digits: 2)
                out.append(UInt8(ascii: ":"))
                number(t.minute, digits: 2)
                out += "\",".utf8
                number(t.year * 10000 + t.month * 100 + t.day)
                out.append(UInt8(ascii: ","))
                number(post.commentCount)
                out.append(UInt8(ascii: ","))
                var excerpt: [UInt8] = []
                Self.excerpt(post.body, into: &excerpt)
                Escape.json(utf8: excerpt, into: &out)
                out.append(UInt8(ascii: "]"))
            }
            out += "]\n".utf8
            return ("search/d/\(k).json", out)
        }
    }

    func meta(docs: [PostRef], shards: Int) -> [UInt8] {
        let clock = SiteClock(timeZone: site.config.timeZone)
        var months: [(Int, Int)] = []
        for (d, ref) in docs.enumerated() {
            let t = clock.local(site.boards[ref.board].posts[ref.post].date)
            let month = t.year * 100 + t.month
            if months.last?.0 != month { months.append((month, d)) }
        }
        var out = "{\"version\":1,\"docs\":\(docs.count),\"shards\":\(shards),\"chunk\":\(Self.chunk),\n\"boards\":["
        out += site.boards.map { "[" + Escape.json($0.slug) + "," + Escape.json($0.title) + "]" }.joined(separator: ",")
        out += "],\n\"months\":[" + months.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]}\n"
        return Array(out.utf8)
    }
}
