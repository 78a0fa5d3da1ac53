import Foundation
import Synchronization

/// Load → render → write: the whole build of a site.
public struct SiteBuilder: Sendable {
    public struct Options: Sendable {
        /// The folder holding `site.yml`, `Content/` and `Themes/`.
        public var source: String
        /// How to print `source` in diagnostics.
        public var sourceDisplay: String
        /// Overrides `site.yml`'s `output` (relative to the current folder, or absolute).
        public var output: String?
        /// Overrides `site.yml`'s `base_url`.
        public var baseURL: String?
        public var jobs: Int
        /// Called now and then with (pages done, pages in all).
        public var progress: (@Sendable (Int, Int) -> Void)?
        /// The file that keeps the build's manifest between runs; when nil, beside the output
        /// folder (`.public.bulletin-manifest` for `public`).
        public var manifest: String?
        /// Ignores the manifest: renders and writes every file (and keeps a new manifest).
        public var clean: Bool
        /// Sites with more posts than this keep only what listings need in memory and read each
        /// post again to render its page (``SiteLoader/load(source:display:baseURL:jobs:dropContentAbove:)``).
        public var dropContentAbove: Int
        /// The most files a rebuild writes and deletes that it puts in place one by one (more are
        /// staged and swapped in whole); nil: a tenth of the site's files, or 100.
        public var inPlaceLimit: Int?
        /// Whether the build frees what it held before it returns. A process that ends after one
        /// build (the command line) sets it to false: freeing a site's hundreds of thousands of
        /// small values one by one took 3–4 % of a build, and the end of the process takes back
        /// all of its memory at once. `serve`, which builds again and again, keeps it true.
        public var freesMemory: Bool

        public init(
            source: String = ".", sourceDisplay: String? = nil, output: String? = nil, baseURL: String? = nil, jobs: Int = ProcessInfoCores.count,
            progress: (@Sendable (Int, Int) -> Void)? = nil, manifest: String? = nil, clean: Bool = false,
            dropContentAbove: Int = 200_000, inPlaceLimit: Int? = nil, freesMemory: Bool = true
        ) {
            self.source = source
            self.sourceDisplay = sourceDisplay ?? source
            self.output = output
            self.baseURL = baseURL
            self.jobs = jobs
            self.progress = progress
            self.manifest = manifest
            self.clean = clean
            self.dropContentAbove = dropContentAbove
            self.inPlaceLimit = inPlaceLimit
            self.freesMemory = freesMemory
        }
    }

    /// What a build did.
    public struct Report: Sendable {
        public var diagnostics: [Diagnostic]
        public var posts = 0
        public var comments = 0
        public var pages = 0
        public var files = 0
        public var bytes = 0
        /// Pages rendered, files written and files removed (`build()` renders and writes only
        /// what changed since the last build of the same output).
        public var rendered = 0
        public var written = 0
        public var removed = 0
        /// Whether the published folder was replaced (false when nothing changed).
        public var changed = false
        /// Where the site was written, when it was.
        public var output: String?
        public var succeeded: Bool { !diagnostics.hasErrors }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Loads the site and its theme, reporting every problem without writing anything.
    public func check() -> (site: Site?, engine: ThemeTemplates?, diagnostics: [Diagnostic]) {
        let result = checkWithSettings()
        return (result.site, result.engine, result.diagnostics)
    }

    /// What `checkWithSettings` gives.
    private struct Checked {
        var site: Site?
        var engine: ThemeTemplates?
        var config: SiteConfig?
        var diagnostics: [Diagnostic]
        /// The hashes of the content files read (``LoadResult/contentHashes``).
        var contentHashes: [String: Int] = [:]
        /// Their stamps as they were opened (``LoadResult/contentStamps``).
        var contentStamps: [String: FileStamp] = [:]
    }

    /// `check()`, plus the settings as far as they could be read, which locate the output folder
    /// even when the content has errors.
    private func checkWithSettings() -> Checked {
        let loaded = SiteLoader.load(
            source: options.source, display: options.sourceDisplay, baseURL: options.baseURL, jobs: options.jobs,
            dropContentAbove: options.dropContentAbove)
        var diagnostics = loaded.diagnostics
        // Also with errors in the content the theme is loaded, so that one run reports every broken file.
        let engine = loaded.config.flatMap { loadTheme($0.theme, diagnostics: &diagnostics) }
        guard let site = loaded.site, let engine, !diagnostics.hasErrors else {
            return Checked(config: loaded.config, diagnostics: diagnostics.sortedForReport())
        }
        return Checked(
            site: site, engine: engine, config: loaded.config, diagnostics: diagnostics, contentHashes: loaded.contentHashes,
            contentStamps: loaded.contentStamps)
    }

