import Foundation

/// Describes every page of a site and renders each through the theme's templates.
public struct SiteRenderer: Sendable {
    public let site: Site
    public let index: SiteIndex
    public let archive: Archive
    let engine: any TemplateEngine
    let display: DateDisplay
    /// Absolute-path prefix of every href (`/` or `/mirror/`).
    let base: String
    /// Row context of every post, by board and post.
    let rows: [[TemplateObject]]
    /// The `site` context, by current board (the last one for no board).
    let siteContexts: [TemplateValue]
    /// Post URL by content path (`free/2024/812301.md`), to turn links between posts into post URLs.
    let postURLs: [String: String]
    /// Threads longer than one page, ordered once for all their pages.
    let longThreads: [PostRef: Thread]
    /// Where `Content/` is on disk, to check attachments, and its real path.
    let contentRoot: String
    let realContentRoot: String

    /// - Parameter jobs: threads to make the listing rows with.
    public init(site: Site, engine: any TemplateEngine, contentRoot: String, jobs: Int = ProcessInfoCores.count) {
        self.init(site: site, engine: engine, contentRoot: contentRoot, rows: nil, threads: nil, index: nil, archive: nil, postURLs: nil, jobs: jobs)
    }

    /// - Parameters:
    ///   - rows: each post's listing row (`row(_:board:base:display:)`) when known, by board and
    ///     post; nil entries are made here.
    ///   - threads: the display order of threads longer than a page, when known, by post.
    ///   - index, archive, postURLs: those of a renderer of a site whose posts differ from this
    ///     one's in nothing they are made of, when there is one.
    init(
        site: Site, engine: any TemplateEngine, contentRoot: String, rows: [[TemplateObject?]]?, threads: [PostRef: Thread]?, index: SiteIndex?,
        archive: Archive?, postURLs: [String: String]?, jobs: Int = ProcessInfoCores.count
    ) {
        self.site = site
        self.engine = engine
        self.contentRoot = contentRoot
        self.realContentRoot = SiteLoader.realPath(contentRoot) ?? contentRoot
        let index = index ?? SiteIndex(site: site)
        self.index = index
        self.archive = archive ?? Archive(index: index)
        let display = DateDisplay(clock: SiteClock(timeZone: site.config.timeZone))
        self.display = display
        let base = site.config.basePath
        self.base = base
        if let postURLs {
            self.postURLs = postURLs
        } else {
            var urls: [String: String] = [:]
            urls.reserveCapacity(site.postCount)
            for board in site.boards {
                for p in board.posts.indices { urls[board.posts[p].contentPath] = base + board.slug + "/" + board.posts[p].id + "/" }
            }
            self.postURLs = urls
        }
        var longThreads: [PostRef: Thread] = [:]
        for (b, board) in site.boards.enumerated() {
            for p in board.posts.indices where board.posts[p].comments.count > site.config.commentsPerPage {
                let ref = PostRef(board: b, post: p)
                longThreads[ref] = threads?[ref] ?? Thread(board.posts[p].comments)
            }
        }
        self.longThreads = longThreads
        // A site that let go of its posts' content is big: its rows are made when a listing needs them.
        self.rows = site.contentDropped ? [] : site.boards.enumerated().map { b, board in
            parallelMap(count: board.posts.count, jobs: jobs) { p in
                rows?[b][p] ?? Self.row(board.posts[p], board: board, base: base, display: display)
            }
        }
        let config = site.config
        var contexts: [TemplateValue] = []
        for current in 0...site.boards.count {
            let boards: [TemplateValue] = site.boards.enumerated().map { b, board in
                .object([
                    "slug": .string(board.slug), "title": .string(board.title), "description": .string(board.description),
                    "url": .string(base + board.slug + "/"), "best_url": .string(base + board.slug + "/best/"),
                    "feed_url": .string(base + board.slug + "/feed.xml"), "current": .bool(b == current),
                ])
            }
            contexts.append(
                .object([
                    "title": .string(config.title), "description": .string(config.description), "language": .string(config.language),
                    "base": .string(base), "base_url": .string(config.baseURL), "home_url": .string(base),
                    "tags_url": .string(base + "tags/"), "archive_url": .string(base + "archive/"),
                    "feed_url": .string(base + "feed.xml"), "boards": .list(boards),
                ]))
        }
        self.siteContexts = contexts
    }

    /// A post's row in listings, made once in `init` unless the site is big.
    func row(_ ref: PostRef) -> TemplateObject {
        if !rows.isEmpty { return rows[ref.board][ref.post] }
        let board = site.boards[ref.board]
        return Self.row(board.posts[ref.post], board: board, base: base, display: display)
    }

