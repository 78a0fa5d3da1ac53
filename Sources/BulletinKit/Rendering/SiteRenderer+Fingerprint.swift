extension SiteRenderer {
    /// Numbers that identify the content of each post across builds, by board and post.
    public struct Revisions: Sendable {
        /// Changes whenever the post's file or comment file changes.
        public var posts: [[Int]]
        /// Changes only when a listing row of the post, or a link to it from its neighbours, changes.
        public var rows: [[Int]]

        public init(posts: [[Int]], rows: [[Int]]) {
            self.posts = posts
            self.rows = rows
        }
    }

    /// A hash of what a page shows that can change while the settings, the boards and the theme
    /// stay the same: the posts it lists or shows, their order, counts and page numbers.
    /// Two renderers of the same settings, boards and theme give the same fingerprint for a page
    /// exactly when the page's context is the same, provided `revisions` identify the content of
    /// each post across the two.
    ///
    /// It mirrors `context(_:extra:)`: a value that reaches a context must reach the hash here.
    /// Links from a post to other posts are not included; see ``Rendered/linkTargets``.
    public func fingerprint(_ page: PageSpec, revisions: Revisions) -> Int {
        var hasher = StableHasher()
        // Not the page itself: its board, post and tag numbers shift as posts come and go.
        hasher.combine(page.template)
        hasher.combine(page.number)
        func combineRows(_ refs: [PostRef], page n: Int, perPage: Int) {
            // The total and the page count reach the listing and its pager; the rows their posts.
            hasher.combine(refs.count)
            for ref in refs[Pagination(total: refs.count, perPage: perPage).rows(ofPage: n)] { hasher.combine(revisions.rows[ref.board][ref.post]) }
        }
        switch page {
        case .home:
            for (b, board) in site.boards.enumerated() {
                hasher.combine(board.posts.count)
                for ref in index.boards[b].listing.lazy.filter({ !board.posts[$0.post].notice }).prefix(10) {
                    hasher.combine(revisions.rows[ref.board][ref.post])
                }
            }
        case .board(let b, let n):
            combineRows(index.boards[b].listing, page: n, perPage: site.boards[b].perPage)
        case .best(let b, let n):
            combineRows(index.boards[b].best, page: n, perPage: site.boards[b].perPage)
        case .post(let ref), .postComments(let ref, _):
            hasher.combine(revisions.posts[ref.board][ref.post])
            let chronological = index.boards[ref.board].chronological
            let position = index.chronologicalPosition[ref.board][ref.post]
            for i in [position - 1, position + 1] {
                hasher.combine(chronological.indices.contains(i) ? revisions.rows[ref.board][chronological[i].post] : -1)
            }
            hasher.combine(index.listingPage[ref.board][ref.post])
            for t in index.postTagSlugs[ref.board][ref.post] {
                hasher.combine(index.tags[t].name)
                hasher.combine(index.tags[t].slug)
            }
        case .tags:
            for tag in index.tags {
                hasher.combine(tag.name)
                hasher.combine(tag.slug)
                hasher.combine(tag.posts.count)
            }
        case .tag(let t, let n):
            hasher.combine(index.tags[t].name)
            hasher.combine(index.tags[t].slug)
            combineRows(index.tags[t].posts, page: n, perPage: site.config.perPage)
        case .archive:
            for year in archive.years {
                hasher.combine(year.year)
                hasher.combine(year.posts.count)
                for month in year.months {
                    hasher.combine(month.month)
                    hasher.combine(month.posts.count)
                }
            }
        case .archiveYear(let y, let n):
            let year = archive.years.first { $0.year == y }!
            for month in year.months {
                hasher.combine(month.month)
                hasher.combine(month.posts.count)
            }
            combineRows(year.posts, page: n, perPage: site.config.perPage)
        case .archiveMonth(let y, let m, let n):
            let month = archive.years.first { $0.year == y }!.months.first { $0.month == m }!
            for day in month.days {
                hasher.combine(day.day)
                hasher.combine(day.posts.count)
            }
            combineRows(month.posts, page: n, perPage: site.config.perPage)
        case .archiveDay(let y, let m, let d, let n):
            let day = archive.years.first { $0.year == y }!.months.first { $0.month == m }!.days.first { $0.day == d }!
            combineRows(day.posts, page: n, perPage: site.config.perPage)
        case .notFound, .search:
            break
        }
        return hasher.finalize()
    }
}
