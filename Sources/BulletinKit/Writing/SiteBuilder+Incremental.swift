import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Builds that persist: `build()` keeps a manifest of what it read and wrote (``BuildManifest``)
/// beside the output folder (`.public.bulletin-manifest` for `public`), never in the site's own
/// folders. The next build of the same output
/// - does nothing at all when no input changed and the published files are as it left them;
/// - else loads the site, and renders only the pages whose fingerprint (a stable hash of what
///   they show, ``SiteRenderer/fingerprint(_:revisions:)``) changed or whose file was touched;
/// - writes only files whose bytes changed (the others keep their dates) and deletes the files
///   of pages that are gone, in a staging folder swapped in at the end, as every build does.
/// The result is byte for byte what a clean build gives.
extension SiteBuilder {
    /// The manifest of builds into `output`: `options.manifest`, else beside the output folder.
    func manifestPath(output: String) -> String {
        if let manifest = options.manifest { return manifest }
        let (parent, name) = PublishFolder.split(PublishFolder(output: output).output)
        return parent + "/." + name + ".bulletin-manifest"
    }

    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The output folder as far as it can be known without loading the site: `--output`, or
    /// `site.yml`'s `output`.
    func plannedOutput() -> String? {
        if let output = options.output { return output }
        guard let text = readFile(options.source + "/site.yml").flatMap({ String(validating: $0, as: UTF8.self) }),
            let config = ConfigLoader.loadSite(path: "site.yml", text: text).0
        else { return nil }
        return options.source + "/" + config.output
    }

    /// Writes the manifest, replacing the old one in one step; a failure only costs the next build time.
    func saveManifest(_ manifest: BuildManifest) -> Diagnostic? {
        let path = manifestPath(output: manifest.output)
        let (folder, name) = PublishFolder.split(path)
        let temporary = name + ".tmp-" + String(getpid())
        do {
            try DiskOutput(root: folder).write(temporary, pieces: manifest.encodedChunks(jobs: options.jobs))
            guard rename(folder + "/" + temporary, path) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            return nil
        } catch {
            unlink(folder + "/" + temporary)
            return .warning(SourceLocation(path: path), "cannot keep the build's manifest, so the next build starts afresh: \(error)")
        }
    }

    /// What the build's output depends on besides the content: Bulletin itself, by the hash of
    /// its executable's program sections (``ExecutableIdentity``: a CI job that builds the same
    /// Bulletin again gets a new file with the same program), and the options. The hash is taken
    /// from `previous` when the executable's stamp is the one recorded there.
    func toolIdentity(previous: BuildManifest?) -> (identity: String, executable: BuildManifest.Input?) {
        toolIdentity(previous: previous, hashing: true)!
    }

    /// The identity, at hand or else Background: taken from `previous` at once when the
    /// executable's stamp is the one recorded there (nearly always), else hashed on another
    /// thread (16 ms for a release build) while the caller goes on.
    func toolIdentityLater(previous: BuildManifest?) -> Background<(identity: String, executable: BuildManifest.Input?)> {
        if let known = toolIdentity(previous: previous, hashing: false) { return Background(value: known) }
        return Background { toolIdentity(previous: previous) }
    }

    /// - Parameter hashing: false to give nil rather than hash the executable.
    private func toolIdentity(previous: BuildManifest?, hashing: Bool) -> (identity: String, executable: BuildManifest.Input?)? {
        var executable: BuildManifest.Input?
        if let stamp = FileStamp.of("/proc/self/exe", withChangeTime: true) {
            if let known = previous?.executable, known.stamp == stamp {
                executable = known
            } else if !hashing {
                return nil
            } else if let hash = ExecutableIdentity.hash(file: "/proc/self/exe") {
                executable = BuildManifest.Input(stamp: stamp, hash: hash)
            }
        }
        let identity = "bulletin " + (executable.map { String($0.hash) } ?? "-") + " base_url=" + (options.baseURL ?? "-")
        return (identity, executable)
    }