    /// A post's row in listings.
    static func row(_ post: Post, board: Board, base: String, display: DateDisplay) -> TemplateObject {
        [
            "url": .string(base + board.slug + "/" + post.id + "/"), "id": .string(post.id), "title": .string(post.title),
            "author": .string(post.author), "comment_count": .int(post.commentCount), "has_comments": .bool(post.commentCount > 0),
            "date": .string(display.shortDate(post.date)), "date_iso": .string(display.iso(post.date)),
            "activity": .string(display.dateTime(post.updated)), "activity_iso": .string(display.iso(post.updated)),
            "views": .int(post.views), "recommends": .int(post.recommends), "has_recommends": .bool(post.recommends > 0),
            "notice": .bool(post.notice), "deleted": .bool(post.deleted),
            "board_title": .string(board.title), "board_url": .string(base + board.slug + "/"),
        ]
    }

    // MARK: The pages

    /// Every page, in a stable order.
    public func pages() -> [PageSpec] {
        var pages: [PageSpec] = [.home]
        for (b, board) in site.boards.enumerated() {
            let listing = index.boards[b]
            for n in 1...Pagination(total: listing.listing.count, perPage: board.perPage).pageCount { pages.append(.board(b, page: n)) }
            for n in 1...Pagination(total: listing.best.count, perPage: board.perPage).pageCount { pages.append(.best(b, page: n)) }
            for p in board.posts.indices {
                let ref = PostRef(board: b, post: p)
                pages.append(.post(ref))
                let commentPages = Pagination(total: board.posts[p].loadedCommentCount, perPage: site.config.commentsPerPage).pageCount
                if commentPages > 1 { for n in 2...commentPages { pages.append(.postComments(ref, page: n)) } }
            }
        }
        pages.append(.tags)
        for (t, tag) in index.tags.enumerated() {
            for n in 1...pageCount(tag.posts.count) { pages.append(.tag(t, page: n)) }
        }
        pages.append(.archive)
        for year in archive.years {
            for n in 1...pageCount(year.posts.count) { pages.append(.archiveYear(year.year, page: n)) }
            for month in year.months {
                for n in 1...pageCount(month.posts.count) { pages.append(.archiveMonth(year.year, month.month, page: n)) }
                for day in month.days {
                    for n in 1...pageCount(day.posts.count) { pages.append(.archiveDay(year.year, month.month, day.day, page: n)) }
                }
            }
        }
        pages.append(.notFound)
        return pages
    }

    private func pageCount(_ rows: Int) -> Int { Pagination(total: rows, perPage: site.config.perPage).pageCount }

    /// The page's file, relative to the output folder.
    public func outputPath(_ page: PageSpec) -> String {
        page == .notFound ? "404.html" : folder(page) + "index.html"
    }

    /// The page's folder relative to the site root (`""` for the home page).
    public func folder(_ page: PageSpec) -> String {
        switch page {
        case .home: ""
        case .board(let b, let n): Pagination.folder(site.boards[b].slug + "/", page: n)
        case .best(let b, let n): Pagination.folder(site.boards[b].slug + "/best/", page: n)
        case .post(let r): site.boards[r.board].slug + "/" + site.boards[r.board].posts[r.post].id + "/"
        case .postComments(let r, let n):
            Pagination.folder(site.boards[r.board].slug + "/" + site.boards[r.board].posts[r.post].id + "/", page: n)
        case .tags: "tags/"
        case .tag(let t, let n): Pagination.folder("tags/" + index.tags[t].slug + "/", page: n)
        case .archive: "archive/"
        case .archiveYear(let y, let n): Pagination.folder(Archive.folder(year: y), page: n)
        case .archiveMonth(let y, let m, let n): Pagination.folder(Archive.folder(year: y, month: m), page: n)
        case .archiveDay(let y, let m, let d, let n): Pagination.folder(Archive.folder(year: y, month: m, day: d), page: n)
        case .notFound: ""
        }
    }

    /// The href of a folder relative to the site root.
    func href(_ folder: String) -> String { base + URLSafety.encodePath(folder) }

    /// The absolute URL of a folder when `base_url` is absolute, else its href.
    func absolute(_ folder: String) -> String {
        site.config.hasAbsoluteBaseURL ? site.config.baseURL + URLSafety.encodePath(folder) : href(folder)
    }

