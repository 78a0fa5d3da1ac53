import Foundation

/// A post file found below a board, with its comment file if there is one.
struct PostFile: Sendable {
    var board: String
    /// Relative to `Content/`.
    var contentPath: String
    var absolutePath: String
    var displayPath: String
    var stem: String
    var comments: CommentFile?
}

struct CommentFile: Sendable {
    /// Relative to `Content/`.
    var contentPath: String
    var absolutePath: String
    var displayPath: String
}

/// Decodes one post file and its comment file into a `Post`.
enum PostLoader {
    static let knownKeys = [
        "id", "title", "author", "date", "updated", "views", "recommends", "comment_count", "tags", "notice",
        "deleted", "source", "captured", "edited", "deleted_at", "versions",
    ]
    static let commentKeys = ["id", "author", "date", "body", "reply_to", "recommends", "deleted", "deleted_at"]

    /// Reads a post file and its comment file from disk and decodes them.
    static func load(_ file: PostFile, config: SiteConfig, clock: SiteClock) -> (Post?, [Diagnostic]) {
        let loaded = loadHashing(file, config: config, clock: clock)
        return (loaded.post, loaded.diagnostics)
    }

    /// A post as `load` gives it, with the stable hashes (``StableHasher``) of the bytes it read:
    /// the build's manifest records them without reading the files again.
    struct Loaded: Sendable {
        var post: Post?
        var diagnostics: [Diagnostic]
        var fileHash: Int?
        var commentFileHash: Int?
        /// The stamps the files had when they were opened.
        var fileStamp: FileStamp?
        var commentFileStamp: FileStamp?
    }

    static func loadHashing(_ file: PostFile, config: SiteConfig, clock: SiteClock) -> Loaded {
        var comments: [Comment] = []
        var commentDiagnostics: [Diagnostic] = []
        var commentFileHash: Int?
        var commentFileStamp: FileStamp?
        if let commentFile = file.comments {
            switch readText(commentFile.absolutePath, display: commentFile.displayPath, hash: &commentFileHash, stamp: &commentFileStamp) {
            case .success(let text): (comments, commentDiagnostics) = decodeComments(text, path: commentFile.displayPath, config: config, clock: clock)
            case .failure(let d): commentDiagnostics = [d]
            }
        }
        var fileHash: Int?
        var fileStamp: FileStamp?
        var loaded = Loaded(post: nil, diagnostics: [], fileHash: nil, commentFileHash: commentFileHash, commentFileStamp: commentFileStamp)
        switch readText(file.absolutePath, display: file.displayPath, hash: &fileHash, stamp: &fileStamp) {
        case .success(let text):
            (loaded.post, loaded.diagnostics) = decode(
                text, file: file, comments: comments, commentDiagnostics: commentDiagnostics, config: config, clock: clock)
        case .failure(let d):
            loaded.diagnostics = [d] + commentDiagnostics
        }
        loaded.fileHash = fileHash
        loaded.fileStamp = fileStamp
        return loaded
    }

