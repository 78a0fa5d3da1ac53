/// Parses Mustache text into `TemplateNode`s, with the whitespace rules of the Mustache spec
/// (standalone lines, partial indentation) as swift-mustache 2.1.1 applies them, so that themes
/// written against it render the same. It works on `Character`s, as swift-mustache does, so that
/// what counts as a newline or a delimiter is the same too; parsing happens once per theme.
struct TemplateParser {
    /// A syntax error: the message (in the words `MustacheEngine` used) and where the parser stopped.
    struct Failure: Error {
        var message: String
        var offset: Int
    }

    private enum Problem: Error {
        case unfinishedName, expectedSectionEnd, sectionCloseNameIncorrect, invalidSetDelimiter
        case illegalTokenInsideInheritSection, transformAppliedToInheritanceSection
        case invalidConfigVariableSyntax, unrecognisedConfigVariable, overflow

        var message: String {
            switch self {
            case .unfinishedName: "a tag is not closed with '}}'"
            case .expectedSectionEnd: "a section is not closed"
            case .sectionCloseNameIncorrect: "a section is closed with another name than it was opened with"
            case .invalidSetDelimiter: "invalid set-delimiter tag"
            case .illegalTokenInsideInheritSection: "only blocks may stand inside an inherited template"
            case .transformAppliedToInheritanceSection: "transformAppliedToInheritanceSection"
            case .invalidConfigVariableSyntax: "invalidConfigVariableSyntax"
            case .unrecognisedConfigVariable: "unrecognisedConfigVariable"
            case .overflow: "overflow"
            }
        }
    }

    private struct State {
        var sectionName: String?
        var sectionTransforms: [String] = []
        var newLine = true
        var inParent = false
        var parentTopLevel = false
        var startDelimiter: [Character] = ["{", "{"]
        var endDelimiter: [Character] = ["}", "}"]
        var blockIndent: [Character]?

        func section(_ name: String, newLine: Bool, transforms: [String] = []) -> State {
            var state = self
            state.sectionName = name
            state.sectionTransforms = transforms
            state.parentTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }

        func parent(_ name: String) -> State {
            var state = self
            state.sectionName = name
            state.sectionTransforms = []
            state.newLine = true
            state.inParent = true
            state.parentTopLevel = true
            return state
        }
    }

    private let chars: [Character]
    private var position = 0
    /// Templates by name, to resolve partials to indices.
    private let templates: [String: Int]

    /// Parses `text`; partials are looked up in `templates`.
    static func parse(_ text: String, templates: [String: Int]) throws(Failure) -> [TemplateNode] {
        var parser = TemplateParser(chars: Array(text), templates: templates)
        do {
            return try parser.parse(State())
        } catch {
            throw Failure(message: error.message, offset: parser.position)
        }
    }

    /// The 1-based line and column of a failure, counted as swift-mustache counts them.
    static func lineAndColumn(of offset: Int, in text: String) -> (line: Int, column: Int) {
        let chars = Array(text)
        var column = 0
        var index = offset
        while index > 0 {
            index -= 1
            if chars[index] == "\n" { break }
            column += 1
        }
        let line = chars[..<offset].reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
        return (line + 1, column + 1)
    }

    private init(chars: [Character], templates: [String: Int]) {
        self.chars = chars
        self.templates = templates
    }

    // MARK: Reading

    private var atEnd: Bool { position == chars.count }
    private var current: Character { atEnd ? "\0" : chars[position] }

    @discardableResult
    private mutating func read(while accept: (Character) -> Bool) -> [Character] {
        let start = position
        while position < chars.count, accept(chars[position]) { position += 1 }
        return Array(chars[start..<position])
    }

    private mutating func skipWhitespace() { read(while: \.isWhitespace) }

    /// Reads `string` if it comes next; throws when fewer characters than it has are left.
    private mutating func read(_ string: [Character]) throws(Problem) -> Bool {
        guard !string.isEmpty else { return true }
        guard chars.count - position >= string.count else { throw .overflow }
        guard chars[position..<position + string.count].elementsEqual(string) else { return false }
        position += string.count
        return true
    }

    private mutating func read(_ char: Character) throws(Problem) -> Bool {
        guard !atEnd else { throw .overflow }
        guard chars[position] == char else { return false }
        position += 1
        return true
    }

    /// Reads up to the first character that `stop` accepts; throws at the end of the text.
    private mutating func read(until stop: (Character) -> Bool) throws(Problem) -> [Character] {
        let start = position
        while position < chars.count {
            if stop(chars[position]) { return Array(chars[start..<position]) }
            position += 1
        }
        position = start
        throw .overflow
    }

    /// Text up to a newline or the start delimiter (consumed).
    private mutating func readText(_ state: State) throws(Problem) -> [Character] {
        guard let first = state.startDelimiter.first else { return [] }
        var text: [Character] = []
        while !atEnd {
            while position < chars.count {
                let c = chars[position]
                if c == "\n" || c == "\r\n" || c == first { break }
                text.append(c)
                position += 1
            }
            if current.isNewline {
                break
            } else if current == first {
                if try read(state.startDelimiter) { break }
                text.append(first)
                position += 1
            }
        }
        return text
    }