    /// The theme `site.yml` names, when `site.yml` can be read at all.
    /// Loads a theme's templates, adding its problems to `diagnostics`.
    func loadTheme(_ name: String, diagnostics: inout [Diagnostic]) -> ThemeTemplates? {
        let theme = options.source + "/Themes/" + name
        let themeShown = show("Themes/" + name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: theme + "/templates", isDirectory: &isDirectory), isDirectory.boolValue else {
            diagnostics.append(.error(SourceLocation(path: themeShown), "theme '\(name)' has no templates/ folder"))
            return nil
        }
        do {
            let engine = try ThemeTemplates(folder: theme + "/templates", display: themeShown + "/templates")
            for template in PageSpec.requiredTemplates where !engine.hasTemplate(named: template) {
                diagnostics.append(.error(SourceLocation(path: themeShown + "/templates/\(template).mustache"), "the theme has no '\(template)' template"))
            }
            for entry in SiteLoader.sortedEntries(theme + "/static") where Self.isGeneratedName(entry) {
                diagnostics.append(
                    .error(SourceLocation(path: themeShown + "/static/" + entry), "'\(entry)' is written by Bulletin itself; a theme's static file may not take its place"))
            }
            return engine
        } catch {
            diagnostics += error.errors.map { .error($0.location, $0.message) }
            return nil
        }
    }

    func show(_ relative: String) -> String {
        options.sourceDisplay == "." ? relative : options.sourceDisplay + "/" + relative
    }

