import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of loading a site: the model when nothing was an error, and every diagnostic.
public struct LoadResult: Sendable {
    public var site: Site?
    public var diagnostics: [Diagnostic]
    /// The settings as far as they could be read (defaults for what is broken); `nil` without a site.yml.
    public var config: SiteConfig?
    /// Stable hashes (``StableHasher``) of the post and comment files read, by path relative to
    /// the site's folder (`Content/free/812301.md`).
    public var contentHashes: [String: Int] = [:]
    /// The stamps of the content files read, as they were opened.
    var contentStamps: [String: FileStamp] = [:]
}

/// A load that ended before any post was read (no `site.yml`, no `Content/`).
struct LoadFailure: Error {
    var result: LoadResult
    init(_ result: LoadResult) { self.result = result }
}

/// Reads `site.yml`, `Content/` and the theme's static names into a validated `Site`.
public enum SiteLoader {
    /// Top-level names of the site that a board may not take.
    public static let reservedNames: Set<String> = ["tags", "archive", "search", "page", "feed", "sitemap", "404", "index"]

    /// Loads the site in `source` (the folder holding `site.yml`).
    /// - Parameters:
    ///   - display: how to print `source` in diagnostics (`.` gives `Content/free/1.md`).
    ///   - baseURL: overrides `site.yml`'s `base_url`.
    ///   - dropContentAbove: with more post files than this, each post's body and comments are
    ///     let go once it is checked (``Post/dropContent()``), so that memory grows only with what
    ///     listings need; the renderer reads them again (``reload(_:config:contentRoot:)``).
    public static func load(
        source: String, display: String? = nil, baseURL: String? = nil, jobs: Int = ProcessInfoCores.count, dropContentAbove: Int = .max
    ) -> LoadResult {
        let scanned: Scan
        switch scan(source: source, display: display, baseURL: baseURL, jobs: jobs) {
        case .failure(let failure): return failure.result
        case .success(let s): scanned = s
        }
        let clock = SiteClock(timeZone: scanned.config.timeZone)
        let drop = scanned.postFiles.count > dropContentAbove
        let loaded = parallelMap(scanned.postFiles, jobs: jobs) { file in
            var loaded = PostLoader.loadHashing(file, config: scanned.config, clock: clock)
            if drop { loaded.post?.dropContent() }
            return loaded
        }
        // The site is put together while the files' hashes are gathered.
        var (result, (hashes, stamps)) = both(
            { assemble(scanned, loaded: loaded.map { ($0.post, $0.diagnostics) }) },
            {
                var hashes: [String: Int] = [:]
                var stamps: [String: FileStamp] = [:]
                hashes.reserveCapacity(loaded.count * 2)
                stamps.reserveCapacity(loaded.count * 2)
                for (file, loaded) in zip(scanned.postFiles, loaded) {
                    let path = "Content/" + file.contentPath
                    if let hash = loaded.fileHash { hashes[path] = hash }
                    if let stamp = loaded.fileStamp { stamps[path] = stamp }
                    if let comments = file.comments {
                        let path = "Content/" + comments.contentPath
                        if let hash = loaded.commentFileHash { hashes[path] = hash }
                        if let stamp = loaded.commentFileStamp { stamps[path] = stamp }
                    }
                }
                return (hashes, stamps)
            })
        result.site?.contentDropped = drop
        result.contentHashes = hashes
        result.contentStamps = stamps
        return result
    }

    /// The comment files a post may have, by suffix of its stem; the first that exists is used.
    static let commentSuffixes = [".comments.yml", ".comments.yaml", ".comments.json"]

    /// `post` with its body and comments, read again from its files (after `dropContent()`).
    static func reload(_ post: Post, config: SiteConfig, contentRoot: String) -> Post? {
        let absolute = contentRoot + "/" + post.contentPath
        let absoluteStem = String(absolute.dropLast(3))
        let displayStem = String(post.location.path.dropLast(3))
        let suffix = commentSuffixes.first { FileManager.default.fileExists(atPath: absoluteStem + $0) }
        let file = PostFile(
            board: post.board, contentPath: post.contentPath, absolutePath: absolute, displayPath: post.location.path,
            stem: absoluteStem.splitAtLastSlash?.name ?? absoluteStem,
            comments: suffix.map {
                CommentFile(contentPath: String(post.contentPath.dropLast(3)) + $0, absolutePath: absoluteStem + $0, displayPath: displayStem + $0)
            })
        return PostLoader.load(file, config: config, clock: SiteClock(timeZone: config.timeZone)).0
    }