    /// Decodes a post's text, given its comments as already decoded (and their diagnostics).
    static func decode(
        _ text: String, file: PostFile, comments: [Comment], commentDiagnostics: [Diagnostic], config: SiteConfig, clock: SiteClock
    ) -> (Post?, [Diagnostic]) {
        let start = SourceLocation(path: file.displayPath)
        let parts: FrontMatter
        switch FrontMatter.split(text) {
        case .success(let p): parts = p
        case .failure(.missingStart):
            return (nil, [.error(start, "a post must start with front matter: a line '---', YAML, and a line '---'")] + commentDiagnostics)
        case .failure(.unclosed):
            return (nil, [.error(start, "the front matter is not closed by a line '---'")] + commentDiagnostics)
        }
        var reader = NodeReader(path: file.displayPath, lineOffset: parts.lineOffset)
        let root: YAMLNode
        do {
            guard let node = try YAML.parse(parts.yaml, nodeLimit: Limits.frontMatterValues) else {
                return (nil, [.error(SourceLocation(path: file.displayPath, line: 2), "the front matter is empty: a post needs a 'title' and a 'date'")] + commentDiagnostics)
            }
            root = node
        } catch {
            return (nil, [.error(reader.location(error.mark), error.message)] + commentDiagnostics)
        }
        guard let fields = reader.fields(of: root, what: "the front matter") else { return (nil, reader.diagnostics + commentDiagnostics) }

        var id = file.stem
        var title: String?
        var author = config.anonymous
        var date: Timestamp?
        var updated: Timestamp?
        var views = 0
        var recommends = 0
        var commentCount: Int?
        var tags: [String] = []
        var notice = false
        var deleted = false
        var source: String?
        var captured: Timestamp?
        var edited: Timestamp?
        var deletedAt: Timestamp?
        var versions: [PostVersion] = []
        var params: [Param] = []
        var idMark: YAMLMark?
        var commentCountMark = root.mark

        for (key, mark, value) in fields {
            switch key {
            case "id":
                guard let v = reader.text(value, key: key) else { continue }
                if PathRules.isValidID(v) {
                    id = v
                    idMark = value.mark
                } else {
                    reader.error(value.mark, "'id' must be letters, digits, '_' or '-' (starting with a letter or digit), not '\(v.prefix(40))'")
                }
            case "title": title = reader.text(value, key: key).map { reader.capped($0, what: "the title", limit: Limits.titleLength, at: value.mark) }
            case "author":
                author = reader.capped(reader.author(value, anonymous: config.anonymous) ?? author, what: "the author", limit: Limits.authorLength, at: value.mark)
            case "date": date = reader.date(value, key: key, clock: clock)
            case "updated": updated = reader.date(value, key: key, clock: clock)
            case "captured": captured = reader.date(value, key: key, clock: clock)
            case "edited": edited = reader.date(value, key: key, clock: clock)
            case "deleted_at": deletedAt = reader.date(value, key: key, clock: clock)
            case "versions": versions = decodeVersions(value, reader: &reader, clock: clock)
            case "views": views = reader.count(value, key: key) ?? 0
            case "recommends": recommends = reader.count(value, key: key) ?? 0
            case "comment_count":
                commentCount = reader.count(value, key: key)
                commentCountMark = value.mark
            case "tags":
                var seen = Set<String>()
                for tag in reader.strings(value, key: key) ?? [] {
                    if tags.count == Limits.tagsPerPost {
                        reader.warning(value.mark, "more than \(Limits.tagsPerPost) tags; the rest are ignored")
                        break
                    }
                    let trimmed = reader.capped(tag.singleLine().trimmingWhitespace(), what: "a tag", limit: Limits.tagLength, at: value.mark)
                    if trimmed.isEmpty {
                        reader.warning(value.mark, "an empty tag is ignored")
                    } else if seen.insert(trimmed.lowercased()).inserted {
                        tags.append(trimmed)
                    }
                }
            case "notice": notice = reader.bool(value, key: key) ?? false
            case "deleted": deleted = reader.bool(value, key: key) ?? false
            case "source":
                if let v = reader.text(value, key: key) {
                    if URLSafety.isWebURL(v), let url = Escape.url(v) {
                        source = url
                    } else {
                        reader.warning(value.mark, "'source' is not an http(s) URL and is not linked")
                    }
                }
            default:
                if let typo = NodeReader.likelyTypo(of: key, among: knownKeys) {
                    reader.warning(mark, "'\(key.prefix(60))' is kept as a template param; did you mean '\(typo)'?")
                }
                let text = reader.capped(NodeReader.flatten(value), what: "'\(key.prefix(40))'", limit: Limits.paramLength, at: value.mark)
                params.append(Param(key: reader.capped(key, what: "a key", limit: Limits.tagLength, at: mark), value: text))
            }
        }
        if title == nil && !fields.contains(where: { $0.key == "title" }) {
            reader.error(root.mark, "the front matter needs a 'title'")
        }
        if date == nil && !fields.contains(where: { $0.key == "date" }) {
            reader.error(root.mark, "the front matter needs a 'date'")
        }
        // Compared without case: on a case-insensitive host /free/Best/ is /free/best/.
        if id.lowercased() == "page" || id.lowercased() == "best" {
            let at = idMark.map { reader.location($0) } ?? start
            reader.diagnostics.append(.error(at, "'\(id)' cannot be a post id: /<board>/\(id.lowercased())/ is a listing page"))
        } else if idMark == nil && !PathRules.isValidID(id) {
            reader.diagnostics.append(
                .error(start, "the file name '\(file.stem.prefix(40))' is not a valid post id; rename it or set 'id' (letters, digits, '_', '-')"))
        }

        reader.diagnostics += commentDiagnostics
        guard let title, let date, !reader.diagnostics.hasErrors else { return (nil, reader.diagnostics) }

        let newestComment = comments.map(\.date).max()
        let lastActivity = updated ?? max(date, newestComment ?? date)
        var count = comments.count
        if let given = commentCount {
            if given < comments.count {
                reader.warning(commentCountMark, "'comment_count' is \(given) but \(comments.count) comments were loaded; using \(comments.count)")
            } else {
                count = given
            }
        }
        var post = Post(
            board: file.board, id: id, title: title, author: author, date: date, updated: lastActivity, views: views,
            recommends: recommends, commentCount: count, tags: tags, notice: notice, deleted: deleted, source: source,
            captured: captured, params: params, body: parts.body, contentPath: file.contentPath, location: start,
            comments: comments)
        post.edited = edited
        post.deletedAt = deletedAt
        post.versions = versions
        return (post, reader.diagnostics)
    }

