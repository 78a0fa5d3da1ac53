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
    let rows: [[TemplateContext]]
    /// The `site` context, by current board (the last one for no board).
    let siteContexts: [TemplateContext]
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
        site: Site, engine: any TemplateEngine, contentRoot: String, rows: [[TemplateContext?]]?, threads: [PostRef: Thread]?, index: SiteIndex?,
        archive: Archive?, postURLs: [String: String]?, jobs: Int = ProcessInfoCores.count
    ) {
        self.site = site
        self.engine = engine
        self.contentRoot = contentRoot
        self.realContentRoot = SiteLoader.realPath(contentRoot) ?? contentRoot
        let display = DateDisplay(clock: SiteClock(timeZone: site.config.timeZone))
        self.display = display
        let base = site.config.basePath
        self.base = base
        // The index (sorted on one thread) is made while the rows are (on all).
        let (made, madeRows) = both(
            { index ?? SiteIndex(site: site) },
            { [rows] in
                // A site that let go of its posts' content is big: its rows are made when a listing needs them.
                site.contentDropped ? [] : site.boards.enumerated().map { b, board in
                    parallelMap(count: board.posts.count, jobs: jobs) { p in
                        rows?[b][p] ?? Self.row(board.posts[p], board: board, base: base, display: display)
                    }
                }
            })
        self.index = made
        self.rows = madeRows
        self.archive = archive ?? Archive(index: made)
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
        let config = site.config
        self.siteContexts = (0...site.boards.count).map { current in
            var b = ContextBuilder()
            let root = b.object { o in
                o.set("title", string: config.title)
                o.set("description", string: config.description)
                o.set("language", string: config.language)
                o.set("base", string: base)
                o.set("base_url", string: config.baseURL)
                o.set("home_url", string: base)
                o.set("tags_url", string: base + "tags/")
                o.set("archive_url", string: base + "archive/")
                if config.search != nil { o.set("search_url", string: base + "search/") }
                o.set("feed_url", string: base + "feed.xml")
                o.set(
                    "boards",
                    o.list(of: site.boards.enumerated()) { o, element in
                        let (b, board) = element
                        o.set("slug", string: board.slug)
                        o.set("title", string: board.title)
                        o.set("description", string: board.description)
                        o.set("url", string: base + board.slug + "/")
                        o.set("best_url", string: base + board.slug + "/best/")
                        o.set("feed_url", string: base + board.slug + "/feed.xml")
                        o.set("current", bool: b == current)
                    })
            }
            return b.finish(root: root)
        }
    }

    /// A post's row in listings, made once in `init` unless the site is big.
    func row(_ ref: PostRef) -> TemplateContext {
        if !rows.isEmpty { return rows[ref.board][ref.post] }
        let board = site.boards[ref.board]
        return Self.row(board.posts[ref.post], board: board, base: base, display: display)
    }

    /// A post's row in listings.
    static func row(_ post: Post, board: Board, base: String, display: DateDisplay) -> TemplateContext {
        var b = ContextBuilder(capacity: 320)
        let root = b.object { o in
            o.set("url", string: base + board.slug + "/" + post.id + "/")
            o.set("id", string: post.id)
            o.set("title", string: post.title)
            o.set("author", string: post.author)
            o.set("comment_count", int: post.commentCount)
            o.set("has_comments", bool: post.commentCount > 0)
            o.set("date", writing: { display.shortDate(post.date, into: &$0) })
            o.set("date_iso", writing: { display.iso(post.date, into: &$0) })
            o.set("activity", writing: { display.dateTime(post.updated, into: &$0) })
            o.set("activity_iso", writing: { display.iso(post.updated, into: &$0) })
            o.set("views", int: post.views)
            o.set("recommends", int: post.recommends)
            o.set("has_recommends", bool: post.recommends > 0)
            o.set("notice", bool: post.notice)
            o.set("deleted", bool: post.deleted)
            o.set("board_title", string: board.title)
            o.set("board_url", string: base + board.slug + "/")
        }
        return b.finish(root: root)
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
        if site.config.search != nil && engine.hasTemplate(named: PageSpec.search.template) { pages.append(.search) }
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
        case .search: "search/"
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

    func context(_ page: PageSpec, extra: inout Rendered) -> TemplateContext {
        var b = ContextBuilder(capacity: 8192)
        let root = b.object { o in
            var title: String
            var currentBoard: Int?
            var feed = base + "feed.xml"
            switch page {
            case .home:
                title = site.config.title
                homeContext(&o)
            case .board(let b, let n), .best(let b, let n):
                let board = site.boards[b]
                let isBest = if case .best = page { true } else { false }
                currentBoard = b
                feed = base + board.slug + "/feed.xml"
                let refs = isBest ? index.boards[b].best : index.boards[b].listing
                title = isBest ? board.title + " 추천글" : board.title
                let listingTitle = title
                o.set(
                    "listing",
                    o.object { l in
                        listingContext(
                            &l, refs, page: n, perPage: board.perPage, folder: board.slug + (isBest ? "/best/" : "/"), title: listingTitle,
                            description: board.description, showBoard: false)
                        l.set("board", boardContext(&l, b))
                        l.set("tab_all", bool: !isBest)
                        l.set("tab_best", bool: isBest)
                    })
                if n > 1 { title += " (\(n)쪽)" }
            case .post(let ref), .postComments(let ref, _):
                let commentPage = if case .postComments(_, let n) = page { n } else { 1 }
                currentBoard = ref.board
                feed = base + site.boards[ref.board].slug + "/feed.xml"
                let post = site.boards[ref.board].posts[ref.post]
                title = commentPage == 1 ? post.title : post.title + " (댓글 \(commentPage)쪽)"
                postContext(&o, ref, commentPage: commentPage, extra: &extra)
            case .tags:
                title = "태그"
                o.set(
                    "tags",
                    o.list(of: index.tags) { o, tag in
                        o.set("name", string: tag.name)
                        o.set("url", string: href("tags/" + tag.slug + "/"))
                        o.set("count", int: tag.posts.count)
                    })
                o.set("tag_count", int: index.tags.count)
            case .tag(let t, let n):
                let tag = index.tags[t]
                title = "#" + tag.name
                let folder = "tags/" + tag.slug + "/"
                o.set(
                    "tag",
                    o.object { o in
                        o.set("name", string: tag.name)
                        o.set("url", string: href(folder))
                    })
                let listingTitle = title
                o.set(
                    "listing",
                    o.object { l in
                        listingContext(&l, tag.posts, page: n, perPage: site.config.perPage, folder: folder, title: listingTitle, description: "", showBoard: true)
                    })
                if n > 1 { title += " (\(n)쪽)" }
            case .archive:
                title = "보관함"
                o.set("years", o.list { l in for year in archive.years { l.append(yearContext(&l, year)) } })
            case .archiveYear(let y, let n):
                let year = archive.years.first { $0.year == y }!
                title = "\(y)년"
                archivePeriod(
                    &o, label: title, level: "year", parents: [], children: year.months.map { ("\($0.month)월", Archive.folder(year: y, month: $0.month), $0.posts.count) },
                    posts: year.posts, page: n, folder: Archive.folder(year: y))
                if n > 1 { title += " (\(n)쪽)" }
            case .archiveMonth(let y, let m, let n):
                let month = archive.years.first { $0.year == y }!.months.first { $0.month == m }!
                title = "\(y)년 \(m)월"
                archivePeriod(
                    &o, label: title, level: "month", parents: [("\(y)년", Archive.folder(year: y))],
                    children: month.days.map { ("\($0.day)일", Archive.folder(year: y, month: m, day: $0.day), $0.posts.count) }, posts: month.posts, page: n,
                    folder: Archive.folder(year: y, month: m))
                if n > 1 { title += " (\(n)쪽)" }
            case .archiveDay(let y, let m, let d, let n):
                let day = archive.years.first { $0.year == y }!.months.first { $0.month == m }!.days.first { $0.day == d }!
                title = "\(y)년 \(m)월 \(d)일"
                archivePeriod(
                    &o, label: title, level: "day", parents: [("\(y)년", Archive.folder(year: y)), ("\(m)월", Archive.folder(year: y, month: m))],
                    children: [], posts: day.posts, page: n, folder: Archive.folder(year: y, month: m, day: d))
                if n > 1 { title += " (\(n)쪽)" }
            case .notFound:
                title = "페이지를 찾을 수 없습니다"
            case .search:
                title = "검색"
            }
            let folder = self.folder(page)
            o.set("site", o.include(siteContexts[currentBoard ?? site.boards.count]))
            let pageTitle = title
            let pageFeed = feed
            o.set(
                "page",
                o.object { o in
                    o.set("kind", string: page.template)
                    o.set("title", string: pageTitle)
                    o.set("url", string: page == .notFound ? base + "404.html" : href(folder))
                    o.set("canonical", string: page == .notFound ? absolute("404.html") : absolute(folder))
                    o.set("feed_url", string: pageFeed)
                })
        }
        return b.finish(root: root)
    }

    func boardContext(_ o: inout ContextBuilder, _ b: Int) -> TemplateContext.Value {
        let board = site.boards[b]
        return o.object { o in
            o.set("slug", string: board.slug)
            o.set("title", string: board.title)
            o.set("url", string: base + board.slug + "/")
            o.set("best_url", string: base + board.slug + "/best/")
            o.set("feed_url", string: base + board.slug + "/feed.xml")
        }
    }

    func homeContext(_ o: inout ContextBuilder) {
        o.set(
            "boards",
            o.list(of: site.boards.enumerated()) { o, element in
                let (b, board) = element
                let refs = index.boards[b].listing.lazy.filter { !board.posts[$0.post].notice }.prefix(10)
                o.set("slug", string: board.slug)
                o.set("title", string: board.title)
                o.set("description", string: board.description)
                o.set("url", string: base + board.slug + "/")
                o.set("best_url", string: base + board.slug + "/best/")
                o.set("post_count", int: board.posts.count)
                o.set("rows", o.list { l in for ref in refs { l.append(l.include(row(ref))) } })
            })
    }

    /// Sets the fields of a listing on the object being made.
    func listingContext(
        _ o: inout ContextBuilder, _ refs: [PostRef], page: Int, perPage: Int, folder: String, title: String, description: String, showBoard: Bool
    ) {
        let pagination = Pagination(total: refs.count, perPage: perPage)
        o.set("title", string: title)
        o.set("description", string: description)
        o.set("total", int: refs.count)
        o.set("empty", bool: refs.isEmpty)
        o.set("show_board", bool: showBoard)
        o.set("rows", o.list { l in for ref in refs[pagination.rows(ofPage: page)] { l.append(l.include(row(ref))) } })
        o.set("pager", pagerContext(&o, pagination, current: page, folder: folder))
    }

    func pagerContext(_ o: inout ContextBuilder, _ pagination: Pagination, current: Int, folder: String) -> TemplateContext.Value {
        let total = pagination.pageCount
        func url(_ n: Int) -> String { href(Pagination.folder(folder, page: n)) }
        let window = pagination.window(around: current)
        return o.object { o in
            o.set("show", bool: total > 1)
            o.set("current", int: current)
            o.set("total", int: total)
            o.set("has_prev", bool: current > 1)
            o.set("prev_url", string: url(max(1, current - 1)))
            o.set("has_next", bool: current < total)
            o.set("next_url", string: url(min(total, current + 1)))
            o.set("first_url", string: url(1))
            o.set("last_url", string: url(total))
            o.set("show_first", bool: window.lowerBound > 1)
            o.set("show_last", bool: window.upperBound < total)
            o.set("gap_before", bool: window.lowerBound > 2)
            o.set("gap_after", bool: window.upperBound < total - 1)
            o.set(
                "pages",
                o.list(of: window) { o, n in
                    o.set("number", int: n)
                    o.set("url", string: url(n))
                    o.set("current", bool: n == current)
                })
        }
    }

    func yearContext(_ o: inout ContextBuilder, _ year: Archive.Year) -> TemplateContext.Value {
        o.object { o in
            o.set("year", int: year.year)
            o.set("url", string: href(Archive.folder(year: year.year)))
            o.set("count", int: year.posts.count)
            o.set(
                "months",
                o.list(of: year.months) { o, month in
                    o.set("month", int: month.month)
                    o.set("label", string: "\(month.month)월")
                    o.set("url", string: href(Archive.folder(year: year.year, month: month.month)))
                    o.set("count", int: month.posts.count)
                })
        }
    }

    /// Sets the fields of an archive period's page on the object being made.
    /// - Parameters:
    ///   - parents: label and folder of each enclosing period.
    ///   - children: label, folder and post count of each period inside.
    func archivePeriod(
        _ o: inout ContextBuilder, label: String, level: String, parents: [(String, String)], children: [(String, String, Int)],
        posts: [PostRef], page: Int, folder: String
    ) {
        o.set(
            "archive",
            o.object { o in
                o.set("label", string: label)
                o.set("level", string: level)
                o.set(
                    "parents",
                    o.list(of: parents) { o, parent in
                        o.set("label", string: parent.0)
                        o.set("url", string: href(parent.1))
                    })
                o.set(
                    "children",
                    o.list(of: children) { o, child in
                        o.set("label", string: child.0)
                        o.set("url", string: href(child.1))
                        o.set("count", int: child.2)
                    })
            })
        o.set(
            "listing",
            o.object { l in
                listingContext(&l, posts, page: page, perPage: site.config.perPage, folder: folder, title: label, description: "", showBoard: true)
            })
    }
}