    /// A rendered page: its HTML and what it found on the way.
    public struct Rendered: Sendable {
        /// The page, UTF-8.
        public var html: [UInt8]
        /// Files below `Content/` the page links to, to copy to `_files/`.
        public var attachments: [String]
        public var diagnostics: [Diagnostic]
        /// Paths below `Content/` the page's links looked up among the posts.
        public var linkTargets: [String] = []
    }

    public func render(_ page: PageSpec) -> Rendered {
        var extra = Rendered(html: [], attachments: [], diagnostics: [])
        let context = self.context(page, extra: &extra)
        extra.html = engine.renderBytes(page.template, context: context)
        return extra
    }

    // MARK: Contexts

    func context(_ page: PageSpec, extra: inout Rendered) -> TemplateObject {
        var context: TemplateObject
        var title: String
        var currentBoard: Int?
        var feed = base + "feed.xml"
        switch page {
        case .home:
            title = site.config.title
            context = homeContext()
        case .board(let b, let n), .best(let b, let n):
            let board = site.boards[b]
            let isBest = if case .best = page { true } else { false }
            currentBoard = b
            feed = base + board.slug + "/feed.xml"
            let refs = isBest ? index.boards[b].best : index.boards[b].listing
            title = isBest ? board.title + " 추천글" : board.title
            var listing = listingContext(
                refs, page: n, perPage: board.perPage, folder: board.slug + (isBest ? "/best/" : "/"), title: title,
                description: board.description, showBoard: false)
            listing["board"] = boardContext(b)
            listing["tab_all"] = .bool(!isBest)
            listing["tab_best"] = .bool(isBest)
            context = ["listing": .object(listing)]
            if n > 1 { title += " (\(n)쪽)" }
        case .post(let ref), .postComments(let ref, _):
            let commentPage = if case .postComments(_, let n) = page { n } else { 1 }
            currentBoard = ref.board
            feed = base + site.boards[ref.board].slug + "/feed.xml"
            let post = site.boards[ref.board].posts[ref.post]
            title = commentPage == 1 ? post.title : post.title + " (댓글 \(commentPage)쪽)"
            context = postContext(ref, commentPage: commentPage, extra: &extra)
        case .tags:
            title = "태그"
            let tags: [TemplateValue] = index.tags.map { tag in
                .object(["name": .string(tag.name), "url": .string(href("tags/" + tag.slug + "/")), "count": .int(tag.posts.count)])
            }
            context = ["tags": .list(tags), "tag_count": .int(tags.count)]
        case .tag(let t, let n):
            let tag = index.tags[t]
            title = "#" + tag.name
            let folder = "tags/" + tag.slug + "/"
            context = [
                "tag": .object(["name": .string(tag.name), "url": .string(href(folder))]),
                "listing": .object(
                    listingContext(tag.posts, page: n, perPage: site.config.perPage, folder: folder, title: title, description: "", showBoard: true)),
            ]
            if n > 1 { title += " (\(n)쪽)" }
        case .archive:
            title = "보관함"
            context = ["years": .list(archive.years.map(yearContext))]
        case .archiveYear(let y, let n):
            let year = archive.years.first { $0.year == y }!
            title = "\(y)년"
            let children: [TemplateValue] = year.months.map {
                .object(["label": .string("\($0.month)월"), "url": .string(href(Archive.folder(year: y, month: $0.month))), "count": .int($0.posts.count)])
            }
            context = archivePeriod(
                label: title, level: "year", parents: [], children: children, posts: year.posts, page: n, folder: Archive.folder(year: y))
            if n > 1 { title += " (\(n)쪽)" }
        case .archiveMonth(let y, let m, let n):
            let month = archive.years.first { $0.year == y }!.months.first { $0.month == m }!
            title = "\(y)년 \(m)월"
            let children: [TemplateValue] = month.days.map {
                .object([
                    "label": .string("\($0.day)일"), "url": .string(href(Archive.folder(year: y, month: m, day: $0.day))),
                    "count": .int($0.posts.count),
                ])
            }
            let parents: [TemplateValue] = [.object(["label": .string("\(y)년"), "url": .string(href(Archive.folder(year: y)))])]
            context = archivePeriod(
                label: title, level: "month", parents: parents, children: children, posts: month.posts, page: n,
                folder: Archive.folder(year: y, month: m))
            if n > 1 { title += " (\(n)쪽)" }
        case .archiveDay(let y, let m, let d, let n):
            let day = archive.years.first { $0.year == y }!.months.first { $0.month == m }!.days.first { $0.day == d }!
            title = "\(y)년 \(m)월 \(d)일"
            let parents: [TemplateValue] = [
                .object(["label": .string("\(y)년"), "url": .string(href(Archive.folder(year: y)))]),
                .object(["label": .string("\(m)월"), "url": .string(href(Archive.folder(year: y, month: m)))]),
            ]
            context = archivePeriod(
                label: title, level: "day", parents: parents, children: [], posts: day.posts, page: n,
                folder: Archive.folder(year: y, month: m, day: d))
            if n > 1 { title += " (\(n)쪽)" }
        case .notFound:
            title = "페이지를 찾을 수 없습니다"
            context = [:]
        }
        let folder = self.folder(page)
        context["site"] = siteContexts[currentBoard ?? site.boards.count]
        context["page"] = .object([
            "kind": .string(page.template), "title": .string(title), "url": .string(page == .notFound ? base + "404.html" : href(folder)),
            "canonical": .string(page == .notFound ? absolute("404.html") : absolute(folder)), "feed_url": .string(feed),
        ])
        return context
    }