    /// What a walk of the site's folders found, before any post is read: the settings, the
    /// boards' settings, the post files and the problems seen on the way.
    struct Scan: Sendable {
        var config: SiteConfig
        var boardSettings: [(slug: String, settings: ConfigLoader.BoardSettings)]
        /// Board by board, in the order of `boardSettings`' folders on disk.
        var postFiles: [PostFile]
        /// Problems with the settings and the boards' folders.
        var topDiagnostics: [Diagnostic]
        /// Problems found walking each board's folder, by board.
        var boardDiagnostics: [String: [Diagnostic]]
        var contentRoot: String
        var contentDisplay: String
        var realContentRoot: String

        var diagnostics: [Diagnostic] {
            topDiagnostics + boardDiagnostics.keys.sorted().flatMap { boardDiagnostics[$0]! }
        }

        /// Walks one board's folder again (its posts came, went or moved; its settings did not change).
        mutating func rescan(board: String) {
            guard let first = postFiles.firstIndex(where: { $0.board == board }) ?? insertionPoint(of: board) else { return }
            let end = postFiles[first...].firstIndex { $0.board != board } ?? postFiles.endIndex
            var files: [PostFile] = []
            var diagnostics: [Diagnostic] = []
            SiteLoader.collectPosts(
                board: board, folder: contentRoot + "/" + board, relative: board, display: contentDisplay + "/" + board, realRoot: realContentRoot,
                into: &files, diagnostics: &diagnostics)
            postFiles.replaceSubrange(first..<end, with: files)
            boardDiagnostics[board] = diagnostics
        }

        /// Where a board without posts would have them: before the first post of a later board.
        private func insertionPoint(of board: String) -> Int? {
            guard boardSettings.contains(where: { $0.slug == board }) else { return nil }
            return postFiles.firstIndex { $0.board.precedesByBytes(board) == false } ?? postFiles.endIndex
        }
    }

    /// Reads `site.yml` and the boards' `_board.yml`, and lists the post files of `Content/`.
    /// Fails with the final result when there is no site to load at all.
    static func scan(source: String, display: String?, baseURL: String?, jobs: Int = ProcessInfoCores.count) -> Result<Scan, LoadFailure> {
        let shown = display ?? source
        func show(_ relative: String) -> String { shown == "." || shown.isEmpty ? relative : (shown.hasSuffix("/") ? shown + relative : shown + "/" + relative) }
        var diagnostics: [Diagnostic] = []
        let sitePath = source + "/site.yml"
        // A broken site.yml still lets Content/ be checked with the default settings, so that one
        // run reports every error; the site is not built either way.
        var settings = SiteConfig(title: "")
        switch PostLoader.readText(sitePath, display: show("site.yml")) {
        case .failure(let d):
            guard FileManager.default.fileExists(atPath: sitePath) else {
                return .failure(LoadFailure(LoadResult(site: nil, diagnostics: [.error(d.location, "no site.yml here: run bulletin in a site's folder or pass --source")])))
            }
            diagnostics.append(d)
        case .success(let text):
            let (loaded, d) = ConfigLoader.loadSite(path: show("site.yml"), text: text)
            diagnostics += d
            if let loaded { settings = loaded }
        }
        if let baseURL { settings.setBaseURL(baseURL) }
        let config = settings
        let contentRoot = source + "/Content"
        let contentDisplay = show("Content")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contentRoot, isDirectory: &isDirectory), isDirectory.boolValue else {
            diagnostics.append(.error(SourceLocation(path: contentDisplay), "no Content/ folder: boards go in Content/<board>/"))
            return .failure(LoadFailure(LoadResult(site: nil, diagnostics: diagnostics, config: config)))
        }
        let realContent = realPath(contentRoot) ?? contentRoot
        let staticNames = themeStaticNames(source + "/Themes/" + config.theme + "/static")

