/// A post's place in `Site.boards`.
public struct PostRef: Sendable, Hashable {
    public var board: Int
    public var post: Int
}

/// The orders, listings and indexes of a site, computed once from the loaded model.
public struct SiteIndex: Sendable {
    public struct BoardIndex: Sendable {
        /// Listing order: notices first, then by the board's sort.
        public var listing: [PostRef]
        /// Posts with enough recommends, in the board's sort.
        public var best: [PostRef]
        /// By posting time, oldest first, for previous and next links.
        public var chronological: [PostRef]
    }

    public struct Tag: Sendable {
        /// The spelling shown: the most used one, ties to the smallest.
        public var name: String
        /// The folder below `tags/`, one path segment.
        public var slug: String
        /// Newest first.
        public var posts: [PostRef]
    }

    public struct Day: Sendable, Hashable, Comparable {
        public var year: Int
        public var month: Int
        public var day: Int
        public static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
    }

    public var boards: [BoardIndex]
    /// Sorted by name.
    public var tags: [Tag]
    /// Every post, newest first.
    public var newest: [PostRef]
    /// The local posting day of every post, by board and post.
    public var days: [[Day]]
    /// Listing page number of each post, by board and post.
    public var listingPage: [[Int]]
    /// Position of each post in its board's `chronological`, by board and post.
    public var chronologicalPosition: [[Int]]
    /// Tag slug of each post's tags, by board and post, in the post's order.
    public var postTagSlugs: [[[Int]]]

    public init(site: Site) {
        let clock = SiteClock(timeZone: site.config.timeZone)
        let boards = site.boards
        // The orders compare these keys rather than posts: copying a post for each comparison
        // costs more than the comparison.
        struct Key {
            var date: Timestamp
            var updated: Timestamp
            /// Rank of the board's slug, then of the id within the board (numbers as numbers).
            var boardRank: Int
            var idRank: Int
        }
        let slugRank = Dictionary(uniqueKeysWithValues: boards.indices.sorted { boards[$0].slug < boards[$1].slug }.enumerated().map { ($1, $0) })
        let keys: [[Key]] = boards.enumerated().map { b, board in
            let ids = board.posts.map(\.id)
            var idRank = Array(repeating: 0, count: ids.count)
            for (rank, p) in ids.indices.sorted(by: { SiteIndex.idPrecedes(ids[$0], ids[$1]) }).enumerated() { idRank[p] = rank }
            return board.posts.indices.map { p in
                Key(date: board.posts[p].date, updated: board.posts[p].updated, boardRank: slugRank[b]!, idRank: idRank[p])
            }
        }
        func tieBreak(_ a: PostRef, _ b: PostRef) -> Bool {
            let ka = keys[a.board][a.post], kb = keys[b.board][b.post]
            if ka.boardRank != kb.boardRank { return ka.boardRank < kb.boardRank }
            return kb.idRank < ka.idRank
        }
        func byDate(_ a: PostRef, _ b: PostRef) -> Bool {
            let da = keys[a.board][a.post].date, db = keys[b.board][b.post].date
            if da != db { return da > db }
            return tieBreak(a, b)
        }
        func byActivity(_ a: PostRef, _ b: PostRef) -> Bool {
            let ua = keys[a.board][a.post].updated, ub = keys[b.board][b.post].updated
            if ua != ub { return ua > ub }
            return byDate(a, b)
        }

        var boardIndexes: [BoardIndex] = []
        var all: [PostRef] = []
        var listingPage: [[Int]] = []
        var chronologicalPosition: [[Int]] = []
        for (b, board) in boards.enumerated() {
            let refs = board.posts.indices.map { PostRef(board: b, post: $0) }
            all += refs
            let order = board.sort == .activity ? byActivity : byDate
            let sorted = refs.sorted(by: order)
            let listing = sorted.filter { board.posts[$0.post].notice } + sorted.filter { !board.posts[$0.post].notice }
            let best = sorted.filter { board.posts[$0.post].recommends >= site.config.bestThreshold }
            let chronological = refs.sorted { byDate($1, $0) }
            boardIndexes.append(BoardIndex(listing: listing, best: best, chronological: chronological))
            var pages = Array(repeating: 1, count: board.posts.count)
            let pagination = Pagination(total: listing.count, perPage: board.perPage)
            for (row, ref) in listing.enumerated() { pages[ref.post] = pagination.page(ofRow: row) }
            listingPage.append(pages)
            var positions = Array(repeating: 0, count: board.posts.count)
            for (i, ref) in chronological.enumerated() { positions[ref.post] = i }
            chronologicalPosition.append(positions)
        }
        self.boards = boardIndexes
        self.listingPage = listingPage
        self.chronologicalPosition = chronologicalPosition
        self.newest = all.sorted(by: byDate)
        self.days = boards.map { board in
            board.posts.indices.map { p in
                let local = clock.local(board.posts[p].date)
                return Day(year: local.year, month: local.month, day: local.day)
            }
        }

        // Tags: one page per case-folded NFC form (posts' text is NFC already).
        var groups: [String: (spellings: [String: Int], posts: [PostRef])] = [:]
        for ref in newest {
            for tag in boards[ref.board].posts[ref.post].tags {
                let key = tag.lowercased()
                groups[key, default: ([:], [])].spellings[tag, default: 0] += 1
                if groups[key]!.posts.last != ref { groups[key]!.posts.append(ref) }
            }
        }
        var tags: [Tag] = []
        var usedSlugs = Set<String>()
        for key in groups.keys.sorted(by: { $0.precedesByBytes($1) }) {
            let group = groups[key]!
            let name = group.spellings.max { a, b in a.value != b.value ? a.value < b.value : a.key.precedesByBytes(b.key) == false }!.key
            var slug = SiteIndex.tagSlug(key)
            if usedSlugs.contains(slug) {
                var n = 2
                while usedSlugs.contains(slug + "-" + String(n)) { n += 1 }
                slug += "-" + String(n)
            }
            usedSlugs.insert(slug)
            tags.append(Tag(name: name, slug: slug, posts: group.posts))
        }
        self.tags = tags
        var tagNumber: [String: Int] = [:]
        for (i, key) in groups.keys.sorted(by: { $0.precedesByBytes($1) }).enumerated() { tagNumber[key] = i }
        self.postTagSlugs = boards.map { board in board.posts.indices.map { p in board.posts[p].tags.map { tagNumber[$0.lowercased()]! } } }
    }

