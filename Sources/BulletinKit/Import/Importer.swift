import Foundation

/// `bulletin import`: merges captures into a site's `Content/`.
///
/// Every capture is read and checked before anything is written; the changed files are then
/// written beside their places and renamed over them, so that an import that fails leaves
/// `Content/` as it was. The merge is a join of what each capture saw (``PostHistory``), so any
/// order of the same captures, imported once or many times, gives the same files.
public struct Importer {
    public struct Options: Sendable {
        public var source: String
        public var board: String?
        public var captured: String?
        public var encoding: CaptureEncoding?
        public var dryRun: Bool

        public init(source: String, board: String? = nil, captured: String? = nil, encoding: CaptureEncoding? = nil, dryRun: Bool = false) {
            self.source = source
            self.board = board
            self.captured = captured
            self.encoding = encoding
            self.dryRun = dryRun
        }
    }

    /// What an import did, or would do.
    public struct Report: Sendable {
        public var diagnostics: [Diagnostic] = []
        /// Files written (or that would be), relative to the site's folder, with whether each is new.
        public var changes: [(path: String, isNew: Bool)] = []
        public var posts = 0
        public var captures = 0
        public var failed: Bool { diagnostics.contains { $0.severity == .error } }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// Merges `captures` (paths as given, shown as given).
    public func run(_ captures: [String]) -> Report {
        var report = Report()
        let loaded = SiteLoader.load(source: options.source, display: options.source)
        guard let site = loaded.site, !loaded.diagnostics.contains(where: { $0.severity == .error }) else {
            report.diagnostics = loaded.diagnostics.filter { $0.severity == .error }
            if report.diagnostics.isEmpty { report.diagnostics = [.error(SourceLocation(path: options.source), "the site does not load")] }
            return report
        }
        let clock = SiteClock(timeZone: site.config.timeZone)
        var captured: Timestamp?
        if let text = options.captured {
            switch DateParser.parse(text, clock: clock) {
            case .success(let t): captured = t
            case .failure(.invalid(let message, _)):
                report.diagnostics.append(.error(SourceLocation(path: "--captured"), message))
                return report
            }
        }
        if let b = options.board, !PathRules.isValidID(b) {
            report.diagnostics.append(.error(SourceLocation(path: "--board"), "a board is named with letters, digits, '-' and '_'"))
            return report
        }
        let reader = CaptureReader(config: site.config, clock: clock, board: options.board, captured: captured, encoding: options.encoding)
        var observations: [PostObservation] = []
        var coverage: [Coverage] = []
        for path in captures {
            let capture = reader.read(path, display: path)
            report.diagnostics += capture.diagnostics
            observations += capture.observations
            coverage += capture.coverage
        }
        report.captures = captures.count
        report.posts = observations.count
        guard !report.failed else { return report }
        // Files the posts link to, brought in by the hash of their bytes; links rewritten.
        var attachments = CaptureAttachments()
        for i in observations.indices {
            guard let base = observations[i].links else { continue }
            let o = observations[i]
            let at = SourceLocation(path: "\(o.board)/\(o.id)")
            observations[i].body = attachments.localize(o.body, board: o.board, base: base, at: at)
            for c in (o.comments ?? []).indices {
                observations[i].comments![c].body = attachments.localize(o.comments![c].body, board: o.board, base: base, at: at)
            }
        }
        report.diagnostics += attachments.diagnostics
        guard !report.failed else { return report }

        let contentRoot = options.source + "/Content"
        var files: [(path: String, bytes: [UInt8])] = []
        do {
            files = try merged(site: site, observations: observations, coverage: coverage, contentRoot: contentRoot, clock: clock)
        } catch let error as HistoryError {
            report.diagnostics.append(.error(SourceLocation(path: error.path), error.message))
            return report
        } catch {
            report.diagnostics.append(.error(SourceLocation(path: contentRoot), "\(error)"))
            return report
        }
        files += attachments.files.map { ($0.key, $0.value) }
        // Only what differs from the disk.
        for file in files {
            let full = contentRoot + "/" + file.path
            let existing = FileManager.default.contents(atPath: full)
            if existing.map(Array.init) != file.bytes { report.changes.append(("Content/" + file.path, existing == nil)) }
        }
        report.changes.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        guard !options.dryRun else { return report }
        let byPath = Dictionary(files.map { ("Content/" + $0.path, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        if let failure = Self.write(report.changes.map { ($0.path, byPath[$0.path]!) }, root: options.source) {
            report.diagnostics.append(failure)
        }
        return report
    }

    struct HistoryError: Error {
        var path: String
        var message: String
    }

    /// The files of every post the import touches, by path below `Content/`.
    func merged(site: Site, observations: [PostObservation], coverage: [Coverage], contentRoot: String, clock: SiteClock) throws -> [(path: String, bytes: [UInt8])] {
        let writer = ContentWriter(clock: clock)
        var byBoard: [String: [PostObservation]] = [:]
        for o in observations { byBoard[o.board, default: []].append(o) }
        var newCoverage: [String: [Coverage]] = [:]
        for c in coverage { newCoverage[c.board, default: []].append(c) }
        let boards = Set(byBoard.keys).union(newCoverage.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var files: [(path: String, bytes: [UInt8])] = []
        for slug in boards {
            let folder = contentRoot + "/" + slug
            // The board's coverage: what earlier imports recorded, and this import's.
            var known: [Coverage] = []
            let coveragePath = folder + "/" + HistoryFile.coverageName
            if let data = FileManager.default.contents(atPath: coveragePath) {
                do { known = try HistoryFile.decode(coverage: Array(data), board: slug) } catch {
                    throw HistoryError(path: "Content/\(slug)/\(HistoryFile.coverageName)", message: "cannot be read: \(error); restore it from a backup or delete it")
                }
            }
            let all = Array(Set(known + newCoverage[slug, default: []])).sorted(by: Coverage.order)
            if !all.isEmpty { files.append(("\(slug)/\(HistoryFile.coverageName)", HistoryFile.encode(coverage: all))) }

            // Each post: its history so far (read, or made from its files), and this import's.
            var posts: [String: (stem: String, history: PostHistory, recorded: Bool)] = [:]
            for post in site.boards.first(where: { $0.slug == slug })?.posts ?? [] {
                let stem = String(post.contentPath.dropLast(3))
                let historyPath = contentRoot + "/" + stem + HistoryFile.suffix
                if let data = FileManager.default.contents(atPath: historyPath) {
                    do { posts[post.id] = (stem, try HistoryFile.decode(Array(data)), true) } catch {
                        throw HistoryError(path: "Content/\(stem)\(HistoryFile.suffix)", message: "cannot be read: \(error); restore it from a backup or delete it")
                    }
                } else {
                    // As if a capture had shown it at its `captured` time (or before every capture).
                    posts[post.id] = (stem, PostHistory(PostObservation(post, board: slug, captured: post.captured ?? .beforeCaptures)), false)
                }
            }
            var touched = Set<String>()
            for o in byBoard[slug, default: []] {
                touched.insert(o.id)
                if posts[o.id] == nil {
                    posts[o.id] = ("\(slug)/\(o.id)", PostHistory(o), true)
                } else {
                    posts[o.id]!.history.merge(PostHistory(o))
                    posts[o.id]!.recorded = true
                }
            }
            for (id, entry) in posts {
                let h = entry.history
                // A post no import recorded keeps its files unless a capture covered it.
                guard entry.recorded || touched.contains(id) || h.deleted(by: all) != nil else { continue }
                let stem = entry.stem
                let name = stem.splitAtLastSlash!.name
                files.append((stem + ".md", writer.post(h, stem: name, coverage: all)))
                if let comments = writer.comments(h) {
                    // The comment file the post already has, whatever its suffix, or a new one.
                    let existing = SiteLoader.commentSuffixes.first { FileManager.default.fileExists(atPath: contentRoot + "/" + stem + $0) }
                    if existing == nil || existing == ".comments.yml" {
                        files.append((stem + ".comments.yml", comments))
                    } else {
                        throw HistoryError(path: "Content/\(stem)\(existing!)", message: "the import writes comments to '\(name).comments.yml': convert this file or remove it first")
                    }
                }
                files.append((stem + HistoryFile.suffix, HistoryFile.encode(h)))
            }
        }
        return files
    }

    /// Writes every file beside its place, then renames each over it; on a failure before the
    /// renames, removes what it wrote and gives the error.
    static func write(_ files: [(path: String, bytes: [UInt8])], root: String) -> Diagnostic? {
        var staged: [(temporary: String, final: String)] = []
        for (path, bytes) in files {
            let final = root + "/" + path
            let (folder, name) = final.splitAtLastSlash!
            let temporary = folder + "/.import-" + name + ".tmp"
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: temporary))
                staged.append((temporary, final))
            } catch {
                for s in staged { try? FileManager.default.removeItem(atPath: s.temporary) }
                try? FileManager.default.removeItem(atPath: temporary)
                return .error(SourceLocation(path: path), "cannot write: \(error.localizedDescription); Content/ was not changed")
            }
        }
        for s in staged where rename(s.temporary, s.final) != 0 {
            return .error(SourceLocation(path: s.final), "cannot rename into place: \(String(cString: strerror(errno)))")
        }
        return nil
    }
}
