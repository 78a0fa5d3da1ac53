import Foundation
import Synchronization

/// A site kept loaded between builds, for `bulletin serve`: when files change it re-reads only
/// those and re-renders only the pages whose content changes.
///
/// Each loaded post gets a revision number, new whenever its file or comment file is read
/// again. Every page has a fingerprint of what it shows (``SiteRenderer/fingerprint(_:revisions:)``):
/// the posts it lists by revision, their order, counts and page numbers. After a change the
/// posts are regrouped and the indexes recomputed (cheap), every page's fingerprint is
/// compared with the last good build's, and only the pages that differ are rendered. Feeds,
/// the sitemap and robots.txt are written each time (they are small); the server keeps the
/// dates of files whose bytes did not change.
///
/// Changes to `site.yml`, a theme, a `_board.yml`, the set of boards or an attachment rebuild
/// everything (without restarting anything), as does every change after a failed full build.
public final class LiveSite: Sendable {
    /// What an update did.
    public struct Update: Sendable {
        public var report: SiteBuilder.Report
        /// Whether the output holds the whole site (`true`) or only the files that were written.
        public var full: Bool
        /// Files of the previous build that are gone (only for updates that are not full).
        public var removed: [String]
        /// Pages rendered, out of `report.pages`.
        public var rendered: Int
        /// `base_url`'s path, which the site is served below.
        public var basePath: String
        /// Seconds spent in each step, in order, for profiling.
        public var steps: [(name: String, seconds: Double)] = []
    }

    private struct LoadedPost: Sendable {
        var file: PostFile
        var post: Post?
        var diagnostics: [Diagnostic]
        var revision: Int
        /// Changes only when what listings show of the post changes (not its body or tags).
        var rowRevision: Int
    }

    private struct PageRecord: Sendable {
        var fingerprint: Int
        var attachments: [String]
        var diagnostics: [Diagnostic]
        var linkTargets: [String]
        /// The page's line of the sitemap, with the date of the post it shows.
        var sitemapLine: (updated: Int64, line: String)? = nil
    }

    /// What the last good build wrote.
    private struct Built: Sendable {
        /// Every page's path, in ``SiteRenderer/pages()`` order, and what is known of it.
        var paths: [String]
        var records: [PageRecord]
        var attachments: Set<String>
        /// Feeds (with their fingerprint), sitemaps and robots.txt.
        var generated: [String: Int]
        var staticCount: Int
        /// Listing rows by row revision, long threads by revision.
        var rows: [Int: TemplateContext]
        var threads: [Int: SiteRenderer.Thread]
    }

    /// What the last good build computed from the posts' ids, dates, flags and tags.
    private struct Derived: Sendable {
        var index: SiteIndex
        var archive: Archive
        var postURLs: [String: String]
        /// The pages; their paths are the last build's (`Built.paths`).
        var pages: [PageSpec]
    }

    /// The site as last assembled, and where each post file's post is in it.
    private struct Assembled: Sendable {
        var site: Site
        var refs: [String: PostRef]
        var diagnostics: [Diagnostic]
        /// The revisions of the posts, by board and post.
        var revisions: SiteRenderer.Revisions
    }

    private struct State: Sendable {
        var scan: SiteLoader.Scan?
        var engine: ThemeTemplates?
        var posts: [String: LoadedPost] = [:]
        /// The post file of each comment file, by absolute path.
        var commentOwner: [String: String] = [:]
        var assembled: Assembled?
        /// The indexes and pages of the last good build, while they match `assembled`.
        var derived: Derived?
        var nextRevision = 1
        var built: Built?
        /// Set when a full build failed: until one succeeds, every change rebuilds everything.
        var needsFull = true
    }

    public let options: SiteBuilder.Options
    private let state = Mutex(State())

    public init(options: SiteBuilder.Options) {
        self.options = options
    }