    /// When nothing changed since the manifest `text` was written: its report, else nil. Reads
    /// no post, only the folders and the files' stamps (and the bytes of files whose stamp
    /// changed: a fresh checkout touches every file), and decodes no line of the manifest unless
    /// stamps changed and it must be written again.
    /// - Parameter published: the check of the published files that `text` recorded, done.
    /// - Parameter content: the files below `Content/` (`FileStamp.tree(source, "Content", …)`).
    /// - Parameter tool: `toolIdentity(previous:)`.
    /// - Parameter contentCount: how many files `Content/` holds.
    /// - Parameter contentRecorded: whether the manifest recorded every one of them with its stamp.
    /// - Parameter content: those files, asked for only when inputs must be compared one by one.
    /// - Parameter folders: the stamps of `Content/`'s folders for a manifest written again
    ///   (nil: those `text` recorded).
    func unchangedBuild(
        since text: ManifestText, published: StampCheck, tool: (identity: String, executable: BuildManifest.Input?),
        contentCount: Int, contentRecorded: Bool, content: () -> [(path: String, stamp: FileStamp)],
        folders: () -> [String: FileStamp]?, clock: inout StepClock
    ) -> Report? {
        let previous = text.header
        guard previous.tool == tool.identity else { return nil }
        if let requested = options.output, Self.absolutePath(PublishFolder(output: requested).output) != previous.output { return nil }
        // Nearly always every input has the stamp the manifest recorded: known of the content
        // already, and looked up for the few other files.
        let others = InputTree.walk(source: options.source, theme: previous.theme, content: []).files
        var restamped: [(String, BuildManifest.Input)] = []
        if !contentRecorded || others.count + contentCount != text.inputLines.count
            || text.inputRecords(for: others).map({ zip($0, others).allSatisfy { $0.stamp == $1.stamp } }) != true
        {
            let files = InputTree.walk(source: options.source, theme: previous.theme, content: content()).files
            guard files.count == text.inputLines.count, let records = text.inputRecords(for: files) else { return nil }
            for ((path, stamp), input) in zip(files, records) {
                if input.stamp == stamp { continue }
                guard let bytes = readFile(options.source + "/" + path), StableHasher.hash(bytes) == input.hash else { return nil }
                restamped.append((path, BuildManifest.Input(stamp: stamp, hash: input.hash)))
            }
        }
        clock.step("inputs compared")
        // Every file the last build wrote is still there as it left it (files added since do not
        // matter): nearly always known already.
        let seen = published.seen()
        guard let outputs = text.outputRecords((0..<text.outputLines.count).filter { !seen($0) }) else { return nil }
        let stamps = parallelMap(outputs, jobs: options.jobs) { path, record in
            ManifestOutput.stamp(of: previous.output + "/" + path, ifItHolds: record)
        }
        var restampedOutputs: [(String, FileStamp)] = []
        for ((path, record), stamp) in zip(outputs, stamps) {
            guard let stamp else { return nil }
            if stamp != record.stamp { restampedOutputs.append((path, stamp)) }
        }
        clock.step("outputs compared")
        var report = Report(diagnostics: previous.report.diagnostics)
        report.posts = previous.report.posts
        report.comments = previous.report.comments
        report.pages = previous.report.pages
        report.files = text.outputLines.count
        report.bytes = previous.report.bytes
        report.output = previous.output
        // Folders listed again (something in them changed and changed back, or the manifest
        // has no stamps of them yet) are recorded as they are now, so that the next build need
        // not list them.
        let folders = folders().flatMap { $0 == text.recordedFolders() ? nil : $0 }
        if !restamped.isEmpty || !restampedOutputs.isEmpty || tool.executable != previous.executable || folders != nil {
            guard var manifest = text.decoded(found: seen) else { return nil }
            manifest.executable = tool.executable
            if let folders { manifest.folders = folders }
            for (path, input) in restamped { manifest.inputs[path] = input }
            for (path, stamp) in restampedOutputs { manifest.outputs[path]!.stamp = stamp }
            if let problem = saveManifest(manifest) { report.diagnostics.append(problem) }
        }
        return report
    }

    /// The inputs' records: stamps from the walk, hashes from `previous` where the stamp is the
    /// same, else from the load (`known`), else from the bytes.
    func hashInputs(_ tree: InputTree, previous: BuildManifest?, known: [String: Int]) -> [String: BuildManifest.Input] {
        let hashes = parallelMap(tree.files, jobs: options.jobs) { path, stamp -> Int in
            if let input = previous?.inputs[path], input.stamp == stamp { return input.hash }
            if let hash = known[path] { return hash }
            return readFile(options.source + "/" + path).map { StableHasher.hash($0) } ?? 0
        }
        var inputs: [String: BuildManifest.Input] = [:]
        inputs.reserveCapacity(tree.files.count)
        for ((path, stamp), hash) in zip(tree.files, hashes) { inputs[path] = BuildManifest.Input(stamp: stamp, hash: hash) }
        return inputs
    }

