import CYAML

/// A YAML node with the position it starts at (0-based, as libyaml reports it). Not `indirect`:
/// lists and mappings hold their nodes in arrays already, and a box per node was an allocation
/// for every key and value of every comment.
public enum YAMLNode: Sendable {
    case scalar(String, plain: Bool, YAMLMark)
    case sequence([YAMLNode], YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)

    public var mark: YAMLMark {
        switch self {
        case .scalar(_, _, let m), .sequence(_, let m), .mapping(_, let m): m
        }
    }
}

/// A 0-based line and column in the YAML text.
public struct YAMLMark: Sendable, Hashable {
    public var line: Int
    public var column: Int
    /// For a scalar, the line it ends on (a folded or block scalar spans several). Not part of
    /// a mark's identity: two marks are equal when they name the same place.
    public var endLine: Int?

    public static func == (a: YAMLMark, b: YAMLMark) -> Bool { a.line == b.line && a.column == b.column }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(line)
        hasher.combine(column)
    }
}

/// A syntax error in YAML text.
public struct YAMLError: Error, Sendable {
    public var mark: YAMLMark
    public var message: String
}

/// Reads YAML text into `YAMLNode`s with libyaml's event parser.
///
/// This is the only file that calls libyaml. Aliases are expanded, with a budget on the number of
/// nodes they may add so that an alias bomb ends in an error instead of eating memory, and nesting
/// is limited so that a deeply nested document ends in an error instead of overflowing the stack
/// (nodes are released, and flattened, recursively).
public enum YAML {
    /// Most nodes a document may expand to through aliases.
    public static let aliasExpansionLimit = 100_000
    /// Most lists and mappings nested in one another, aliases expanded.
    public static let nestingLimit = 200

    /// Parses the first document of `text`; an empty text gives `nil`.
    /// - Parameter nodeLimit: the most scalars, lists and mappings the document may hold (aliases
    ///   counted as expanded), so that a hostile file ends in an error instead of exhausting memory.
    public static func parse(_ text: String, nodeLimit: Int = 5_000_000) throws(YAMLError) -> YAMLNode? {
        if let node = YAMLListShortcut.parse(text, nodeLimit: nodeLimit) { return node }
        return try parseWithLibyaml(text, nodeLimit: nodeLimit)
    }

    /// `parse`, always through libyaml.
    static func parseWithLibyaml(_ text: String, nodeLimit: Int = 5_000_000) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(mark: YAMLMark(line: 0, column: 0), message: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var builder = Builder(nodeLimit: nodeLimit)
            builder.end = endOfUnterminatedText(text)
            return try builder.run(&parser)
        }
    }

    /// The end of the last line when the text does not end with a line break, or `nil`. libyaml
    /// ends such a text with a line break of its own, so its marks at the end name a line past the
    /// last; they are moved here.
    static func endOfUnterminatedText(_ text: String) -> YAMLMark? {
        func isBreak(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}" }
        guard let last = text.unicodeScalars.last, !isBreak(last) else { return nil }
        var mark = YAMLMark(line: 0, column: 0)
        var previous: Unicode.Scalar = "\0"
        for scalar in text.unicodeScalars {
            if isBreak(scalar) {
                if !(scalar == "\n" && previous == "\r") { mark.line += 1 }
                mark.column = 0
            } else {
                mark.column += 1
            }
            previous = scalar
        }
        return mark
    }

    private struct Frame {
        enum Kind { case sequence, mapping }
        var kind: Kind
        var mark: YAMLMark
        var anchor: String?
        var items: [YAMLNode] = []
        var size = 1
        /// Levels of lists and mappings below this one.
        var height = 0
    }

    private struct Builder {
        var stack: [Frame] = []
        var anchors: [String: (node: YAMLNode, size: Int, height: Int)] = [:]
        var root: YAMLNode?
        var done = false
        var expanded = 0
        let nodeLimit: Int
        var nodes = 0
        /// See `endOfUnterminatedText`.
        var end: YAMLMark?

        func clamped(_ line: Int, _ column: Int) -> YAMLMark {
            if let end, line > end.line { return end }
            return YAMLMark(line: line, column: column)
        }

        init(nodeLimit: Int) {
            self.nodeLimit = nodeLimit
        }

        mutating func count(_ n: Int, at mark: YAMLMark) throws(YAMLError) {
            nodes += n
            if nodes > nodeLimit {
                throw YAMLError(mark: mark, message: "more than \(nodeLimit) values in one file")
            }
        }

        mutating func run(_ parser: inout yaml_parser_t) throws(YAMLError) -> YAMLNode? {
            while !done {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let mark = parser.problem_mark
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    var message = problem
                    if let context = parser.context {
                        message = "\(problem) \(String(cString: context))"
                    }
                    throw YAMLError(mark: clamped(Int(mark.line), Int(mark.column)), message: message)
                }
                defer { yaml_event_delete(&event) }
                try handle(&event)
            }
            return root
        }

        static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
            guard let pointer else { return nil }
            if let length {
                return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
            }
            return String(cString: pointer)
        }

        mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) {
            let mark = clamped(Int(event.start_mark.line), Int(event.start_mark.column))
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = Self.string(scalar.value, length: Int(scalar.length)) ?? ""
                try count(1, at: mark)
                var scalarMark = mark
                scalarMark.endLine = clamped(Int(event.end_mark.line), Int(event.end_mark.column)).line
                let node = YAMLNode.scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, scalarMark)
                try add(node, size: 1, height: 0, anchor: Self.string(scalar.anchor), at: mark)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                try count(1, at: mark)
                guard stack.count < YAML.nestingLimit else {
                    throw YAMLError(mark: mark, message: "lists and mappings are nested more than \(YAML.nestingLimit) levels deep")
                }
                if event.type == YAML_SEQUENCE_START_EVENT {
                    stack.append(Frame(kind: .sequence, mark: mark, anchor: Self.string(event.data.sequence_start.anchor)))
                } else {
                    stack.append(Frame(kind: .mapping, mark: mark, anchor: Self.string(event.data.mapping_start.anchor)))
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                let node: YAMLNode
                let size = frame.size
                switch frame.kind {
                case .sequence:
                    node = .sequence(frame.items, frame.mark)
                case .mapping:
                    var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                    pairs.reserveCapacity(frame.items.count / 2)
                    var index = 0
                    while index + 1 < frame.items.count {
                        pairs.append((frame.items[index], frame.items[index + 1]))
                        index += 2
                    }
                    node = .mapping(pairs, frame.mark)
                }
                try add(node, size: size, height: frame.height + 1, anchor: frame.anchor, at: frame.mark)
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw YAMLError(mark: mark, message: "unknown alias '*\(name)'")
                }
                expanded += target.size
                try count(target.size, at: mark)
                if expanded > YAML.aliasExpansionLimit {
                    throw YAMLError(mark: mark, message: "aliases expand to more than \(YAML.aliasExpansionLimit) nodes")
                }
                if stack.count + target.height > YAML.nestingLimit {
                    throw YAMLError(mark: mark, message: "lists and mappings are nested more than \(YAML.nestingLimit) levels deep")
                }
                try add(target.node, size: target.size, height: target.height, anchor: nil, at: mark)
            case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                done = true
            default:
                break
            }
        }

        mutating func add(_ node: YAMLNode, size: Int, height: Int, anchor: String?, at mark: YAMLMark) throws(YAMLError) {
            if let anchor { anchors[anchor] = (node, size, height) }
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].items.append(node)
                stack[stack.count - 1].size += size
                stack[stack.count - 1].height = max(stack[stack.count - 1].height, height)
            }
        }
    }
}