    /// Numbers compare as numbers and come before other ids, which compare by their bytes.
    public static func idPrecedes(_ a: String, _ b: String) -> Bool {
        let aDigits = a.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        let bDigits = b.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        if aDigits != bDigits { return aDigits }
        if aDigits && bDigits {
            let a2 = a.drop { $0 == "0" }, b2 = b.drop { $0 == "0" }
            if a2.utf8.count != b2.utf8.count { return a2.utf8.count < b2.utf8.count }
            if a2 != b2 { return a2.utf8.lexicographicallyPrecedes(b2.utf8) }
        }
        return a.precedesByBytes(b)
    }

    /// A tag's folder name: its case-folded text with path separators, controls and characters that
    /// static hosts mishandle replaced by `-`, at most 120 bytes; never empty, `.` or `..`.
    public static func tagSlug(_ folded: String) -> String {
        var out = ""
        var lastDash = false
        for scalar in folded.unicodeScalars {
            let bad = scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.isWhitespace
                || "/\\?#%\"'<>|*:&+`{}[]^".unicodeScalars.contains(scalar)
            if bad {
                if !lastDash && !out.isEmpty { out += "-" }
                lastDash = true
            } else {
                if out.utf8.count + String(scalar).utf8.count > 120 { break }
                out.unicodeScalars.append(scalar)
                lastDash = false
            }
        }
        while out.hasSuffix("-") || out.hasSuffix(".") { out.removeLast() }
        while out.hasPrefix(".") { out.removeFirst() }
        return out.isEmpty ? "tag" : out
    }
}
