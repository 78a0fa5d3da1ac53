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
        var refs: [PostRef] = []
        for (b, board) in site.boards.enumerated() { for p in board.posts.indices { refs.append(PostRef(board: b, post: p)) } }
        return refs.sorted { x, y in
            let a = site.boards[x.board].posts[x.post], b = site.boards[y.board].posts[y.post]
            if a.date != b.date { return a.date > b.date }
            if x.board != y.board { return BuildManifest.byBytes(site.boards[x.board].slug, site.boards[y.board].slug) }
            return BuildManifest.byBytes(a.id, b.id)
        }
    }

    /// How many shards: about one for every 16 posts, at most 4,096.
    static func shardCount(posts: Int) -> Int { min(4096, max(1, (posts + 15) / 16)) }

    /// Every file, by its path in the output.
    public func files() -> [(path: String, bytes: [UInt8])] {
        let docs = self.docs
        let shards = Self.shardCount(posts: docs.count)
        // One part, on one thread, beside the threads that render pages; when the site let go of
        // its posts' content, a part per 50,000 posts, each reading every post and keeping the
        // tokens of its shards, so that only a part of the postings is held at once.
        let parts = site.contentDropped ? max(jobs, (docs.count + 49_999) / 50_000) : 1
        var files: [(path: String, bytes: [UInt8])] = []
        for round in stride(from: 0, to: parts, by: max(1, jobs)) {
            let upTo = min(parts, round + max(1, jobs))
            let written = parallelMap(Array(round..<upTo), jobs: jobs) { part in
                shardFiles(docs: docs, shards: shards, part: part, parts: parts)
            }
            for part in written { files += part }
        }
        files += docFiles(docs)
        files.append(("search/meta.json", meta(docs: docs, shards: shards)))
        return files.sorted { BuildManifest.byBytes($0.path, $1.path) }
    }

    /// A post with its body and comments, read again when the site let go of them.
    func post(_ ref: PostRef) -> Post {
        let post = site.boards[ref.board].posts[ref.post]
        guard site.contentDropped else { return post }
        return SiteLoader.reload(post, config: site.config, contentRoot: contentRoot) ?? post
    }

    /// The board filter's token (`search.js` makes the same).
    static func boardToken(_ slug: String) -> String { "\u{1}b:" + slug }

    /// The shard files of shards `s` with `s % parts == part`.
    func shardFiles(docs: [PostRef], shards: Int, part: Int, parts: Int) -> [(path: String, bytes: [UInt8])] {
        var collector = Collector(shards: shards, part: part, parts: parts, fields: SearchField.allCases.filter { fields.contains($0) })
        for (d, ref) in docs.enumerated() {
            let post = self.post(ref)
            collector.startDoc()
            for (f, field) in collector.fields.enumerated() {
                collector.shift = UInt32(f * 3)
                switch field {
                case .title: SearchTokenizer.tokens(of: post.title, into: &collector)
                case .body: SearchTokenizer.tokens(of: post.body, into: &collector)
                case .author: SearchTokenizer.tokens(of: post.author, into: &collector)
                case .tags: for tag in post.tags { SearchTokenizer.tokens(of: tag, into: &collector) }
                case .comments: for comment in post.comments where !comment.deleted { SearchTokenizer.tokens(of: comment.body, into: &collector) }
                }
            }
            let board = Self.boardToken(site.boards[ref.board].slug)
            collector.shift = 31  // counts nothing: weight 1
            var boardToken = board
            boardToken.withUTF8 { collector.token(SearchTokenizer.word(utf8: $0), word: $0) }
            collector.endDoc(UInt32(d))
        }
        return collector.files()
    }

    /// The postings of one part's tokens, doc by doc.
    struct Collector: SearchTokenizer.Sink {
        let shards: Int
        let part: Int
        let parts: Int
        let fields: [SearchField]
        /// Which field's count a token adds to (3 bits each).
        var shift: UInt32 = 0
        /// Token ids by key; -1 for a token of another part.
        var ids = KeyTable()
        var texts: [String] = []
        var shardOf: [Int32] = []
        var postings = Postings()
        /// The current doc's counts by token id, and the ids it touched.
        var counts: [UInt32] = []
        var touched: [Int32] = []

        init(shards: Int, part: Int, parts: Int, fields: [SearchField]) {
            self.shards = shards
            self.part = part
            self.parts = parts
            self.fields = fields
        }

        mutating func startDoc() { touched.removeAll(keepingCapacity: true) }

        mutating func token(_ key: SearchTokenizer.Key, word: UnsafeBufferPointer<UInt8>?) {
            var id = ids[key]
            if id == nil {
                let isWord = SearchTokenizer.isWord(key)
                let text = word.map { String(decoding: $0, as: UTF8.self) } ?? SearchTokenizer.text(ofSyllabic: key)
                let s = Int(SearchTokenizer.fnv1a32(SearchTokenizer.shardKey(text, isWord: isWord)) % UInt32(shards))
                if s % parts != part {
                    ids[key] = -1
                    return
                }
                id = Int32(texts.count)
                ids[key] = id!
                texts.append(text)
                shardOf.append(Int32(s))
                postings.addToken()
                counts.append(0)
            }
            let i = Int(id!)
            if i < 0 { return }
            let c = counts[i]
            if c == 0 { touched.append(Int32(i)) }
            if shift < 31 && c >> shift & 7 < UInt32(SearchIndex.countLimit) { counts[i] = c + 1 << shift } else if c == 0 { counts[i] = 1 << 31 }
        }

        mutating func endDoc(_ doc: UInt32) {
            for id in touched {
                let i = Int(id)
                let c = counts[i]
                var title = 0, named = 0, body = 0, comments = 0
                for (f, field) in fields.enumerated() {
                    let n = Int(c >> UInt32(f * 3) & 7)
                    switch field {
                    case .title: title += n
                    case .tags, .author: named += n
                    case .body: body += n
                    case .comments: comments += n
                    }
                }
                postings.append(i, doc: doc, weight: SearchIndex.weight(title: title, named: named, body: body, comments: comments))
                counts[i] = 0
            }
        }

        func files() -> [(path: String, bytes: [UInt8])] {
            var byShard: [[Int]] = Array(repeating: [], count: (shards - part + parts - 1) / parts)
            for (id, s) in shardOf.enumerated() { byShard[Int(s) / parts].append(id) }
            var files: [(path: String, bytes: [UInt8])] = []
            for (n, ids) in byShard.enumerated() {
                let tokens = ids.sorted { BuildManifest.byBytes(texts[$0], texts[$1]) }
                var head: [UInt8] = [1]
                var blocks: [UInt8] = []
                blocks.reserveCapacity(tokens.reduce(0) { $0 + Int(postings.count[$1]) } * 2)
                SearchIndex.varint(tokens.count, into: &head)
                for id in tokens {
                    let start = blocks.count
                    var previous: UInt32 = 0
                    postings.forEach(id) { doc, weight in
                        SearchIndex.varint(Int(doc - previous), into: &blocks)
                        blocks.append(weight)
                        previous = doc
                    }
                    SearchIndex.varint(texts[id].utf8.count, into: &head)
                    head += texts[id].utf8
                    SearchIndex.varint(Int(postings.count[id]), into: &head)
                    SearchIndex.varint(blocks.count - start, into: &head)
                }
                files.append(("search/s/\(n * parts + part).bin", head + blocks))
            }
            return files
        }
    }

    /// The postings of every token, appended in blocks of 8 taken from one pool and chained: an
    /// append writes into flat arrays instead of growing one array per token.
    struct Postings {
        static let block = 8
        private var docs: [UInt32] = []
        private var weights: [UInt8] = []
        /// For each block, the next of its token's (-1: none).
        private var next: [Int32] = []
        private var head: [Int32] = []
        private var tail: [Int32] = []
        private(set) var count: [Int32] = []

        mutating func addToken() {
            head.append(-1)
            tail.append(-1)
            count.append(0)
        }

        mutating func append(_ token: Int, doc: UInt32, weight: UInt8) {
            let n = Int(count[token])
            if n % Self.block == 0 {
                let b = Int32(next.count)
                next.append(-1)
                docs.append(contentsOf: repeatElement(0, count: Self.block))
                weights.append(contentsOf: repeatElement(0, count: Self.block))
                if n == 0 { head[token] = b } else { next[Int(tail[token])] = b }
                tail[token] = b
            }
            let at = Int(tail[token]) * Self.block + n % Self.block
            docs[at] = doc
            weights[at] = weight
            count[token] += 1
        }

        func forEach(_ token: Int, _ body: (UInt32, UInt8) -> Void) {
            var b = Int(head[token])
            var left = Int(count[token])
            while b >= 0 && left > 0 {
                for k in 0..<min(left, Self.block) { body(docs[b * Self.block + k], weights[b * Self.block + k]) }
                left -= Self.block
                b = Int(next[b])
            }
        }
    }

    /// Token ids by key: open addressing with multiplicative hashing, much faster than a
    /// dictionary for the millions of lookups an index makes. Keys are never 0.
    struct KeyTable {
        private var keys = [UInt64](repeating: 0, count: 1 << 12)
        private var values = [Int32](repeating: 0, count: 1 << 12)
        private var count = 0

        private func slot(_ key: UInt64) -> Int {
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & (keys.count - 1)
            while keys[i] != 0 && keys[i] != key { i = (i + 1) & (keys.count - 1) }
            return i
        }

        subscript(key: UInt64) -> Int32? {
            get {
                let i = slot(key)
                return keys[i] == 0 ? nil : values[i]
            }
            set {
                let i = slot(key)
                if keys[i] == 0 {
                    keys[i] = key
                    count += 1
                }
                values[i] = newValue!
                if count * 2 > keys.count { grow() }
            }
        }

        private mutating func grow() {
            let (oldKeys, oldValues) = (keys, values)
            keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
            values = [Int32](repeating: 0, count: oldKeys.count * 2)
            for (key, value) in zip(oldKeys, oldValues) where key != 0 {
                let i = slot(key)
                keys[i] = key
                values[i] = value
            }
        }
    }

    /// How much a post holds a token, 1...255: a title that holds it beats any body that does
    /// (100), a tag or the author comes next (50), and the text of the body and comments adds at
    /// most 69, saturating (90·x / (x + 6) of x = 3 per time in the body + 1 per comment, each
    /// field counted up to 5 times), so that a long thread that repeats a word does not outrank
    /// the post it is about. The page's script multiplies it by the token's rarity.
    static func weight(_ count: [SearchField: Int]) -> UInt8 {
        weight(
            title: count[.title, default: 0], named: count[.tags, default: 0] + count[.author, default: 0], body: count[.body, default: 0],
            comments: count[.comments, default: 0])
    }

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

    func docFiles(_ docs: [PostRef]) -> [(path: String, bytes: [UInt8])] {
        let clock = SiteClock(timeZone: site.config.timeZone)
        let chunks = (docs.count + Self.chunk - 1) / Self.chunk
        return parallelMap(count: chunks, jobs: jobs, chunk: 8) { k in
            var out = "["
            for d in (k * Self.chunk)..<min(docs.count, (k + 1) * Self.chunk) {
                let ref = docs[d]
                let board = site.boards[ref.board]
                let post = self.post(ref)
                let t = clock.local(post.date)
                func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
                let date = "\(t.year)-\(two(t.month))-\(two(t.day)) \(two(t.hour)):\(two(t.minute))"
                if d > k * Self.chunk { out += ",\n" }
                out += "[" + Escape.json(URLSafety.encodePath(board.slug + "/" + post.id + "/")) + "," + Escape.json(post.title) + ",\(ref.board),"
                out += Escape.json(post.author) + "," + Escape.json(date) + ",\(t.year * 10000 + t.month * 100 + t.day),\(post.commentCount),"
                out += Escape.json(Self.excerpt(post.body)) + "]"
            }
            out += "]\n"
            return ("search/d/\(k).json", Array(out.utf8))
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

    /// Unicode's white space beyond ASCII (checked without looking up the scalar's properties).
    static func isSpace(_ v: UInt32) -> Bool {
        v == 0x85 || v == 0xA0 || v == 0x1680 || (0x2000...0x200A).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// The start of a Markdown body as plain text: the marks of headings, quotes, lists, code
    /// fences, emphasis and code dropped, links and images as their text, white space folded.
    /// Other punctuation stays (`20~30분`, `word[2]`, `snake_case`).
    static func excerpt(_ markdown: String) -> String {
        var out: [Unicode.Scalar] = []
        var pendingSpace = false
        func append(_ s: Unicode.Scalar) {
            if s.value < 0x80 ? s.value <= 0x20 : Self.isSpace(s.value) {
                pendingSpace = !out.isEmpty
                return
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(s)
        }
        var inFence = false
        // Only the body's start is read: a few lines hold the excerpt.
        var head: [Unicode.Scalar] = []
        head.reserveCapacity(excerptLength * 3)
        for s in markdown.unicodeScalars {
            if head.count == excerptLength * 3 { break }
            head.append(s)
        }
        var lineStart = 0
        while lineStart < head.count && out.count < excerptLength {
            let lineEnd = head[lineStart...].firstIndex(of: "\n") ?? head.count
            var from = lineStart
            lineStart = lineEnd + 1
            while from < lineEnd && (head[from] == " " || head[from] == "\t") { from += 1 }
            func starts(_ prefix: String) -> Bool { head[from..<lineEnd].starts(with: prefix.unicodeScalars) }
            if starts("```") || starts("~~~") {
                inFence.toggle()
                pendingSpace = !out.isEmpty
                continue
            }
            if !inFence {
                // Block marks at the line's start.
                while from < lineEnd && (head[from] == "#" || head[from] == ">") {
                    from += 1
                    while from < lineEnd && head[from] == " " { from += 1 }
                }
                if starts("- ") || starts("* ") || starts("+ ") { from += 2 }
            }
            let scalars = head[from..<lineEnd]
            var i = from
            while i < lineEnd && out.count < excerptLength {
                let s = scalars[i]
                if !inFence {
                    if s == "`" || s == "*" || (s == "~" && i + 1 < lineEnd && scalars[i + 1] == "~") || (s == "~" && i > from && scalars[i - 1] == "~") {
                        i += 1
                        continue
                    }
                    // `[text](address)` and `![alt](address)`: the text only.
                    if s == "!" && i + 1 < lineEnd && scalars[i + 1] == "[" {
                        i += 1
                        continue
                    }
                    if s == "[", let close = scalars[(i + 1)...].firstIndex(of: "]"), close + 1 < lineEnd, scalars[close + 1] == "(" {
                        for t in scalars[(i + 1)..<close] where t != "*" && t != "`" { append(t) }
                        // Past the address, its own parentheses included.
                        var depth = 0
                        var j = close + 1
                        while j < lineEnd {
                            if scalars[j] == "(" { depth += 1 } else if scalars[j] == ")" {
                                depth -= 1
                                if depth == 0 { break }
                            }
                            j += 1
                        }
                        i = j + 1
                        continue
                    }
                }
                append(s)
                i += 1
            }
            pendingSpace = !out.isEmpty
        }
        return String(String.UnicodeScalarView(out.prefix(excerptLength)))
    }
}
