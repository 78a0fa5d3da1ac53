/// Reads typed values out of YAML nodes of one file, turning every problem into a diagnostic
/// at the node's position in the original file.
struct NodeReader {
    let path: String
    /// Lines of the file before the YAML text (the front matter's opening `---`).
    let lineOffset: Int
    var diagnostics: [Diagnostic] = []

    init(path: String, lineOffset: Int = 0) {
        self.path = path
        self.lineOffset = lineOffset
    }

    func location(_ mark: YAMLMark, plus columns: Int = 0) -> SourceLocation {
        SourceLocation(path: path, line: mark.line + 1 + lineOffset, column: mark.column + 1 + columns)
    }

    mutating func error(_ mark: YAMLMark, _ message: String) {
        diagnostics.append(.error(location(mark), message))
    }

    mutating func warning(_ mark: YAMLMark, _ message: String) {
        diagnostics.append(.warning(location(mark), message))
    }

    /// The pairs of a mapping by key, reporting duplicate and non-text keys.
    mutating func fields(of node: YAMLNode, what: String) -> [(key: String, mark: YAMLMark, value: YAMLNode)]? {
        guard case .mapping(let pairs, _) = node else {
            error(node.mark, "\(what) must be a mapping of keys to values")
            return nil
        }
        // A comment has a handful of keys: comparing each with the ones before costs less than
        // hashing them into a set, which a file of many comments did for every one.
        var seen = Set<String>()
        let fewKeys = pairs.count <= 16
        var result: [(key: String, mark: YAMLMark, value: YAMLNode)] = []
        result.reserveCapacity(pairs.count)
        for pair in pairs {
            guard case .scalar(let key, _, let mark) = pair.key else {
                error(pair.key.mark, "a key must be plain text")
                continue
            }
            let duplicate = fewKeys ? result.contains { $0.key == key } : !seen.insert(key).inserted
            guard !duplicate else {
                error(mark, "duplicate key '\(key)'")
                continue
            }
            result.append((key, mark, pair.value))
        }
        return result
    }

    /// Text of a scalar; `nil` (with an error) for lists and mappings.
    mutating func string(_ node: YAMLNode, key: String) -> String? {
        guard case .scalar(let value, _, _) = node else {
            error(node.mark, "'\(key)' must be text, not a list or mapping")
            return nil
        }
        return value
    }

    /// Non-empty text of a scalar, trimmed.
    /// Non-empty text of a scalar, trimmed, on one line: control characters (tabs and newlines
    /// included) become spaces, since titles, names and settings are shown on one line.
    mutating func text(_ node: YAMLNode, key: String) -> String? {
        guard let value = string(node, key: key) else { return nil }
        let trimmed = value.singleLine().trimmingWhitespace()
        if trimmed.isEmpty {
            error(node.mark, "'\(key)' is empty")
            return nil
        }
        return trimmed
    }

    /// `value`, cut to `limit` characters (with a warning) when it is longer.
    mutating func capped(_ value: String, what: String, limit: Int, at mark: YAMLMark) -> String {
        guard value.utf8.count > limit, value.count > limit else { return value }
        warning(mark, "\(what) is \(value.count) characters long; cut to \(limit)")
        return String(value.prefix(limit)) + "…"
    }

    /// An author's name, trimmed; an empty one is the site's `anonymous`.
    mutating func author(_ node: YAMLNode, anonymous: String) -> String? {
        guard let value = string(node, key: "author") else { return nil }
        let trimmed = value.singleLine().trimmingWhitespace()
        return trimmed.isEmpty ? anonymous : trimmed
    }

    mutating func count(_ node: YAMLNode, key: String) -> Int? {
        guard let value = string(node, key: key) else { return nil }
        guard let number = Int(value.trimmingWhitespace()), number >= 0 else {
            error(node.mark, "'\(key)' must be a whole number of 0 or more, not '\(value.prefix(40))'")
            return nil
        }
        return number
    }

    mutating func positive(_ node: YAMLNode, key: String) -> Int? {
        guard let value = count(node, key: key) else { return nil }
        guard value > 0 else {
            error(node.mark, "'\(key)' must be at least 1")
            return nil
        }
        return value
    }

    mutating func bool(_ node: YAMLNode, key: String) -> Bool? {
        guard let value = string(node, key: key) else { return nil }
        switch value.trimmingWhitespace().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off", "": return false
        default:
            error(node.mark, "'\(key)' must be true or false, not '\(value.prefix(40))'")
            return nil
        }
    }

    mutating func date(_ node: YAMLNode, key: String, clock: SiteClock) -> Timestamp? {
        guard let value = text(node, key: key) else { return nil }
        switch DateParser.parse(value, clock: clock) {
        case .success(let instant):
            return instant
        case .failure(.invalid(let reason, let at)):
            var quote = 0
            if case .scalar(let raw, let plain, _) = node {
                // The value was trimmed: count the white space a quoted value starts with.
                quote = (plain ? 0 : 1) + raw.unicodeScalars.prefix { $0.properties.isWhitespace }.count
            }
            var column = String(decoding: Array(value.utf8).prefix(at), as: UTF8.self).unicodeScalars.count
            if let end = node.mark.endLine, end > node.mark.line {
                // A value folded from several lines: positions inside it are not columns of one line.
                (quote, column) = (0, 0)
            }
            diagnostics.append(
                .error(location(node.mark, plus: quote + column), "'\(key)' is not a valid date (\(reason)): '\(value.prefix(40))'"))
            return nil
        }
    }

    /// A list of texts; a single text is a list of one.
    mutating func strings(_ node: YAMLNode, key: String) -> [String]? {
        switch node {
        case .scalar(let value, let plain, _):
            if plain && value.isEmpty { return [] }
            return [value]
        case .sequence(let items, _):
            var result: [String] = []
            for item in items {
                if let value = string(item, key: key) { result.append(value) }
            }
            return result
        case .mapping(_, let mark):
            error(mark, "'\(key)' must be a list of texts")
            return nil
        }
    }

    /// A value flattened to text for templates.
    static func flatten(_ node: YAMLNode) -> String {
        switch node {
        case .scalar(let value, _, _):
            return value
        case .sequence(let items, _):
            return items.map(flatten).joined(separator: ", ")
        case .mapping(let pairs, _):
            return pairs.map { "\(flatten($0.key)): \(flatten($0.value))" }.joined(separator: ", ")
        }
    }

    /// A known key that `key` is probably a misspelling of.
    static func likelyTypo(of key: String, among known: [String]) -> String? {
        let lowered = key.lowercased()
        return known.first { $0 != lowered && editDistance(Array(lowered.utf8), Array($0.utf8)) <= (($0.count > 5) ? 2 : 1) }
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if abs(a.count - b.count) > 2 { return 3 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension String {
    /// The text with every control character (C0, DEL, C1, line and paragraph separators) as a space.
    func singleLine() -> String {
        func isControl(_ c: Unicode.Scalar) -> Bool {
            c.value < 0x20 || (c.value >= 0x7F && c.value <= 0x9F) || c == "\u{2028}" || c == "\u{2029}"
        }
        guard unicodeScalars.contains(where: isControl) else { return self }
        var out = String.UnicodeScalarView()
        for c in unicodeScalars { out.append(isControl(c) ? " " : c) }
        return String(out)
    }

    func trimmingWhitespace() -> String {
        // Printable ASCII at both ends: nothing to trim, and no need to ask Unicode.
        if let first = utf8.first, let last = utf8.last, first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}
