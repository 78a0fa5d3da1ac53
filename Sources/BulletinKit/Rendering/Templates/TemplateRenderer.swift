import Foundation

/// Renders `TemplateNode`s with a typed context into one string.
///
/// The context stack is an array of `TemplateValue`s; names are looked up in the objects on it
/// from the top, with no casts and no allocation per lookup.
struct TemplateRenderer {
    /// The position in the list a section iterates, for `first()`, `last()`, `index()`,
    /// `even()` and `odd()`.
    struct Iteration {
        var index: Int
        var count: Int
    }

    /// What a run of nodes renders with, besides the stack: it changes at sections, partials and blocks.
    struct Level {
        /// Whether `{{name}}` escapes (a `{{%CONTENT_TYPE:TEXT}}` turns it off).
        var escapes: Bool
        var iteration: Iteration?
        /// Written before every line a standalone partial or block writes; empty for none.
        var indentation: String
        /// A parent's blocks, the outermost parent's first.
        var overrides: [String: [TemplateNode]]?
    }

    let templates: [[TemplateNode]]
    let names: [String: Int]
    /// The page's UTF-8 bytes: appending to an array is cheaper than to a `String`, which checks
    /// and tracks more on every append.
    var output: [UInt8]
    var stack: [TemplateValue]

    init(templates: [[TemplateNode]], names: [String: Int], context: TemplateObject, capacity: Int) {
        self.templates = templates
        self.names = names
        self.output = []
        self.output.reserveCapacity(capacity)
        self.stack = [.object(context)]
        self.stack.reserveCapacity(16)
    }

    /// Renders `nodes` as one level of swift-mustache's rendering: a template, a section's body
    /// (once per item of a list), a partial or a block. Where a standalone partial or block gave
    /// an indentation, a node's output gets it in front when the level's own output so far ends
    /// a line, as swift-mustache does (so the first line of each item of a list does not).
    mutating func render(_ nodes: [TemplateNode], _ level: Level) {
        var escapes = level.escapes
        if level.indentation.isEmpty {
            for node in nodes { render(node, level, escapes: &escapes) }
            return
        }
        let start = output.count
        for node in nodes {
            if case .text(let text) = node {
                write(text: text, level.indentation, levelStart: start)
                continue
            }
            let indented = atLineStart(levelStart: start)
            if indented {
                append(level.indentation)
                let after = output.count
                render(node, level, escapes: &escapes)
                // Nothing written: no indentation either (it is spaces and tabs, a character each).
                if output.count == after { output.removeLast(level.indentation.utf8.count) }
            } else {
                render(node, level, escapes: &escapes)
            }
        }
    }

    private mutating func render(_ node: TemplateNode, _ level: Level, escapes: inout Bool) {
        switch node {
        case .text(let text):
            append(text)

        case .value(let name, let escaped):
            if let value = lookup(name, level) {
                write(value: value, escaped: escaped && escapes)
            }

        case .section(let name, let body):
            guard let value = lookup(name, level) else { return }
            switch value {
            case .bool(let on):
                if on {
                    render(body, Level(escapes: escapes, iteration: level.iteration, indentation: level.indentation, overrides: level.overrides))
                }
            case .list(let items):
                for (index, item) in items.enumerated() {
                    stack.append(item)
                    render(
                        body,
                        Level(
                            escapes: escapes, iteration: Iteration(index: index, count: items.count), indentation: level.indentation,
                            overrides: level.overrides))
                    stack.removeLast()
                }
            default:
                stack.append(value)
                render(body, Level(escapes: escapes, iteration: nil, indentation: level.indentation, overrides: level.overrides))
                stack.removeLast()
            }

        case .inverted(let name, let body):
            switch lookup(name, level) {
            case nil, .bool(false)?:
                render(body, Level(escapes: escapes, iteration: level.iteration, indentation: level.indentation, overrides: level.overrides))
            case .list(let items)? where items.isEmpty:
                // swift-mustache pushes the empty list.
                stack.append(.list(items))
                render(body, Level(escapes: escapes, iteration: nil, indentation: level.indentation, overrides: level.overrides))
                stack.removeLast()
            default:
                break
            }

        case .partial(let index, let indentation, let overrides):
            guard let index else { return }
            renderPartial(index, indentation: indentation, overrides: overrides, level)

        case .dynamicPartial(let name, let indentation, let overrides):
            guard case .string(let partial)? = lookup(name, level), let index = names[partial] else { return }
            renderPartial(index, indentation: indentation, overrides: overrides, level)

        case .block(let name, let body, let indentation):
            render(
                level.overrides?[name] ?? body,
                Level(
                    escapes: escapes, iteration: nil, indentation: Self.join(level.indentation, indentation), overrides: level.overrides))

        case .blockDefinition:
            break

        case .contentType(let on):
            escapes = on
        }
    }