    /// `versions`: the titles and bodies earlier captures showed, as `bulletin import` writes
    /// them (a list of `title`, `body`, `first_seen`, `last_seen`).
    static func decodeVersions(_ node: YAMLNode, reader: inout NodeReader, clock: SiteClock) -> [PostVersion] {
        guard case .sequence(let items, _) = node else {
            reader.error(node.mark, "'versions' must be a list of earlier titles and bodies")
            return []
        }
        var versions: [PostVersion] = []
        for item in items {
            guard let fields = reader.fields(of: item, what: "a version") else { continue }
            var title: String?, body: String?, first: Timestamp?, last: Timestamp?
            for (key, mark, value) in fields {
                switch key {
                case "title": title = reader.text(value, key: key).map { reader.capped($0, what: "the title", limit: Limits.titleLength, at: value.mark) }
                case "body": body = reader.string(value, key: key)
                case "first_seen": first = reader.date(value, key: key, clock: clock)
                case "last_seen": last = reader.date(value, key: key, clock: clock)
                default: reader.warning(mark, "unknown key '\(key.prefix(40))' in a version is ignored")
                }
            }
            guard let title else {
                reader.error(item.mark, "a version needs a 'title'")
                continue
            }
            versions.append(PostVersion(title: title, body: body ?? "", firstSeen: first, lastSeen: last ?? first))
        }
        return versions
    }