        var boardSettings: [(slug: String, settings: ConfigLoader.BoardSettings)] = []
        // The boards' folders, walked side by side once all are known.
        var boardFolders: [(entry: String, path: String, display: String)] = []
        var boardDiagnostics: [String: [Diagnostic]] = [:]
        var lowered: [String: String] = [:]
        for entry in sortedEntries(contentRoot) where !entry.hasPrefix(".") {
            let path = contentRoot + "/" + entry
            let display = contentDisplay + "/" + entry
            let kind = fileKind(path, realRoot: realContent)
            switch kind {
            case .outside:
                diagnostics.append(.error(SourceLocation(path: display), "symbolic link points outside Content/; refused"))
                continue
            case .file:
                if entry.hasSuffix(".md") {
                    diagnostics.append(.warning(SourceLocation(path: display), "a post must be inside a board folder (Content/<board>/); ignored"))
                }
                continue
            case .other:
                continue
            case .directory:
                break
            }
            guard PathRules.isValidID(entry) else {
                diagnostics.append(.error(SourceLocation(path: display), "board folder names must be letters, digits, '_' or '-' (starting with a letter or digit)"))
                continue
            }
            let key = entry.lowercased()
            if reservedNames.contains(key) || staticNames.contains(key) {
                diagnostics.append(.error(SourceLocation(path: display), "a board cannot be named '\(entry)': /\(entry)/ is one of the site's own paths"))
                continue
            }
            if let other = lowered[key] {
                diagnostics.append(.error(SourceLocation(path: display), "board '\(entry)' differs from board '\(other)' only in case; rename one"))
                continue
            }
            lowered[key] = entry
            var settings = ConfigLoader.BoardSettings()
            let boardFile = path + "/_board.yml"
            if FileManager.default.fileExists(atPath: boardFile) {
                switch PostLoader.readText(boardFile, display: display + "/_board.yml") {
                case .failure(let d): diagnostics.append(d)
                case .success(let text):
                    let (s, d) = ConfigLoader.loadBoard(path: display + "/_board.yml", text: text)
                    settings = s
                    diagnostics += d
                }
            }
            boardSettings.append((entry, settings))
            boardFolders.append((entry, path, display))
        }
        let walked = parallelMap(boardFolders, jobs: jobs) { board -> (files: [PostFile], diagnostics: [Diagnostic]) in
            var files: [PostFile] = []
            var diagnostics: [Diagnostic] = []
            collectPosts(
                board: board.entry, folder: board.path, relative: board.entry, display: board.display, realRoot: realContent, into: &files,
                diagnostics: &diagnostics)
            return (files, diagnostics)
        }
        var postFiles: [PostFile] = []
        postFiles.reserveCapacity(walked.reduce(0) { $0 + $1.files.count })
        for (board, walk) in zip(boardFolders, walked) {
            postFiles += walk.files
            boardDiagnostics[board.entry] = walk.diagnostics
        }