    /// The hash of the inputs that reach every page: their bytes, or only their presence.
    static func settingsHash(_ inputs: [String: BuildManifest.Input], theme: String, tool: String) -> Int {
        var hasher = StableHasher()
        hasher.combine(tool)
        hasher.combine(theme)
        // Posts are most of the inputs, and reach no page through this: only the others are sorted.
        let roles = inputs.keys.compactMap { path -> (String, InputTree.Role)? in
            let role = InputTree.role(of: path, theme: theme)
            return role == .post ? nil : (path, role)
        }
        for (path, role) in roles.sorted(by: { BuildManifest.byBytes($0.0, $1.0) }) {
            hasher.combine(path)
            if role == .everything { hasher.combine(inputs[path]!.hash) }
        }
        return hasher.finalize()
    }

    /// Revisions that are the same in every run for the same files: a post's is the hash of its
    /// files, its row's the hash of what listings show of it.
    static func stableRevisions(of site: Site, inputs: [String: BuildManifest.Input], jobs: Int) -> SiteRenderer.Revisions {
        var posts: [[Int]] = []
        var rows: [[Int]] = []
        for board in site.boards {
            posts.append(
                parallelMap(count: board.posts.count, jobs: jobs) { p in
                    let post = board.posts[p]
                    var hasher = StableHasher()
                    let path = "Content/" + post.contentPath
                    hasher.combine(path)
                    hasher.combine(inputs[path]?.hash ?? 0)
                    // The comment file the loader takes: the first of these that exists.
                    let stem = String(path.dropLast(3))
                    let comments = SiteLoader.commentSuffixes.lazy.compactMap { inputs[stem + $0] }.first
                    hasher.combine(comments?.hash ?? 0)
                    return hasher.finalize()
                })
            rows.append(parallelMap(count: board.posts.count, jobs: jobs) { LiveSite.rowHash(board.posts[$0]) })
        }
        return SiteRenderer.Revisions(posts: posts, rows: rows)
    }