    /// Decodes a comment file's text (YAML or JSON); `path` is how diagnostics name the file.
    static func decodeComments(_ text: String, path: String, config: SiteConfig, clock: SiteClock) -> ([Comment], [Diagnostic]) {
        var reader = NodeReader(path: path)
        let root: YAMLNode
        do {
            guard let node = try YAML.parse(text) else { return ([], []) }
            root = node
        } catch {
            return ([], [.error(reader.location(error.mark), error.message)])
        }
        guard case .sequence(let items, _) = root else {
            if case .scalar(let s, true, _) = root, s.isEmpty { return ([], []) }
            reader.error(root.mark, "a comment file must be a list of comments")
            return ([], reader.diagnostics)
        }
        var comments: [Comment] = []
        comments.reserveCapacity(items.count)
        // Each comment's place in `comments`, by id.
        var seen: [String: Int] = [:]
        seen.reserveCapacity(items.count)
        var valid = true
        for item in items {
            guard let fields = reader.fields(of: item, what: "a comment") else {
                valid = false
                continue
            }
            var id: String?
            var author = config.anonymous
            var date: Timestamp?
            var body: String?
            var replyTo: (String, YAMLMark)?
            var recommends = 0
            var deleted = false
            var deletedAt: Timestamp?
            for (key, mark, value) in fields {
                switch key {
                case "id": id = reader.text(value, key: key)
                case "author":
                    author = reader.capped(
                        reader.author(value, anonymous: config.anonymous) ?? author, what: "the author", limit: Limits.authorLength, at: value.mark)
                case "date": date = reader.date(value, key: key, clock: clock)
                case "body": body = reader.string(value, key: key)
                case "reply_to":
                    if case .scalar(let v, true, _) = value, v.isEmpty { continue }
                    if let v = reader.text(value, key: key) { replyTo = (v, value.mark) }
                case "recommends": recommends = reader.count(value, key: key) ?? 0
                case "deleted": deleted = reader.bool(value, key: key) ?? false
                case "deleted_at": deletedAt = reader.date(value, key: key, clock: clock)
                default:
                    reader.warning(mark, ConfigLoader.unknownKeyMessage(key, known: commentKeys, file: "a comment"))
                }
            }
            func has(_ name: String) -> Bool { fields.contains { $0.key == name } }
            if !has("id") { reader.error(item.mark, "a comment needs an 'id'") }
            if !has("date") { reader.error(item.mark, "a comment needs a 'date'") }
            if !has("body") && !deleted { reader.error(item.mark, "a comment needs a 'body' unless it is deleted") }
            guard let id, let date, body != nil || deleted else {
                valid = false
                continue
            }
            if seen[id] != nil {
                let idMark = fields.first { $0.key == "id" }!.value.mark
                reader.error(idMark, "duplicate comment id '\(id.prefix(40))'")
                valid = false
                continue
            }
            var parent: (id: String, index: Int)?
            if let (target, mark) = replyTo {
                if let index = seen[target] {
                    parent = (target, index)
                } else {
                    reader.warning(mark, "'reply_to' names no earlier comment '\(target.prefix(40))'; shown as a top-level comment")
                }
            }
            seen[id] = comments.count
            var comment = Comment(id: id, author: author, date: date, body: body ?? "", replyTo: parent, recommends: recommends, deleted: deleted)
            comment.deletedAt = deletedAt
            comments.append(comment)
        }
        return (valid && !reader.diagnostics.hasErrors ? comments : [], reader.diagnostics)
    }

    static func readText(_ path: String, display: String) -> Result<String, Diagnostic> {
        var hash: Int?
        var stamp: FileStamp?
        return readText(path, display: display, hash: &hash, stamp: &stamp)
    }

    /// The file's text, NFC; the stable hash of its bytes in `hash` when it could be read, and
    /// its stamp in `stamp` when it could be opened.
    static func readText(_ path: String, display: String, hash: inout Int?, stamp: inout FileStamp?) -> Result<String, Diagnostic> {
        let bytes: [UInt8]
        switch readFile(path, limit: Limits.fileBytes, stamp: &stamp) {
        case .success(let b): bytes = b
        case .failure(.tooLarge):
            return .failure(.error(SourceLocation(path: display), "the file is larger than \(Limits.fileBytes >> 20) MiB; refused"))
        case .failure(.unreadable):
            return .failure(.error(SourceLocation(path: display), "cannot read the file"))
        }
        hash = StableHasher.hash(bytes)
        switch SourceText.decode(bytes) {
        case .success(let text): return .success(text)
        case .failure(.notUTF8(let line, let column)):
            return .failure(.error(SourceLocation(path: display, line: line, column: column), "the file is not valid UTF-8 (save it as UTF-8)"))
        }
    }
}