        return .success(
            Scan(
                config: config, boardSettings: boardSettings, postFiles: postFiles, topDiagnostics: diagnostics, boardDiagnostics: boardDiagnostics,
                contentRoot: contentRoot, contentDisplay: contentDisplay, realContentRoot: realContent))
    }

    /// The site made of the scanned folders and the posts loaded from `scan.postFiles` (one result
    /// per file, in the same order): posts grouped by board, duplicate ids refused.
    static func assemble(_ scan: Scan, loaded: [(Post?, [Diagnostic])]) -> LoadResult {
        let config = scan.config
        let postFiles = scan.postFiles
        let contentDisplay = scan.contentDisplay
        var diagnostics = scan.diagnostics
        var boardSettings = scan.boardSettings
        var postsByBoard: [String: [Post]] = [:]
        var seenIDs: [String: [String: (id: String, path: String)]] = [:]
        for (index, (post, d)) in loaded.enumerated() {
            diagnostics += d
            guard let post else { continue }
            let key = post.id.lowercased()
            if let other = seenIDs[post.board]?[key] {
                let what = other.id == post.id ? "duplicate post id '\(post.id)'" : "post id '\(post.id)' differs only in case from another"
                diagnostics.append(.error(post.location, "\(what) in board '\(post.board)' (also in \(other.path))"))
                continue
            }
            seenIDs[post.board, default: [:]][key] = (post.id, postFiles[index].displayPath)
            postsByBoard[post.board, default: []].append(post)
        }

        var boards: [Board] = []
        boardSettings.sort { a, b in a.settings.weight != b.settings.weight ? a.settings.weight < b.settings.weight : a.slug < b.slug }
        for (slug, settings) in boardSettings {
            let posts = postsByBoard[slug] ?? []
            if !postFiles.contains(where: { $0.board == slug }) {
                diagnostics.append(.warning(SourceLocation(path: contentDisplay + "/" + slug), "board '\(slug)' has no posts"))
            }
            boards.append(
                Board(
                    slug: slug, title: settings.title ?? slug, description: settings.description, sort: settings.sort,
                    perPage: settings.perPage ?? config.perPage, posts: posts))
        }
        if boards.isEmpty && !diagnostics.hasErrors {
            diagnostics.append(.warning(SourceLocation(path: contentDisplay), "Content/ has no boards"))
        }
        let site = diagnostics.hasErrors ? nil : Site(config: config, boards: boards)
        return LoadResult(site: site, diagnostics: diagnostics.sortedForReport(), config: config)
    }

    static func collectPosts(
        board: String, folder: String, relative: String, display: String, realRoot: String, into files: inout [PostFile],
        diagnostics: inout [Diagnostic]
    ) {
        let listed = sortedEntriesWithKinds(folder).filter { !$0.name.hasPrefix(".") }
        let entries = listed.map(\.name)
        let names = Set(entries)
        var commentStems = Set<String>()
        for (entry, type) in listed {
            let path = folder + "/" + entry
            let shown = display + "/" + entry
            // The folder's listing tells files and folders apart; links and the unknown are looked at.
            let kind: FileKind =
                switch type {
                case UInt8(DT_REG): .file
                case UInt8(DT_DIR): .directory
                case UInt8(DT_LNK), UInt8(DT_UNKNOWN): fileKind(path, realRoot: realRoot)
                default: .other
                }
            switch kind {
            case .outside:
                diagnostics.append(.error(SourceLocation(path: shown), "symbolic link points outside Content/; refused"))
            case .directory:
                collectPosts(
                    board: board, folder: path, relative: relative + "/" + entry, display: shown, realRoot: realRoot, into: &files,
                    diagnostics: &diagnostics)
            case .other:
                break
            case .file:
                if entry.hasSuffix(".md") {
                    let stem = String(entry.dropLast(3))
                    var comments: CommentFile?
                    let present = commentSuffixes.map { stem + $0 }.filter { names.contains($0) }
                    if let first = present.first {
                        comments = CommentFile(contentPath: relative + "/" + first, absolutePath: folder + "/" + first, displayPath: display + "/" + first)
                        if present.count > 1 {
                            diagnostics.append(.warning(SourceLocation(path: display + "/" + present[1]), "'\(first)' is used; this comment file is ignored"))
                        }
                        commentStems.insert(stem)
                    }
                    files.append(
                        PostFile(
                            board: board, contentPath: relative + "/" + entry, absolutePath: path, displayPath: shown, stem: stem,
                            comments: comments))
                } else if entry == "_board.yml" && relative != board {
                    diagnostics.append(.warning(SourceLocation(path: shown), "_board.yml belongs at the top of a board folder; ignored"))
                }
            }
        }
        for entry in entries {
            for suffix in commentSuffixes where entry.hasSuffix(suffix) {
                let stem = String(entry.dropLast(suffix.count))
                if !commentStems.contains(stem) {
                    diagnostics.append(.warning(SourceLocation(path: display + "/" + entry), "no post '\(stem).md' beside this comment file; ignored"))
                }
            }
        }
    }

    enum FileKind { case file, directory, outside, other }

    /// What a path is, refusing symbolic links that lead outside `realRoot`.
    static func fileKind(_ path: String, realRoot: String) -> FileKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .other }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK {
            guard let target = realPath(path), target == realRoot || target.hasPrefix(realRoot + "/") else { return .outside }
            var resolved = stat()
            guard stat(path, &resolved) == 0 else { return .other }
            // A link to a folder inside Content/ could loop; only linked files are followed.
            return resolved.st_mode & S_IFMT == S_IFREG ? .file : .other
        }
        if type == S_IFDIR { return .directory }
        if type == S_IFREG { return .file }
        return .other
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Names in a folder, sorted by their bytes so every build sees the same order.
    static func sortedEntries(_ folder: String) -> [String] {
        sortedEntriesWithKinds(folder).map(\.name)
    }

    /// Names in a folder with their type as the listing gives it (`DT_REG`, `DT_DIR`, `DT_LNK`,
    /// or `DT_UNKNOWN` on file systems that do not say), sorted by their bytes; `.` and `..` left out.
    static func sortedEntriesWithKinds(_ folder: String) -> [(name: String, type: UInt8)] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(dir) {
            let (name, type) = directoryEntry(entry)
            if name == "." || name == ".." { continue }
            entries.append((name, type))
        }
        return entries.sorted { $0.name.precedesByBytes($1.name) }
    }

    static func themeStaticNames(_ folder: String) -> Set<String> {
        Set(sortedEntries(folder).map { $0.lowercased() })
    }
}