    /// Top-level names of the site that Bulletin writes, which a theme's static files may not take.
    static func isGeneratedName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "_files"].contains(lower)
            || SiteLoader.reservedNames.contains(lower) || (lower.hasPrefix("sitemap-") && lower.hasSuffix(".xml"))
    }

    /// Where an attachment (a path below `Content/`) is published below `_files/`: its NFC form.
    static func attachmentOutputPath(_ contentPath: String) -> String {
        contentPath.precomposedStringWithCanonicalMapping
    }

    /// The output folder: `--output`, else `site.yml`'s `output` inside the source folder.
    public func outputFolder(for site: Site) -> String {
        options.output ?? (options.source + "/" + site.config.output)
    }

    /// Builds the site into its output folder, swapping it in only when everything succeeded.
    /// Only what changed since the last build of the same output is rendered and written (see
    /// `writeIncrementally`), unless `options.clean`.
    public func build() -> Report {
        var clock = StepClock()
        // The manifest is read, and what it recorded looked at on both threads; `Content/` is
        // listed only when the manifest has no stamps of its folders or something differs
        // (``StampCheck``).
        let check = StampCheck(source: options.source, stampsTakenByReading: true)
        var (text, _) = both({ check.read(mapping: options.clean ? nil : plannedOutput().map(manifestPath)) }, { check.walk() })
        func listed() -> StampCheck {
            if !check.isListed { _ = both({ check.waitForListing(); check.help() }, { check.list() }) }
            return check
        }
        let quick = !check.isListed && !check.listingNeeded
        let (contentCount, contentRecorded) = quick ? (text?.contentInputs.count ?? 0, true) : listed().contentCount
        clock.step(quick ? "manifest, and the folders and files it recorded" : "manifest, content walk and published files")
        // Bulletin's own identity: from the manifest when the executable's stamp is the one it
        // recorded, else by hashing the executable (16 ms for a release build with Swift's
        // runtime linked in), which a build that has to load the site does meanwhile.
        // A build that renders everything still takes the identity from the last manifest's header.
        let header = text?.header ?? (options.clean ? plannedOutput().map(manifestPath).flatMap(ManifestText.header(mapping:)) : nil)
        let identity = toolIdentityLater(previous: header)
        if let text,
            let unchanged = unchangedBuild(
                since: text, published: check, tool: identity.value, contentCount: contentCount, contentRecorded: contentRecorded,
                content: { listed().contentFiles().files }, folders: { quick ? nil : check.folderStamps() }, clock: &clock)
        {
            return unchanged
        }
        // Something changed: the whole manifest is decoded, and its text let go of.
        let previous = text?.decoded(found: check.seen())
        text = nil
        var content = listed().contentFiles().files
        let folders = check.folderStamps()
        check.finish()
        clock.step("no-change check")
        let checked = checkWithSettings()
        let (site, engine, config, diagnostics) = (checked.site, checked.engine, checked.config, checked.diagnostics)
        content = Self.takingStamps(of: content, read: checked.contentStamps, source: options.source)
        clock.step("load")
        var report = Report(diagnostics: diagnostics)
        if let config {
            // Whatever happens next, a site that a killed build left aside is put back first.
            PublishFolder(output: options.output ?? (options.source + "/" + config.output)).removeAbandonedStaging()
        }
        guard let site, let engine else { return report }
        let folder = PublishFolder(output: outputFolder(for: site))
        if let refusal = folder.refusal() ?? sourceOverlap(folder.output) {
            report.diagnostics.append(.error(SourceLocation(path: folder.output), refusal))
            return report
        }
        defer { leaveForExit(of: site, checked, previous as Any, content) }
        do {
            var (written, manifest, output) = try writeIncrementally(
                site: site, engine: engine, folder: folder, previous: previous, tool: identity.value, content: content, folders: folders, contentHashes: checked.contentHashes,
                clock: &clock)
            written.diagnostics = (report.diagnostics + written.diagnostics).sortedForReport()
            report = written
            if report.succeeded, var manifest {
                if report.changed { try output.publish() }
                clock.step("publish")
                report.output = folder.output
                manifest.report.diagnostics = report.diagnostics
                if let problem = saveManifest(manifest) { report.diagnostics.append(problem) }
                clock.step("save manifest")
                leaveForExit(of: site, manifest, output)
            } else {
                folder.discard()
            }
        } catch {
            folder.discard()
            report.diagnostics.append(.error(SourceLocation(path: folder.output), "cannot write the site: \(error)"))
        }
        return report
    }

    /// `content` as listed, each stamp that the listing did not take (``FileStamp/notTaken``)
    /// the one its file had when the loader opened it, else taken now; a file gone meanwhile is
    /// left out.
    static func takingStamps(of content: [(path: String, stamp: FileStamp)], read: [String: FileStamp], source: String) -> [(path: String, stamp: FileStamp)] {
        guard content.contains(where: { $0.stamp == .notTaken }) else { return content }
        return content.compactMap { file in
            guard file.stamp == .notTaken else { return file }
            guard let stamp = read[file.path] ?? FileStamp.of(source + "/" + file.path, withChangeTime: true) else { return nil }
            return (file.path, stamp)
        }
    }

    /// Keeps `values` from being freed when `options.freesMemory` is false (see there): the
    /// process's end takes their memory back. Not for a site so big that it let go of its posts'
    /// content: there memory counts more, and what is kept would raise the peak while the
    /// manifest is written (by 0.3 GB for a million posts).
    func leaveForExit(of site: Site, _ values: Any...) {
        guard !options.freesMemory, !site.contentDropped else { return }
        _ = Unmanaged.passRetained(LeftForExit(values: values))
    }

    private final class LeftForExit {
        let values: [Any]
        init(values: [Any]) { self.values = values }
    }

    /// The output must not be, hold, or sit inside the folders the site is read from.
    private func sourceOverlap(_ output: String) -> String? {
        guard let out = SiteLoader.realPath(output) ?? absolute(output) else { return nil }
        for name in ["", "/Content", "/Themes"] {
            guard let protected = SiteLoader.realPath(options.source + name) else { continue }
            if out == protected || protected.hasPrefix(out + "/") || (name != "" && out.hasPrefix(protected + "/")) {
                return "the output folder \(output) overlaps the site's own files; choose another 'output'"
            }
        }
        return nil
    }

    private func absolute(_ path: String) -> String? {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Renders every page and writes it, the theme's static files, attachments, feeds and sitemap.
    public func write(site: Site, engine: any TemplateEngine, to output: some SiteOutput) throws -> Report {
        var report = Report(diagnostics: [])
        let renderer = SiteRenderer(site: site, engine: engine, contentRoot: contentRoot, jobs: options.jobs)
        let pages = renderer.pages()
        let rendered = try render(pages, with: renderer, to: output)
        report.bytes = rendered.reduce(0) { $0 + $1.bytes }
        let (sources, diagnostics) = gather(rendered.lazy.map { ($0.attachments, $0.diagnostics) })
        report.diagnostics = diagnostics
        if report.diagnostics.hasErrors { return report }
        for attachment in sources { try copyAttachment(attachment, to: output) }
        let extra = try writeGeneratedFiles(renderer, pages: pages, to: output)
        report.bytes += extra.bytes
        let staticFiles = try copyStaticFiles(of: site, to: output)
        report.posts = site.postCount
        report.comments = site.commentCount
        report.pages = pages.count
        report.files = pages.count + sources.count + extra.paths.count + staticFiles.count
        return report
    }

    var contentRoot: String { options.source + "/Content" }

    /// What rendering one page gave, besides its file.
    struct RenderedPage: Sendable {
        var path: String
        var attachments: [String]
        var diagnostics: [Diagnostic]
        var linkTargets: [String]
        var bytes: Int
    }

    /// Renders `pages` on all cores and writes each, reporting progress.
    /// - Parameter alongside: work that runs on one of the threads while the others render (the
    ///   first thing taken from the queue, so it does not make the last pages wait).
    func render(
        _ pages: [PageSpec], with renderer: SiteRenderer, to output: some SiteOutput, alongside: (@Sendable () -> Void)? = nil
    ) throws -> [RenderedPage] {
        let done = Atomic<Int>(0)
        let progress = options.progress
        let total = pages.count
        let extra = alongside == nil ? 0 : 1
        let results = parallelMap(Array(0..<(pages.count + extra)), jobs: options.jobs) { i -> Result<RenderedPage, OutputError>? in
            if i < extra {
                alongside?()
                return nil
            }
            let page = pages[i - extra]
            let rendered = renderer.render(page)
            let path = renderer.outputPath(page)
            do {
                try output.write(path, bytes: rendered.html)
            } catch let error as OutputError {
                return .failure(error)
            } catch {
                return .failure(OutputError(path: path, reason: "\(error)"))
            }
            let count = done.wrappingAdd(1, ordering: .relaxed).newValue
            if let progress, count % 256 == 0 || count == total { progress(count, total) }
            return .success(
                RenderedPage(
                    path: path, attachments: rendered.attachments, diagnostics: rendered.diagnostics, linkTargets: rendered.linkTargets,
                    bytes: rendered.html.count))
        }
        return try results[extra...].map { try $0!.get() }
    }

    /// What the pages found: the attachments they link to, in a stable order, and their
    /// diagnostics, each once, with an error for each pair of attachments that would overwrite
    /// each other on a case-insensitive or normalising host (macOS, Windows, many CDNs), since
    /// both are published under their NFC name.
    func gather(_ pages: some Sequence<(attachments: [String], diagnostics: [Diagnostic])>) -> (sources: [String], diagnostics: [Diagnostic]) {
        // By bytes: Swift strings that differ only in normalisation are equal, and would merge.
        var attachments = Set<[UInt8]>()
        var diagnostics = Set<Diagnostic>()
        for page in pages {
            for attachment in page.attachments { attachments.insert(Array(attachment.utf8)) }
            diagnostics.formUnion(page.diagnostics)
        }
        var byFoldedPath: [String: String] = [:]
        let sources = attachments.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
        for attachment in sources {
            let folded = attachment.lowercased()
            if let other = byFoldedPath[folded] {
                diagnostics.insert(
                    .error(SourceLocation(path: show("Content/" + attachment)), "this attachment and '\(other)' differ only in case or Unicode normalisation; rename one"))
            } else {
                byFoldedPath[folded] = attachment
            }
        }
        return (sources, Array(diagnostics).sortedForReport())
    }

    func copyAttachment(_ attachment: String, to output: some SiteOutput) throws {
        try output.copy(from: contentRoot + "/" + attachment, to: "_files/" + Self.attachmentOutputPath(attachment))
    }

    /// Writes the feeds, the sitemap and robots.txt.
    func writeGeneratedFiles(_ renderer: SiteRenderer, pages: [PageSpec], to output: some SiteOutput) throws -> (paths: [String], bytes: Int) {
        var files = renderer.feeds() + renderer.sitemaps(pages)
        files.append(("robots.txt", renderer.robots()))
        var bytes = 0
        for (path, text) in files {
            try output.write(path, bytes: text.utf8)
            bytes += text.utf8.count
        }
        var paths = files.map(\.path)
        if let fields = renderer.site.config.search {
            try SearchIndex(site: renderer.site, fields: fields, contentRoot: contentRoot, jobs: options.jobs).write { path, data in
                try output.write(path, bytes: data)
                bytes += data.count
                paths.append(path)
            }
        }
        return (paths, bytes)
    }

    /// Copies the theme's `static/` folder; gives the paths written.
    func copyStaticFiles(of site: Site, to output: some SiteOutput) throws -> [String] {
        let staticRoot = options.source + "/Themes/" + site.config.theme + "/static"
        let staticFiles = ThemeTemplates.files(in: staticRoot, matching: { _ in true })
        for file in staticFiles { try output.copy(from: staticRoot + "/" + file, to: file) }
        return staticFiles
    }
}