    /// Builds the site, in full the first time or when `changes` is nil, else only what
    /// `changes` (paths relative to the site's folder, as ``SourceWatcher`` gives them) affects.
    /// Writes to `output` every file of the site (a full update) or those that changed.
    /// Fails with every diagnostic, errors and warnings; the last good build stays the base of
    /// the next update.
    public func update(changes: [String]?, to output: some SiteOutput) -> Result<Update, DiagnosticList> {
        state.withLock { state in
            let needs = changes.map { $0.map { need($0, state: state) } } ?? [.everything]
            let full = state.needsFull || state.built == nil || needs.contains(.everything)
            let relevant = zip(changes ?? [], needs).filter { $0.1 != .nothing }.map(\.0)
            let result = full ? fullUpdate(&state, to: output) : partialUpdate(&state, changes: relevant, to: output)
            if case .failure = result, full { state.needsFull = true }
            return result
        }
    }

    // MARK: What a change touches

    private var contentPrefix: String { "Content/" }

    /// What a changed path (relative to the site's folder) asks for.
    private enum Need { case everything, listing, post, nothing }

    private func need(_ path: String, state: State) -> Need {
        // Settings, themes, boards and their settings.
        guard path.hasPrefix(contentPrefix) else { return .everything }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count <= 2 || parts.last == "_board.yml" { return .everything }
        if Self.isContentFile(path) { return .post }
        let absolute = options.source + "/" + path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) {
            // A folder of posts inside a board, or an attachment (which a dropped link may now find).
            return isDirectory.boolValue ? .listing : .everything
        }
        // Gone: a folder that held posts, an attachment that was published, or something no
        // build looked at (an editor's or sed's temporary file).
        let folder = absolute + "/"
        if state.posts.keys.contains(where: { $0.hasPrefix(folder) }) { return .listing }
        if state.built?.attachments.contains(String(path.dropFirst(contentPrefix.count))) == true { return .everything }
        return .nothing
    }

    static func isContentFile(_ path: String) -> Bool {
        path.hasSuffix(".md") || SiteLoader.commentSuffixes.contains { path.hasSuffix($0) }
    }

    // MARK: Full and partial updates

    private func fullUpdate(_ state: inout State, to output: some SiteOutput) -> Result<Update, DiagnosticList> {
        let builder = SiteBuilder(options: options)
        state.posts = [:]
        state.assembled = nil
        state.derived = nil
        state.built = nil
        state.engine = nil
        var themeDiagnostics: [Diagnostic] = []
        switch SiteLoader.scan(source: options.source, display: options.sourceDisplay, baseURL: options.baseURL) {
        case .failure(let failure):
            state.scan = nil
            var diagnostics = failure.result.diagnostics
            if let config = failure.result.config { _ = builder.loadTheme(config.theme, diagnostics: &diagnostics) }
            return .failure(DiagnosticList(diagnostics.sortedForReport()))
        case .success(let scan):
            state.scan = scan
            state.engine = builder.loadTheme(scan.config.theme, diagnostics: &themeDiagnostics)
        }
        return render(&state, reload: Set(), rescanned: true, walked: ([], []), full: true, extraDiagnostics: themeDiagnostics, to: output)
    }

    private func partialUpdate(_ state: inout State, changes: [String], to output: some SiteOutput) -> Result<Update, DiagnosticList> {
        let changed = Set(changes.map { options.source + "/" + $0 })
        // Files edited in place keep the folders' listing; anything else lists them again.
        var walked: (old: [Diagnostic], new: [Diagnostic]) = ([], [])
        let listingSame = changed.allSatisfy { path in
            (state.posts[path] != nil || state.commentOwner[path] != nil) && FileManager.default.fileExists(atPath: path)
        }
        if !listingSame {
            // Only the boards touched are walked again (a board's settings or a new board rebuild everything).
            let boards = Set(changes.compactMap { $0.split(separator: "/").dropFirst().first.map(String.init) })
            for board in boards.sorted() {
                walked.old += state.scan!.boardDiagnostics[board] ?? []
                state.scan!.rescan(board: board)
                walked.new += state.scan!.boardDiagnostics[board] ?? []
            }
        }
        return render(&state, reload: changed, rescanned: !listingSame, walked: walked, full: false, extraDiagnostics: [], to: output)
    }

    /// Loads the posts that are new or in `reload`, assembles the site and renders what changed
    /// since the last good build (everything when `full`).
    private func render(
        _ state: inout State, reload: Set<String>, rescanned: Bool, walked: (old: [Diagnostic], new: [Diagnostic]), full: Bool,
        extraDiagnostics: [Diagnostic], to output: some SiteOutput
    ) -> Result<Update, DiagnosticList> {
        var steps = Steps()
        let scan = state.scan!
        let clock = SiteClock(timeZone: scan.config.timeZone)
        let stale: [PostFile]
        if full || rescanned {
            stale = scan.postFiles.filter { file in
                guard let loaded = state.posts[file.absolutePath] else { return true }
                return reload.contains(file.absolutePath) || loaded.file.comments?.absolutePath != file.comments?.absolutePath
                    || file.comments.map { reload.contains($0.absolutePath) } ?? false
            }
        } else {
            stale = Set(reload.compactMap { state.posts[$0] != nil ? $0 : state.commentOwner[$0] }).sorted().map { state.posts[$0]!.file }
        }
        let fresh = parallelMap(stale, jobs: options.jobs) { PostLoader.load($0, config: scan.config, clock: clock) }
        // Posts read again in place can be patched into the last assembled site when no post file
        // came or went (a stale file that is new has no place in it, so equal counts suffice).
        var patches: [(ref: PostRef, post: Post)]? = state.assembled.map { $0.refs.count == scan.postFiles.count ? [] : nil } ?? nil
        for (file, (post, diagnostics)) in zip(stale, fresh) {
            let old = state.posts[file.absolutePath]
            let sameRow = old.flatMap { old in old.post.flatMap { a in post.map { b in Self.sameRow(a, b) } } } ?? false
            state.posts[file.absolutePath] = LoadedPost(
                file: file, post: post, diagnostics: diagnostics, revision: state.nextRevision,
                rowRevision: sameRow ? old!.rowRevision : state.nextRevision)
            state.nextRevision += 1
            // A post read again with the same id takes its old place; anything else regroups the posts.
            if let post, !diagnostics.hasErrors, let ref = state.assembled?.refs[file.absolutePath],
                state.assembled?.site.boards[ref.board].posts[ref.post].id == post.id
            {
                patches?.append((ref, post))
            } else {
                patches = nil
            }
        }
        if full || rescanned {
            if state.posts.count != scan.postFiles.count {
                let present = Set(scan.postFiles.map(\.absolutePath))
                state.posts = state.posts.filter { present.contains($0.key) }
            }
            state.commentOwner = [:]
            for file in scan.postFiles { if let comments = file.comments { state.commentOwner[comments.absolutePath] = file.absolutePath } }
        }
        steps.end("load")

        let builder = SiteBuilder(options: options)
        let contentRoot = builder.contentRoot
        var diagnostics: [Diagnostic]
        let site: Site
        var indexHolds = false
        if let patches, state.assembled != nil {
            // The common edit: posts changed in place, ids kept; the grouping stays. The site is
            // changed where it is held (copying it would copy every post).
            var shown = Set<String>()
            for file in stale {
                shown.insert(file.displayPath)
                if let comments = file.comments { shown.insert(comments.displayPath) }
            }
            // What the indexes are made of (ids, dates, flags, recommends, tags, thread pages):
            // when no patched post changed it, the last build's indexes and pages still hold.
            let perPage = scan.config.commentsPerPage
            indexHolds = state.derived != nil && patches.allSatisfy { ref, post in
                let old = state.assembled!.site.boards[ref.board].posts[ref.post]
                return old.id == post.id && old.date == post.date && old.updated == post.updated && old.notice == post.notice
                    && old.recommends == post.recommends && old.tags == post.tags
                    && Pagination(total: old.comments.count, perPage: perPage).pageCount == Pagination(total: post.comments.count, perPage: perPage).pageCount
            }
            for (ref, post) in patches {
                state.assembled!.site.boards[ref.board].posts[ref.post] = post
                let loaded = state.posts[contentRoot + "/" + post.contentPath]!
                state.assembled!.revisions.posts[ref.board][ref.post] = loaded.revision
                state.assembled!.revisions.rows[ref.board][ref.post] = loaded.rowRevision
            }
            // The stale posts' problems, and those of the boards' folders walked again, are replaced.
            let walkedBefore = Set(walked.old)
            let kept = state.assembled!.diagnostics.filter { !shown.contains($0.location.path) && !walkedBefore.contains($0) }
            state.assembled!.diagnostics = (kept + stale.flatMap { state.posts[$0.absolutePath]!.diagnostics } + walked.new).sortedForReport()
            site = state.assembled!.site
            diagnostics = state.assembled!.diagnostics
        } else {
            state.assembled = nil
            let loaded = scan.postFiles.map { file in
                let post = state.posts[file.absolutePath]!
                return (post.post, post.diagnostics)
            }
            let result = SiteLoader.assemble(scan, loaded: loaded)
            guard let assembledSite = result.site, !result.diagnostics.hasErrors else {
                return .failure(DiagnosticList((result.diagnostics + extraDiagnostics).sortedForReport()))
            }
            var refs: [String: PostRef] = [:]
            refs.reserveCapacity(scan.postFiles.count)
            var postRevisions = assembledSite.boards.map { Array(repeating: 0, count: $0.posts.count) }
            var rowRevisions = postRevisions
            for (b, board) in assembledSite.boards.enumerated() {
                for p in board.posts.indices {
                    let path = contentRoot + "/" + board.posts[p].contentPath
                    refs[path] = PostRef(board: b, post: p)
                    let loaded = state.posts[path]!
                    postRevisions[b][p] = loaded.revision
                    rowRevisions[b][p] = loaded.rowRevision
                }
            }
            state.assembled = Assembled(
                site: assembledSite, refs: refs, diagnostics: result.diagnostics, revisions: SiteRenderer.Revisions(posts: postRevisions, rows: rowRevisions))
            site = assembledSite
            diagnostics = result.diagnostics
        }
        // Taken out: whatever happens next, they no longer match `assembled` unless put back.
        let derived = indexHolds ? state.derived : nil
        state.derived = nil
        diagnostics = (diagnostics + extraDiagnostics).sortedForReport()
        guard let engine = state.engine, !diagnostics.hasErrors else { return .failure(DiagnosticList(diagnostics)) }
        steps.end("assemble")

        let revisions = state.assembled!.revisions
        // Rows and long threads of posts that did not change are reused.
        let previous = full ? nil : state.built
        let cachedRows: [[TemplateContext?]]? = previous.map { previous in revisions.rows.map { $0.map { previous.rows[$0] } } }
        var cachedThreads: [PostRef: SiteRenderer.Thread] = [:]
        if let previous, !previous.threads.isEmpty {
            for (b, board) in revisions.posts.enumerated() {
                for (p, revision) in board.enumerated() { if let thread = previous.threads[revision] { cachedThreads[PostRef(board: b, post: p)] = thread } }
            }
        }
        let renderer = SiteRenderer(
            site: site, engine: engine, contentRoot: contentRoot, rows: cachedRows, threads: cachedThreads, index: derived?.index,
            archive: derived?.archive, postURLs: derived?.postURLs, jobs: options.jobs)
        let pages = derived?.pages ?? renderer.pages()
        let paths = derived != nil ? previous!.paths : parallelMap(pages, jobs: options.jobs) { renderer.outputPath($0) }
        steps.end("index")
        // Where each page was in the last build: the same place when the pages are the same
        // (most edits), else found by path.
        let oldPosition: [Int?]
        var removed: [String] = []
        if let previous, previous.paths == paths {
            oldPosition = Array(previous.paths.indices)
        } else if let previous {
            let byPath = Dictionary(uniqueKeysWithValues: previous.paths.enumerated().map { ($1, $0) })
            oldPosition = paths.map { byPath[$0] }
            let present = Set(paths)
            removed = previous.paths.filter { !present.contains($0) }
        } else {
            oldPosition = Array(repeating: nil, count: pages.count)
        }
        let postURLs = renderer.postURLs
        let changed = parallelMap(Array(pages.indices), jobs: options.jobs) { i -> (fingerprint: Int, changed: Bool) in
            let fingerprint = renderer.fingerprint(pages[i], revisions: revisions)
            guard let old = oldPosition[i].map({ previous!.records[$0] }) else { return (fingerprint, true) }
            return (fingerprint, old.fingerprint != Self.withLinks(fingerprint, old.linkTargets, postURLs))
        }
        let toRender = pages.indices.filter { changed[$0].changed }
        steps.end("compare")
        do {
            let rendered = try builder.render(toRender.map { pages[$0] }, with: renderer, to: output)
            steps.end("render")
            var records = oldPosition.map { $0.map { previous!.records[$0] } ?? PageRecord(fingerprint: 0, attachments: [], diagnostics: [], linkTargets: []) }
            var bytes = 0
            for (page, i) in zip(rendered, toRender) {
                bytes += page.bytes
                records[i] = PageRecord(
                    fingerprint: Self.withLinks(changed[i].fingerprint, page.linkTargets, postURLs), attachments: page.attachments,
                    diagnostics: page.diagnostics, linkTargets: page.linkTargets, sitemapLine: records[i].sitemapLine)
            }
            let (sources, pageDiagnostics) = builder.gather(records.lazy.map { ($0.attachments, $0.diagnostics) })
            let allDiagnostics = (diagnostics + pageDiagnostics).sortedForReport()
            if allDiagnostics.hasErrors { return .failure(DiagnosticList(allDiagnostics)) }
            for attachment in sources where previous?.attachments.contains(attachment) != true {
                try builder.copyAttachment(attachment, to: output)
            }
            if let previous {
                let kept = Set(sources)
                removed += previous.attachments.filter { !kept.contains($0) }.map { "_files/" + SiteBuilder.attachmentOutputPath($0) }
            }
            steps.end("check")

            // Feeds and the sitemap are written when what they show changed: a feed with its
            // posts' pages, the sitemap with the set of pages and the posts' dates.
            var generated: [String: Int] = [:]
            var postPage = site.boards.map { Array(repeating: 0, count: $0.posts.count) }
            for (i, page) in pages.enumerated() { if case .post(let ref) = page { postPage[ref.board][ref.post] = i } }
            for feed in renderer.feedList() {
                var hasher = StableHasher()
                for ref in feed.refs { hasher.combine(records[postPage[ref.board][ref.post]].fingerprint) }
                let fingerprint = hasher.finalize()
                generated[feed.path] = fingerprint
                if previous?.generated[feed.path] != fingerprint {
                    let text = renderer.atom(title: feed.title, folder: feed.folder, refs: feed.refs)
                    try output.write(feed.path, bytes: text.utf8)
                    bytes += text.utf8.count
                }
            }
            // The sitemap's lines are kept by page, with the post date they show.
            var lines: [String] = []
            lines.reserveCapacity(pages.count)
            for (i, page) in pages.enumerated() where page != .notFound && page != .search {
                let updated = if case .post(let ref) = page { site.boards[ref.board].posts[ref.post].updated.seconds } else { Int64.min }
                if records[i].sitemapLine?.updated != updated { records[i].sitemapLine = (updated, renderer.sitemapEntry(page)!) }
                lines.append(records[i].sitemapLine!.line)
            }
            if let previous, previous.records.compactMap({ $0.sitemapLine?.line }) == lines {
                for path in previous.generated.keys where path.hasPrefix("sitemap") { generated[path] = 0 }
            } else {
                for (path, text) in renderer.sitemaps(entries: lines) {
                    try output.write(path, bytes: text.utf8)
                    bytes += text.utf8.count
                    generated[path] = 0
                }
            }
            if previous == nil {
                let robots = renderer.robots()
                try output.write("robots.txt", bytes: robots.utf8)
                bytes += robots.utf8.count
            }
            generated["robots.txt"] = 0
            // The search index, written again when a post's page changed (it holds every post).
            if let fields = site.config.search {
                var hasher = StableHasher()
                for (i, page) in pages.enumerated() { if case .post = page { hasher.combine(records[i].fingerprint) } }
                hasher.combine(fields.map(\.rawValue).sorted().joined(separator: ","))
                let fingerprint = hasher.finalize()
                if let previous, previous.generated["search/meta.json"] == fingerprint {
                    for path in previous.generated.keys where path.hasPrefix("search/") { generated[path] = fingerprint }
                } else {
                    try SearchIndex(site: site, fields: fields, contentRoot: contentRoot, jobs: options.jobs).write { path, data in
                        try output.write(path, bytes: data)
                        bytes += data.count
                        generated[path] = fingerprint
                    }
                }
            }
            if let previous { removed += previous.generated.keys.filter { generated[$0] == nil } }
            steps.end("feeds")

            let staticCount = try previous?.staticCount ?? builder.copyStaticFiles(of: site, to: output).count
            var rows: [Int: TemplateContext] = [:]
            rows.reserveCapacity(site.postCount)
            var threads: [Int: SiteRenderer.Thread] = [:]
            for (b, board) in revisions.rows.enumerated() {
                for (p, rowRevision) in board.enumerated() { rows[rowRevision] = renderer.rows[b][p] }
            }
            for (ref, thread) in renderer.longThreads { threads[revisions.posts[ref.board][ref.post]] = thread }
            state.built = Built(
                paths: paths, records: records, attachments: Set(sources), generated: generated,
                staticCount: staticCount, rows: rows, threads: threads)
            state.derived = Derived(index: renderer.index, archive: renderer.archive, postURLs: renderer.postURLs, pages: pages)
            state.needsFull = false
            var report = SiteBuilder.Report(diagnostics: allDiagnostics)
            report.posts = site.postCount
            report.comments = site.commentCount
            report.pages = pages.count
            report.files = pages.count + sources.count + generated.count + staticCount
            report.bytes = bytes
            steps.end("rest")
            return .success(
                Update(report: report, full: full, removed: removed.sorted(), rendered: rendered.count, basePath: site.config.basePath, steps: steps.done))
        } catch {
            state.needsFull = true
            return .failure(
                DiagnosticList(diagnostics + [.error(SourceLocation(path: options.sourceDisplay), "cannot build the site: \(error)")]))
        }
    }

    /// Whether listings show `a` and `b` the same: the fields of a row, and the title and URL that
    /// neighbours link with.
    static func sameRow(_ a: Post, _ b: Post) -> Bool {
        a.id == b.id && a.title == b.title && a.author == b.author && a.date == b.date && a.updated == b.updated && a.views == b.views
            && a.recommends == b.recommends && a.commentCount == b.commentCount && a.notice == b.notice && a.deleted == b.deleted
    }

    /// A stable hash of what `sameRow` compares (and the post's file), for revisions that last
    /// across runs (``SiteBuilder``'s manifest). A field added to one goes in the other.
    static func rowHash(_ post: Post) -> Int {
        var hasher = StableHasher()
        hasher.combine(post.board)
        hasher.combine(post.contentPath)
        hasher.combine(post.id)
        hasher.combine(post.title)
        hasher.combine(post.author)
        hasher.combine(post.date.seconds)
        hasher.combine(post.updated.seconds)
        hasher.combine(post.views)
        hasher.combine(post.recommends)
        hasher.combine(post.commentCount)
        hasher.combine(post.notice)
        hasher.combine(post.deleted)
        return hasher.finalize()
    }

    /// A page's fingerprint with the posts its links looked up: a link to `x.md` changes when
    /// `x.md` becomes a post or stops being one.
    static func withLinks(_ fingerprint: Int, _ targets: [String], _ postURLs: [String: String]) -> Int {
        if targets.isEmpty { return fingerprint }
        var hasher = StableHasher()
        hasher.combine(fingerprint)
        for target in targets { hasher.combine(postURLs[target]) }
        return hasher.finalize()
    }
}

/// Times the steps of an update.
private struct Steps {
    var done: [(name: String, seconds: Double)] = []
    var start = ContinuousClock.now

    mutating func end(_ name: String) {
        let now = ContinuousClock.now
        let elapsed = now - start
        done.append((name, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        start = now
    }
}

/// Diagnostics as an error value.
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
