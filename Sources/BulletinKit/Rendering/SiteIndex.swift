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
    /// Tag slug of each post's tags, by board and post, in the post's order.
    public var postTagSlugs: [[[Int]]]

    public init(site: Site) {
        let clock = SiteClock(timeZone: site.config.timeZone)
        let boards = site.boards
        func post(_ r: PostRef) -> Post { boards[r.board].posts[r.post] }
        func tieBreak(_ a: PostRef, _ b: PostRef) -> Bool {
            let pa = post(a), pb = post(b)
            if a.board != b.board { return boards[a.board].slug < boards[b.board].slug }
            return SiteIndex.idPrecedes(pb.id, pa.id)
        }
        func byDate(_ a: PostRef, _ b: PostRef) -> Bool {
            let pa = post(a), pb = post(b)
            if pa.date != pb.date { return pa.date > pb.date }
            return tieBreak(a, b)
        }
        func byActivity(_ a: PostRef, _ b: PostRef) -> Bool {
            let pa = post(a), pb = post(b)
            if pa.updated != pb.updated { return pa.updated > pb.updated }
            return byDate(a, b)
        }

        var boardIndexes: [BoardIndex] = []
        var all: [PostRef] = []
        var listingPage: [[Int]] = []
        for (b, board) in boards.enumerated() {
            let refs = board.posts.indices.map { PostRef(board: b, post: $0) }
            all += refs
            let order = board.sort == .activity ? byActivity : byDate
            let sorted = refs.sorted(by: order)
            let listing = sorted.filter { post($0).notice } + sorted.filter { !post($0).notice }
            let best = sorted.filter { post($0).recommends >= site.config.bestThreshold }
            let chronological = refs.sorted { byDate($1, $0) }
            boardIndexes.append(BoardIndex(listing: listing, best: best, chronological: chronological))
            var pages = Array(repeating: 1, count: board.posts.count)
            let pagination = Pagination(total: listing.count, perPage: board.perPage)
            for (row, ref) in listing.enumerated() { pages[ref.post] = pagination.page(ofRow: row) }
            listingPage.append(pages)
        }
        self.boards = boardIndexes
        self.listingPage = listingPage
        self.newest = all.sorted(by: byDate)
        self.days = boards.map { board in
            board.posts.map { p in
                let local = clock.local(p.date)
                return Day(year: local.year, month: local.month, day: local.day)
            }
        }

        // Tags: one page per case-folded NFC form (posts' text is NFC already).
        var groups: [String: (spellings: [String: Int], posts: [PostRef])] = [:]
        for ref in newest {
            for tag in post(ref).tags {
                let key = tag.lowercased()
                groups[key, default: ([:], [])].spellings[tag, default: 0] += 1
                if groups[key]!.posts.last != ref { groups[key]!.posts.append(ref) }
            }
        }
        var tags: [Tag] = []
        var usedSlugs = Set<String>()
        for key in groups.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let group = groups[key]!
            let name = group.spellings.max { a, b in a.value != b.value ? a.value < b.value : a.key.utf8.lexicographicallyPrecedes(b.key.utf8) == false }!.key
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
        for (i, key) in groups.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() { tagNumber[key] = i }
        self.postTagSlugs = boards.map { board in board.posts.map { p in p.tags.map { tagNumber[$0.lowercased()]! } } }
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
        return a.utf8.lexicographicallyPrecedes(b.utf8)
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