    private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let nameAndBracketCharacters = nameCharacters.union("()")
    private static let partialNameCharacters = nameAndBracketCharacters.union("/")

    /// A tag's name and transforms, and the end delimiter.
    private mutating func readName(_ state: State) throws(Problem) -> (String, [String]) {
        skipWhitespace()
        let text = read(while: { Self.nameAndBracketCharacters.contains($0) })
        skipWhitespace()
        guard try read(state.endDelimiter) else { throw .unfinishedName }
        var index = 0
        func word() -> String {
            let start = index
            while index < text.count, Self.nameCharacters.contains(text[index]) { index += 1 }
            return String(text[start..<index])
        }
        let first = word()
        if index == text.count { return (String(text), []) }
        guard text[index] == "(" else { throw .unfinishedName }
        index += 1
        var transforms = [first]
        while true {
            let name = word()
            let next: Character = index < text.count ? text[index] : "\0"
            switch next {
            case ")":
                index += 1
                var closing = 0
                while index < text.count, text[index] == ")" {
                    index += 1
                    closing += 1
                }
                guard closing + 1 == transforms.count, index == text.count else { throw .unfinishedName }
                return (name, transforms)
            case "(":
                index += 1
                transforms.append(name)
            default:
                throw .unfinishedName
            }
        }
    }

    private mutating func readPartialName(_ state: State) throws(Problem) -> String {
        skipWhitespace()
        let text = read(while: { Self.partialNameCharacters.contains($0) })
        skipWhitespace()
        guard try read(state.endDelimiter) else { throw .unfinishedName }
        return String(text)
    }

    /// Skips a comment up to and including the end delimiter.
    private mutating func skipComment(_ state: State) throws(Problem) {
        let delimiter = state.endDelimiter
        guard !delimiter.isEmpty else { return }
        let start = position
        var matched = 0
        while position < chars.count {
            if chars[position] == delimiter[matched] {
                matched += 1
                if matched == delimiter.count {
                    position += 1
                    return
                }
            } else {
                matched = 0
            }
            position += 1
        }
        position = start
        throw .overflow
    }

    private mutating func readDelimiters(_ state: State) throws(Problem) -> State {
        let start: [Character]
        let end: [Character]
        do {
            skipWhitespace()
            start = try read(until: \.isWhitespace)
            skipWhitespace()
            end = try read(until: { $0 == "=" || $0.isWhitespace })
            skipWhitespace()
        } catch {
            throw .invalidSetDelimiter
        }
        guard try read("=") else { throw .invalidSetDelimiter }
        guard try read(state.endDelimiter) else { throw .invalidSetDelimiter }
        guard !start.isEmpty, !end.isEmpty else { throw .invalidSetDelimiter }
        var state = state
        state.startDelimiter = start
        state.endDelimiter = end
        state.parentTopLevel = false
        return state
    }

    private mutating func readContentType(_ state: State) throws(Problem) -> TemplateNode {
        let variable: [Character]
        let value: [Character]
        do {
            skipWhitespace()
            variable = read(while: { Self.nameCharacters.contains($0) })
            skipWhitespace()
            guard try read(":") else { throw Problem.invalidConfigVariableSyntax }
            skipWhitespace()
            value = read(while: { Self.nameCharacters.contains($0) })
            skipWhitespace()
            guard try read(state.endDelimiter) else { throw Problem.invalidConfigVariableSyntax }
        } catch {
            throw .invalidConfigVariableSyntax
        }
        guard !variable.isEmpty, !value.isEmpty else { throw .invalidConfigVariableSyntax }
        guard String(variable) == "CONTENT_TYPE" else { throw .unrecognisedConfigVariable }
        switch String(value) {
        case "HTML", "BULLETIN_HTML": return .contentType(escapes: true)
        case "TEXT": return .contentType(escapes: false)
        default: throw .unrecognisedConfigVariable
        }
    }

    /// Whether the rest of the line is blank; if so, it is consumed with its newline.
    private mutating func lineFinished() -> Bool {
        if atEnd { return true }
        var index = position
        while index < chars.count, chars[index] == " " || chars[index] == "\t" { index += 1 }
        if index < chars.count, chars[index].isNewline {
            position = index + 1
            return true
        }
        return false
    }

    private mutating func standalone(_ state: State) -> Bool {
        state.newLine && lineFinished()
    }

    // MARK: Parsing

    private static func text(_ chars: [Character]) -> TemplateNode {
        .text(String(chars))
    }