    /// Renders the pages whose fingerprint changed since `previous` and writes what changed
    /// into `folder` (see the type's comment). Gives the report and the new manifest.
    func writeIncrementally(
        site: Site, engine: any TemplateEngine, folder: PublishFolder, previous: BuildManifest?,
        tool identity: (identity: String, executable: BuildManifest.Input?), content: [(path: String, stamp: FileStamp)]?,
        folders: [String: FileStamp] = [:], contentHashes: [String: Int], clock: inout StepClock
    ) throws -> (report: Report, manifest: BuildManifest?, output: ManifestOutput) {
        let (tool, executable) = identity
        let theme = site.config.theme
        // The inputs are hashed, and the pages' revisions made of them, while the renderer
        // indexes the site and makes its listings' rows.
        let ((inputs, settings, sourceHashes, revisions), (renderer, pages)) = both(
            {
                let inputs = hashInputs(InputTree.walk(source: options.source, theme: theme, content: content), previous: previous, known: contentHashes)
                // Only files that are copied as they are (attachments, the theme's static files) are looked up by their source.
                let sourceHashes = Dictionary(
                    uniqueKeysWithValues: inputs.lazy.filter { InputTree.role(of: $0.key, theme: theme) != .post }.map {
                        (options.source + "/" + $0.key, $0.value.hash)
                    })
                return (
                    inputs, Self.settingsHash(inputs, theme: theme, tool: tool), sourceHashes, Self.stableRevisions(of: site, inputs: inputs, jobs: options.jobs)
                )
            },
            {
                let renderer = SiteRenderer(site: site, engine: engine, contentRoot: contentRoot, jobs: options.jobs)
                return (renderer, renderer.pages())
            })
        let postURLs = renderer.postURLs
        defer { leaveForExit(of: site, renderer, pages, revisions, postURLs, inputs, sourceHashes) }
        clock.step("inputs, index and rows")
        // The last build counts only when it was of the same output. Another Bulletin (or other
        // options) changes `settings`, so every page is rendered, but files keep their dates
        // when their bytes are the same.
        let outputPath = Self.absolutePath(folder.output)
        let usable = previous.flatMap { $0.output == outputPath ? $0 : nil }
        var report = Report(diagnostics: [])
        let sameSettings = usable?.settings == settings
        // Each page's path and fingerprint, and what its last rendering gave if that still holds.
        let known = parallelMap(Array(pages.indices), jobs: options.jobs) { i -> (path: String, fingerprint: Int, kept: BuildManifest.Page?, stamp: FileStamp?) in
            let path = renderer.outputPath(pages[i])
            let fingerprint = renderer.fingerprint(pages[i], revisions: revisions)
            guard sameSettings, let record = usable?.outputs[path], let page = record.page,
                page.fingerprint == LiveSite.withLinks(fingerprint, page.linkTargets, postURLs),
                let stamp = ManifestOutput.stamp(of: folder.output + "/" + path, ifItHolds: record)
            else { return (path, fingerprint, nil, nil) }
            return (path, fingerprint, page, stamp)
        }
        defer { leaveForExit(of: site, known) }
        let toRender = pages.indices.filter { known[$0].kept == nil }
        clock.step("fingerprints")
        // A change of a few files is put in place file by file; a bigger one is staged and swapped in whole.
        let output = try ManifestOutput(
            folder: folder, previous: usable?.outputs, sourceHashes: sourceHashes, inPlaceLimit: options.inPlaceLimit ?? max(100, (usable?.outputs.count ?? 0) / 10))
        for page in known { if let stamp = page.stamp { output.keep(page.path, stamp: stamp) } }
        // The feeds, the sitemap and the theme's static files depend on no page: written alongside them.
        let alongside = Mutex<Result<(generated: (paths: [String], bytes: Int), staticFiles: [String]), any Error>?>(nil)
        let rendered = try render(toRender.map { pages[$0] }, with: renderer, to: output) {
            let result = Result { (generated: try writeGeneratedFiles(renderer, pages: pages, to: output), staticFiles: try copyStaticFiles(of: site, to: output)) }
            alongside.withLock { $0 = result }
        }
        clock.step("render and write \(toRender.count) pages, feeds and static files")
        defer { leaveForExit(of: site, rendered) }
        var pageRecords = known.map(\.kept)
        for (page, i) in zip(rendered, toRender) {
            pageRecords[i] = BuildManifest.Page(
                fingerprint: LiveSite.withLinks(known[i].fingerprint, page.linkTargets, postURLs), linkTargets: page.linkTargets,
                attachments: page.attachments, diagnostics: page.diagnostics)
        }
        let (sources, diagnostics) = gather(pageRecords.lazy.map { ($0!.attachments, $0!.diagnostics) })
        report.diagnostics = diagnostics
        if diagnostics.hasErrors { return (report, nil, output) }
        let (generated, staticFiles) = try alongside.withLock { $0! }.get()
        for attachment in sources { try copyAttachment(attachment, to: output) }
        clock.step("attachments")

        var files = Set(known.map(\.path))
        defer { leaveForExit(of: site, files) }
        files.formUnion(sources.map { "_files/" + Self.attachmentOutputPath($0) })
        files.formUnion(generated.paths)
        files.formUnion(staticFiles)
        var finished = try output.finish(files: files)
        clock.step("finish output")
        // The records are changed in place: `finished` holds the only reference to them.
        for (i, known) in known.enumerated() { finished.records[known.path]?.page = pageRecords[i] }
        let manifest = BuildManifest(
            tool: tool, executable: executable, settings: settings, theme: theme, output: outputPath, inputs: inputs, outputs: finished.records)
        report.posts = site.postCount
        report.comments = site.commentCount
        report.pages = pages.count
        report.files = files.count
        report.bytes = finished.records.values.reduce(0) { $0 + Int($1.stamp.size) }
        report.rendered = rendered.count
        report.written = finished.written
        report.removed = finished.removed
        report.changed = finished.changed
        var withReport = manifest
        withReport.folders = folders
        withReport.report = BuildManifest.Report(posts: report.posts, comments: report.comments, pages: report.pages, bytes: report.bytes)
        return (report, withReport, output)
    }
}
