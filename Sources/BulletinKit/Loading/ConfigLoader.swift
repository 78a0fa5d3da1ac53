import Foundation

/// Reads `site.yml` and `_board.yml` files.
enum ConfigLoader {
    static let siteKeys = [
        "title", "description", "base_url", "language", "timezone", "theme", "per_page", "best_threshold",
        "anonymous", "output", "comments_per_page", "unsafe_html", "search",
    ]

    static func loadSite(path: String, text: String) -> (SiteConfig?, [Diagnostic]) {
        var reader = NodeReader(path: path)
        let root: YAMLNode
        do {
            guard let node = try YAML.parse(text) else {
                return (nil, [.error(SourceLocation(path: path), "site.yml is empty: it needs at least a title")])
            }
            root = node
        } catch {
            return (nil, [.error(reader.location(error.mark), error.message)])
        }
        guard let fields = reader.fields(of: root, what: "site.yml") else { return (nil, reader.diagnostics) }
        var config = SiteConfig(title: "")
        var hasTitle = false
        for (key, mark, value) in fields {
            switch key {
            case "title":
                if let v = reader.text(value, key: key) {
                    config.title = v
                    hasTitle = true
                }
            case "description":
                config.description = reader.string(value, key: key)?.singleLine().trimmingWhitespace() ?? ""
            case "base_url":
                if let v = reader.text(value, key: key) {
                    if v.contains(where: { $0 == "\"" || $0 == "<" || $0 == ">" || $0 == " " || $0 == "'" || $0 == "?" || $0 == "#" }) {
                        reader.error(value.mark, "'base_url' must be a URL or a path, without quotes, spaces, angle brackets, '?' or '#'")
                    } else if !(v.hasPrefix("/") || v.hasPrefix("http://") || v.hasPrefix("https://")) {
                        reader.error(value.mark, "'base_url' must start with http://, https:// or /")
                    } else {
                        config.setBaseURL(v)
                    }
                }
            case "language":
                if let v = reader.text(value, key: key) {
                    if v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                        config.language = v
                    } else {
                        reader.error(value.mark, "'language' must be a language tag such as 'ko' or 'en-US'")
                    }
                }
            case "timezone":
                if let v = reader.text(value, key: key) {
                    if let zone = TimeZone(identifier: v) {
                        config.timeZone = zone
                    } else {
                        reader.error(value.mark, "unknown time zone '\(v)' (use an IANA name such as 'Asia/Seoul')")
                    }
                }
            case "theme":
                if let v = reader.text(value, key: key) {
                    if PathRules.isSafeName(v) {
                        config.theme = v
                    } else {
                        reader.error(value.mark, "'theme' must be a folder name under Themes/")
                    }
                }
            case "per_page":
                if let v = reader.positive(value, key: key) { config.perPage = v }
            case "unsafe_html":
                if let v = reader.bool(value, key: key) { config.unsafeHTML = v }
            case "search":
                config.search = searchFields(value, reader: &reader)
            case "comments_per_page":
                if let v = reader.positive(value, key: key) { config.commentsPerPage = v }
            case "best_threshold":
                if let v = reader.count(value, key: key) { config.bestThreshold = v }
            case "anonymous":
                if let v = reader.text(value, key: key) { config.anonymous = v }
            case "output":
                if let v = reader.text(value, key: key) {
                    if PathRules.isSafeRelativePath(v) {
                        config.output = v
                    } else {
                        reader.error(value.mark, "'output' must be a folder inside the site's folder, such as 'public'")
                    }
                }
            default:
                reader.warning(mark, unknownKeyMessage(key, known: siteKeys, file: "site.yml"))
            }
        }
        if !fields.contains(where: { $0.key == "title" }) {
            reader.error(root.mark, "site.yml needs a 'title'")
        }
        return (hasTitle ? config : nil, reader.diagnostics)
    }

    /// `search: false`, `search: true`, or `search: {fields: [title, body, …]}`.
    static func searchFields(_ node: YAMLNode, reader: inout NodeReader) -> Set<SearchField>? {
        let all = Set(SearchField.allCases)
        guard case .mapping = node else {
            return reader.bool(node, key: "search") == false ? nil : all
        }
        guard let fields = reader.fields(of: node, what: "'search'") else { return all }
        var chosen = all
        for (key, mark, value) in fields {
            guard key == "fields" else {
                reader.warning(mark, unknownKeyMessage(key, known: ["fields"], file: "site.yml's 'search'"))
                continue
            }
            guard let names = reader.strings(value, key: "fields") else { continue }
            chosen = []
            for name in names {
                if let field = SearchField(rawValue: name) {
                    chosen.insert(field)
                } else {
                    reader.error(value.mark, "unknown search field '\(name.prefix(40))' (known: \(SearchField.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
        }
        return chosen
    }

    struct BoardSettings {
        var title: String?
        var description = ""
        var sort = BoardSort.activity
        var perPage: Int?
        var weight = 0
    }

    static let boardKeys = ["title", "description", "sort", "per_page", "weight"]

    static func loadBoard(path: String, text: String) -> (BoardSettings, [Diagnostic]) {
        var reader = NodeReader(path: path)
        var settings = BoardSettings()
        let root: YAMLNode
        do {
            guard let node = try YAML.parse(text) else { return (settings, []) }
            root = node
        } catch {
            return (settings, [.error(reader.location(error.mark), error.message)])
        }
        guard let fields = reader.fields(of: root, what: "_board.yml") else { return (settings, reader.diagnostics) }
        for (key, mark, value) in fields {
            switch key {
            case "title":
                settings.title = reader.text(value, key: key)
            case "description":
                settings.description = reader.string(value, key: key)?.singleLine().trimmingWhitespace() ?? ""
            case "sort":
                if let v = reader.text(value, key: key) {
                    if let sort = BoardSort(rawValue: v) {
                        settings.sort = sort
                    } else {
                        reader.error(value.mark, "'sort' must be 'activity' or 'date', not '\(v.prefix(40))'")
                    }
                }
            case "per_page":
                settings.perPage = reader.positive(value, key: key)
            case "weight":
                if let v = reader.string(value, key: key) {
                    if let n = Int(v.trimmingWhitespace()) {
                        settings.weight = n
                    } else {
                        reader.error(value.mark, "'weight' must be a whole number")
                    }
                }
            default:
                reader.warning(mark, unknownKeyMessage(key, known: boardKeys, file: "_board.yml"))
            }
        }
        return (settings, reader.diagnostics)
    }

    static func unknownKeyMessage(_ key: String, known: [String], file: String) -> String {
        var message = "unknown key '\(key.prefix(60))' in \(file) is ignored"
        if let typo = NodeReader.likelyTypo(of: key, among: known) { message += " (did you mean '\(typo)'?)" }
        return message
    }
}