    private mutating func parse(_ initial: State) throws(Problem) -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        var state = initial
        var whitespace: [Character] = []
        while !atEnd {
            if state.newLine {
                let lineStart = read(while: { $0 == " " || $0 == "\t" })
                if state.inParent && !state.parentTopLevel {
                    // Inside a block of a parent, the first line's indentation is the block's own.
                    if let indent = state.blockIndent {
                        whitespace = Array(lineStart.dropFirst(indent.count))
                    } else {
                        state.blockIndent = lineStart
                    }
                } else {
                    whitespace = lineStart
                }
            }
            let text = try readText(state)
            if current.isNewline {
                nodes.append(Self.text(whitespace + text + [current]))
                state.newLine = true
                position += 1
                continue
            }
            if !text.isEmpty {
                nodes.append(Self.text(whitespace + text))
                whitespace = []
                state.newLine = false
            }
            if atEnd { break }
            var setNewLine = false
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let (name, transforms) = try readName(state)
                if standalone(state) {
                    setNewLine = true
                } else if !whitespace.isEmpty {
                    nodes.append(Self.text(whitespace))
                    whitespace = []
                }
                let body = try parse(state.section(name, newLine: setNewLine, transforms: transforms))
                let compiled = TemplateName(name, transforms: transforms)
                nodes.append(inverted ? .inverted(compiled, body) : .section(compiled, body))

            case "/":
                position += 1
                let nameStart = position
                let (name, transforms) = try readName(state)
                guard name == state.sectionName, transforms == state.sectionTransforms else {
                    position = nameStart
                    throw .sectionCloseNameIncorrect
                }
                if !standalone(state), !whitespace.isEmpty {
                    nodes.append(Self.text(whitespace))
                }
                return Self.merged(nodes)

            case "!":
                position += 1
                try skipComment(state)
                setNewLine = standalone(state)

            case "{", "&":
                if !whitespace.isEmpty {
                    nodes.append(Self.text(whitespace))
                    whitespace = []
                }
                let triple = current == "{"
                position += 1
                let (name, transforms) = try readName(state)
                if triple {
                    guard try read("}") else { throw .unfinishedName }
                }
                nodes.append(.value(TemplateName(name, transforms: transforms), escaped: false))

            case ">":
                position += 1
                skipWhitespace()
                var dynamic = false
                if current == "*" {
                    position += 1
                    dynamic = true
                }
                let name = try readPartialName(state)
                if !whitespace.isEmpty { nodes.append(Self.text(whitespace)) }
                var indentation: String?
                if standalone(state) {
                    setNewLine = true
                    indentation = String(whitespace)
                }
                nodes.append(
                    dynamic
                        ? .dynamicPartial(TemplateName(name), indentation: indentation, overrides: nil)
                        : .partial(templates[name], indentation: indentation, overrides: nil))
                whitespace = []

            case "<":
                position += 1
                skipWhitespace()
                let sectionName = try readPartialName(state)
                let dynamic = sectionName.first == "*"
                let name = dynamic ? String(sectionName.dropFirst()) : sectionName
                if !whitespace.isEmpty { nodes.append(Self.text(whitespace)) }
                if standalone(state) { setNewLine = true }
                let body = try parse(state.parent(sectionName))
                var overrides: [String: [TemplateNode]] = [:]
                for node in body {
                    switch node {
                    case .blockDefinition(let block, let nodes): overrides[block] = nodes
                    case .text: break
                    default: throw .illegalTokenInsideInheritSection
                    }
                }
                let indentation = String(whitespace)
                nodes.append(
                    dynamic
                        ? .dynamicPartial(TemplateName(name), indentation: indentation, overrides: overrides)
                        : .partial(templates[name], indentation: indentation, overrides: overrides))
                whitespace = []

            case "$":
                position += 1
                let (name, transforms) = try readName(state)
                guard transforms.isEmpty else { throw .transformAppliedToInheritanceSection }
                if state.parentTopLevel {
                    if standalone(state) { setNewLine = true }
                    let body = try parse(state.section(name, newLine: setNewLine))
                    nodes.append(.blockDefinition(name, body))
                } else {
                    if !whitespace.isEmpty { nodes.append(Self.text(whitespace)) }
                    if standalone(state) { setNewLine = true }
                    let body = try parse(state.section(name, newLine: setNewLine))
                    nodes.append(.block(name, body, indentation: String(whitespace)))
                    whitespace = []
                }

            case "=":
                position += 1
                state = try readDelimiters(state)
                setNewLine = standalone(state)

            case "%":
                position += 1
                nodes.append(try readContentType(state))
                setNewLine = standalone(state)

            default:
                if !whitespace.isEmpty {
                    nodes.append(Self.text(whitespace))
                    whitespace = []
                }
                let (name, transforms) = try readName(state)
                nodes.append(.value(TemplateName(name, transforms: transforms), escaped: true))
            }
            state.newLine = setNewLine
        }
        guard state.sectionName == nil else { throw .expectedSectionEnd }
        return Self.merged(nodes)
    }

    /// Adjacent text nodes joined, empty ones dropped.
    private static func merged(_ nodes: [TemplateNode]) -> [TemplateNode] {
        var result: [TemplateNode] = []
        result.reserveCapacity(nodes.count)
        for node in nodes {
            guard case .text(let text) = node else {
                result.append(node)
                continue
            }
            if text.isEmpty { continue }
            if case .text(let previous)? = result.last {
                result[result.count - 1] = .text(previous + text)
            } else {
                result.append(node)
            }
        }
        return result
    }
}