    func boardContext(_ b: Int) -> TemplateValue {
        let board = site.boards[b]
        return .object([
            "slug": .string(board.slug), "title": .string(board.title), "url": .string(base + board.slug + "/"),
            "best_url": .string(base + board.slug + "/best/"), "feed_url": .string(base + board.slug + "/feed.xml"),
        ])
    }

    func homeContext() -> TemplateObject {
        let boards: [TemplateValue] = site.boards.enumerated().map { b, board in
            let refs = index.boards[b].listing.lazy.filter { !board.posts[$0.post].notice }.prefix(10)
            return .object([
                "slug": .string(board.slug), "title": .string(board.title), "description": .string(board.description),
                "url": .string(base + board.slug + "/"), "best_url": .string(base + board.slug + "/best/"),
                "post_count": .int(board.posts.count), "rows": .list(refs.map { .object(row($0)) }),
            ])
        }
        return ["boards": .list(boards)]
    }

    func listingContext(
        _ refs: [PostRef], page: Int, perPage: Int, folder: String, title: String, description: String, showBoard: Bool
    ) -> TemplateObject {
        let pagination = Pagination(total: refs.count, perPage: perPage)
        let rows: [TemplateValue] = refs[pagination.rows(ofPage: page)].map { .object(row($0)) }
        return [
            "title": .string(title), "description": .string(description), "total": .int(refs.count), "empty": .bool(refs.isEmpty),
            "show_board": .bool(showBoard), "rows": .list(rows), "pager": pagerContext(pagination, current: page, folder: folder),
        ]
    }

    func pagerContext(_ pagination: Pagination, current: Int, folder: String) -> TemplateValue {
        let total = pagination.pageCount
        func url(_ n: Int) -> TemplateValue { .string(href(Pagination.folder(folder, page: n))) }
        let window = pagination.window(around: current)
        let pages: [TemplateValue] = window.map { n in .object(["number": .int(n), "url": url(n), "current": .bool(n == current)]) }
        return .object([
            "show": .bool(total > 1), "current": .int(current), "total": .int(total),
            "has_prev": .bool(current > 1), "prev_url": url(max(1, current - 1)),
            "has_next": .bool(current < total), "next_url": url(min(total, current + 1)),
            "first_url": url(1), "last_url": url(total),
            "show_first": .bool(window.lowerBound > 1), "show_last": .bool(window.upperBound < total),
            "gap_before": .bool(window.lowerBound > 2), "gap_after": .bool(window.upperBound < total - 1),
            "pages": .list(pages),
        ])
    }

    func yearContext(_ year: Archive.Year) -> TemplateValue {
        let months: [TemplateValue] = year.months.map {
            .object([
                "month": .int($0.month), "label": .string("\($0.month)월"), "url": .string(href(Archive.folder(year: year.year, month: $0.month))),
                "count": .int($0.posts.count),
            ])
        }
        return .object([
            "year": .int(year.year), "url": .string(href(Archive.folder(year: year.year))), "count": .int(year.posts.count),
            "months": .list(months),
        ])
    }

    func archivePeriod(
        label: String, level: String, parents: [TemplateValue], children: [TemplateValue], posts: [PostRef], page: Int, folder: String
    ) -> TemplateObject {
        [
            "archive": .object([
                "label": .string(label), "level": .string(level), "parents": .list(parents), "children": .list(children),
            ]),
            "listing": .object(listingContext(posts, page: page, perPage: site.config.perPage, folder: folder, title: label, description: "", showBoard: true)),
        ]
    }
}