    private mutating func renderPartial(_ index: Int, indentation: String?, overrides: [String: [TemplateNode]]?, _ level: Level) {
        var inherited = level.overrides
        if let overrides {
            if let outer = inherited {
                inherited = outer.merging(overrides) { outer, _ in outer }
            } else {
                inherited = overrides
            }
        }
        let indented = indentation.map { Self.join(level.indentation, $0) } ?? level.indentation
        render(templates[index], Level(escapes: true, iteration: nil, indentation: indented, overrides: inherited))
    }

    private static func join(_ outer: String, _ inner: String) -> String {
        inner.isEmpty ? outer : outer.isEmpty ? inner : outer + inner
    }

    // MARK: Names

    func lookup(_ name: TemplateName, _ level: Level) -> TemplateValue? {
        var value: TemplateValue
        var transforms = name.transforms[...]
        switch name.start {
        case .iteration:
            guard let iteration = level.iteration, let transform = transforms.popFirst(),
                let result = Self.apply(transform, to: iteration)
            else { return nil }
            value = result
        case .top:
            value = stack[stack.count - 1]
            for part in name.parts {
                guard case .object(let object) = value, let child = object[part] else { return nil }
                value = child
            }
        case .stack:
            let first = name.parts[0]
            var index = stack.count - 1
            var found: TemplateValue?
            while index >= 0 {
                if case .object(let object) = stack[index], let child = object[first] {
                    found = child
                    break
                }
                index -= 1
            }
            guard let found else { return nil }
            value = found
            for part in name.parts.dropFirst() {
                guard case .object(let object) = value, let child = object[part] else { return nil }
                value = child
            }
        }
        for transform in transforms {
            guard let result = Self.apply(transform, to: value) else { return nil }
            value = result
        }
        return value
    }

    static func apply(_ transform: TemplateTransform, to iteration: Iteration) -> TemplateValue? {
        switch transform {
        case .first: .bool(iteration.index == 0)
        case .last: .bool(iteration.index == iteration.count - 1)
        case .index: .int(iteration.index)
        case .even: .bool(iteration.index & 1 == 0)
        case .odd: .bool(iteration.index & 1 == 1)
        default: nil
        }
    }

    static func apply(_ transform: TemplateTransform, to value: TemplateValue) -> TemplateValue? {
        switch value {
        case .string(let string):
            switch transform {
            case .empty: .bool(string.isEmpty)
            case .capitalized: .string(string.capitalized)
            case .lowercased: .string(string.lowercased())
            case .uppercased: .string(string.uppercased())
            case .reversed: .string(String(string.reversed()))
            default: nil
            }
        case .list(let items):
            switch transform {
            case .first: items.first
            case .last: items.last
            case .reversed: .list(items.reversed())
            case .count: .int(items.count)
            case .empty: .bool(items.isEmpty)
            default: nil
            }
        case .int(let int):
            switch transform {
            case .equalzero: .bool(int == 0)
            case .plusone: .int(int &+ 1)
            case .minusone: .int(int &- 1)
            case .even: .bool(int & 1 == 0)
            case .odd: .bool(int & 1 == 1)
            default: nil
            }
        case .bool, .object:
            nil
        }
    }

    // MARK: Output

    /// Whether the output of the level that started at `levelStart` ends a line: with `\n`, but
    /// not `\r\n`, which is one `Character` that is not `"\n"` to swift-mustache.
    @inline(__always)
    private func atLineStart(levelStart: Int) -> Bool {
        let count = output.count
        guard count > levelStart, output[count - 1] == 10 else { return false }
        return count - 1 == levelStart || output[count - 2] != 13
    }

    @inline(__always)
    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    /// Text, line by line: each line that starts a line of the level's output gets the indentation.
    private mutating func write(text: String, _ indentation: String, levelStart: Int) {
        let bytes = text.utf8
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: 10).map { bytes.index(after: $0) } ?? bytes.endIndex
            if atLineStart(levelStart: levelStart) { append(indentation) }
            output.append(contentsOf: bytes[start..<end])
            start = end
        }
    }

    private mutating func write(value: TemplateValue, escaped: Bool) {
        switch value {
        case .string(let string):
            if escaped {
                writeEscaped(string)
            } else {
                append(string)
            }
        case .int(let int):
            append(String(int))
        case .bool(let bool):
            append(bool ? "true" : "false")
        case .list, .object:
            // swift-mustache writes Swift's description of these; a theme has no use for that.
            break
        }
    }

    /// `Escape.html`, written straight into the output. The five characters it replaces are ASCII,
    /// so replacing bytes is replacing scalars.
    private mutating func writeEscaped(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let replacement: StaticString
                switch bytes[index] {
                case 38: replacement = "&amp;"
                case 60: replacement = "&lt;"
                case 62: replacement = "&gt;"
                case 34: replacement = "&quot;"
                case 39: replacement = "&#39;"
                default: continue
                }
                if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                runStart = index + 1
            }
            if runStart < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
        }
    }
}
