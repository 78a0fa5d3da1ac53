import Foundation

/// Renders a `TemplateProgram` with a `TemplateContext` into UTF-8 bytes.
///
/// The context stack holds `TemplateContext.Value`s, a few integers each; names are looked up in
/// the objects on it from the top by comparing hashes, then bytes. Nothing is allocated, copied or
/// retained per lookup or per instruction.
struct TemplateRenderer {
    typealias Value = TemplateContext.Value

    /// The position in the list a section iterates, for `first()`, `last()`, `index()`,
    /// `even()` and `odd()`.
    struct Iteration {
        var index: Int
        var count: Int
    }

    /// What a run of instructions renders with, besides the stack: it changes at sections,
    /// partials and blocks.
    struct Level {
        /// Whether `{{name}}` escapes (a `{{%CONTENT_TYPE:TEXT}}` turns it off).
        var escapes: Bool
        var iteration: Iteration?
        /// Written before every line a standalone partial or block writes: its bytes in
        /// `indentations`; empty for none.
        var indentation: Range<Int>
        /// The innermost parent whose blocks are in force (an index of `frames`), -1 for none.
        var frame: Int
    }

    let program: TemplateProgram
    let names: [String: Int]
    var context: TemplateContext
    /// The page's UTF-8 bytes.
    var output: [UInt8]
    var stack: [Value]
    /// The indentations of the levels being rendered.
    private var indentations: [UInt8] = []
    /// The parents being rendered, innermost last: each one's overrides (an index of
    /// `program.overrideSets`) and the frame it is inside of.
    private var frames: [(set: Int, parent: Int)] = []

    init(program: TemplateProgram, names: [String: Int], context: consuming TemplateContext, capacity: Int) {
        self.program = program
        self.names = names
        self.output = []
        self.output.reserveCapacity(capacity)
        self.stack = [context.root]
        self.stack.reserveCapacity(16)
        self.context = context
    }

    /// Renders template `index`.
    mutating func render(template index: Int) {
        render(program.templates[index], Level(escapes: true, iteration: nil, indentation: 0..<0, frame: -1))
    }

    /// Renders the instructions in `range` as one level of swift-mustache's rendering: a
    /// template, a section's body (once per item of a list), a partial or a block. Where a
    /// standalone partial or block gave an indentation, an instruction's output gets it in front
    /// when the level's own output so far ends a line, as swift-mustache does (so the first line
    /// of each item of a list does not).
    mutating func render(_ range: Range<Int32>, _ level: Level) {
        var escapes = level.escapes
        var pc = Int(range.lowerBound)
        let end = Int(range.upperBound)
        if level.indentation.isEmpty {
            while pc < end { pc = run(pc, level, escapes: &escapes) }
            return
        }
        let start = output.count
        while pc < end {
            let op = program.ops[pc]
            if op.code == .text {
                write(text: Int(op.a)..<Int(op.b), level.indentation, levelStart: start)
                pc += 1
                continue
            }
            if atLineStart(levelStart: start) {
                output.append(contentsOf: indentations[level.indentation])
                let after = output.count
                pc = run(pc, level, escapes: &escapes)
                // Nothing written: no indentation either.
                if output.count == after { output.removeLast(level.indentation.count) }
            } else {
                pc = run(pc, level, escapes: &escapes)
            }
        }
    }

    /// Runs the instruction at `pc`; gives the next one's index.
    private mutating func run(_ pc: Int, _ level: Level, escapes: inout Bool) -> Int {
        let op = program.ops[pc]
        switch op.code {
        case .text:
            appendProgramBytes(Int(op.a)..<Int(op.b))

        case .value:
            if let value = lookup(Int(op.a), level) { write(value, escaped: op.b != 0 && escapes) }

        case .section:
            let body = Int32(pc + 1)..<op.b
            guard let value = lookup(Int(op.a), level) else { return Int(op.b) }
            switch value.kind {
            case .bool:
                if value.start != 0 { render(body, Level(escapes: escapes, iteration: level.iteration, indentation: level.indentation, frame: level.frame)) }
            case .list:
                let count = Int(value.count)
                for index in 0..<count {
                    stack.append(context.items[value.start + index])
                    render(body, Level(escapes: escapes, iteration: Iteration(index: index, count: count), indentation: level.indentation, frame: level.frame))
                    stack.removeLast()
                }
            default:
                stack.append(value)
                render(body, Level(escapes: escapes, iteration: nil, indentation: level.indentation, frame: level.frame))
                stack.removeLast()
            }
            return Int(op.b)

        case .inverted:
            let body = Int32(pc + 1)..<op.b
            let value = lookup(Int(op.a), level)
            if value == nil || (value!.kind == .bool && value!.start == 0) {
                render(body, Level(escapes: escapes, iteration: level.iteration, indentation: level.indentation, frame: level.frame))
            } else if value!.kind == .list && value!.count == 0 {
                // swift-mustache pushes the empty list.
                stack.append(value!)
                render(body, Level(escapes: escapes, iteration: nil, indentation: level.indentation, frame: level.frame))
                stack.removeLast()
            }
            return Int(op.b)

        case .partial:
            if op.a >= 0 { renderPartial(Int(op.a), indentation: Int(op.b), overrides: Int(op.c), level) }

        case .dynamicPartial:
            if let value = lookup(Int(op.a), level), value.kind == .string, let index = names[context.string(value)] {
                renderPartial(index, indentation: Int(op.b), overrides: Int(op.c), level)
            }

        case .block:
            let body = override(of: op.a, in: level.frame) ?? (Int32(pc + 1)..<op.b)
            render(body, Level(escapes: escapes, iteration: nil, indentation: join(level.indentation, Int(op.c)), frame: level.frame))
            return Int(op.b)

        case .contentType:
            escapes = op.a != 0
        }
        return pc + 1
    }

    /// - Parameters:
    ///   - indentation: an index of `program.strings`, -1 for none.
    ///   - overrides: an index of `program.overrideSets`, -1 for none.
    private mutating func renderPartial(_ index: Int, indentation: Int, overrides: Int, _ level: Level) {
        var frame = level.frame
        if overrides >= 0 {
            frames.append((overrides, level.frame))
            frame = frames.count - 1
        }
        let indented = indentation >= 0 ? join(level.indentation, indentation) : level.indentation
        render(program.templates[index], Level(escapes: true, iteration: nil, indentation: indented, frame: frame))
        if overrides >= 0 { frames.removeLast() }
    }

    /// The body that the parents in force give block `block`: the outermost parent's.
    private func override(of block: Int32, in frame: Int) -> Range<Int32>? {
        var found: Range<Int32>?
        var frame = frame
        while frame >= 0 {
            let (set, parent) = frames[frame]
            for override in program.overrides[Int(program.overrideSets[set].lowerBound)..<Int(program.overrideSets[set].upperBound)]
            where override.block == block {
                found = override.body
            }
            frame = parent
        }
        return found
    }

    /// `outer` followed by indentation `inner` (an index of `program.strings`).
    private mutating func join(_ outer: Range<Int>, _ inner: Int) -> Range<Int> {
        let innerBytes = program.strings[inner]
        if innerBytes.isEmpty { return outer }
        let start = indentations.count
        indentations.append(contentsOf: indentations[outer])
        indentations.append(contentsOf: program.bytes[Int(innerBytes.lowerBound)..<Int(innerBytes.upperBound)])
        return start..<indentations.count
    }

    // MARK: Names

    mutating func lookup(_ nameIndex: Int, _ level: Level) -> Value? {
        let name = program.names[nameIndex]
        var transforms = Int(name.transforms.lowerBound)..<Int(name.transforms.upperBound)
        var keys = Int(name.keys.lowerBound)..<Int(name.keys.upperBound)
        var value: Value
        switch name.start {
        case .iteration:
            guard let iteration = level.iteration, let first = transforms.first, let result = Self.apply(program.transforms[first], to: iteration)
            else { return nil }
            transforms = transforms.dropFirst()
            value = result
        case .top:
            value = stack[stack.count - 1]
        case .stack:
            let first = program.keys[keys.lowerBound]
            keys = keys.dropFirst()
            var index = stack.count - 1
            var found: Value?
            while index >= 0 {
                if let child = field(first, of: stack[index]) {
                    found = child
                    break
                }
                index -= 1
            }
            guard let found else { return nil }
            value = found
        }
        for key in keys {
            guard let child = field(program.keys[key], of: value) else { return nil }
            value = child
        }
        for transform in transforms {
            guard let result = apply(program.transforms[transform], to: value) else { return nil }
            value = result
        }
        return value
    }

    /// The field named `key` of `object`, if it is an object and has one. `mutating` though it
    /// changes nothing: called from the mutating `lookup`, a non-mutating method made Swift copy
    /// the whole renderer (and retain everything in it) at every call.
    @inline(__always)
    private mutating func field(_ key: TemplateProgram.Key, of object: Value) -> Value? {
        guard object.kind == .object else { return nil }
        for i in object.start..<object.start + Int(object.count) {
            let field = context.fields[i]
            guard field.hash == key.hash else { continue }
            if context.field(field, isNamed: UnsafeRawPointer(program.bytes.baseAddress! + Int(key.start)), count: Int(key.count), hash: key.hash) {
                return field.value
            }
        }
        return nil
    }

    static func apply(_ transform: TemplateTransform, to iteration: Iteration) -> Value? {
        switch transform {
        case .first: .bool(iteration.index == 0)
        case .last: .bool(iteration.index == iteration.count - 1)
        case .index: .int(iteration.index)
        case .even: .bool(iteration.index & 1 == 0)
        case .odd: .bool(iteration.index & 1 == 1)
        default: nil
        }
    }

    /// A transform of a value; a new string or list is added to the context.
    mutating func apply(_ transform: TemplateTransform, to value: Value) -> Value? {
        switch value.kind {
        case .string:
            let string = context.string(value)
            let result: String
            switch transform {
            case .empty: return .bool(string.isEmpty)
            case .capitalized: result = string.capitalized
            case .lowercased: result = string.lowercased()
            case .uppercased: result = string.uppercased()
            case .reversed: result = String(string.reversed())
            default: return nil
            }
            let start = context.bytes.count
            context.bytes.append(contentsOf: result.utf8)
            return Value(start: start, count: Int32(context.bytes.count - start), kind: .string)
        case .list:
            let items = value.start..<value.start + Int(value.count)
            switch transform {
            case .first: return items.isEmpty ? nil : context.items[items.lowerBound]
            case .last: return items.isEmpty ? nil : context.items[items.upperBound - 1]
            case .reversed:
                let start = context.items.count
                for i in items.reversed() { context.items.append(context.items[i]) }
                return Value(start: start, count: value.count, kind: .list)
            case .count: return .int(items.count)
            case .empty: return .bool(items.isEmpty)
            default: return nil
            }
        case .int:
            let int = value.start
            switch transform {
            case .equalzero: return .bool(int == 0)
            case .plusone: return .int(int &+ 1)
            case .minusone: return .int(int &- 1)
            case .even: return .bool(int & 1 == 0)
            case .odd: return .bool(int & 1 == 1)
            default: return nil
            }
        case .bool, .object:
            return nil
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
    private mutating func appendProgramBytes(_ range: Range<Int>) {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: program.bytes[range]))
    }

    /// Text, line by line: each line that starts a line of the level's output gets the indentation.
    private mutating func write(text: Range<Int>, _ indentation: Range<Int>, levelStart: Int) {
        var start = text.lowerBound
        while start < text.upperBound {
            var end = start
            while end < text.upperBound && program.bytes[end] != 10 { end += 1 }
            if end < text.upperBound { end += 1 }
            if atLineStart(levelStart: levelStart) { output.append(contentsOf: indentations[indentation]) }
            appendProgramBytes(start..<end)
            start = end
        }
    }

    private mutating func write(_ value: Value, escaped: Bool) {
        switch value.kind {
        case .string:
            let range = value.start..<value.start + Int(value.count)
            if escaped {
                writeEscaped(range)
            } else {
                context.bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            }
        case .int:
            output.append(contentsOf: String(value.start).utf8)
        case .bool:
            output.append(contentsOf: (value.start != 0 ? "true" : "false").utf8)
        case .list, .object:
            // swift-mustache writes Swift's description of these; a theme has no use for that.
            break
        }
    }

    /// `Escape.html`, written straight into the output. The five characters it replaces are ASCII,
    /// so replacing bytes is replacing scalars.
    private mutating func writeEscaped(_ range: Range<Int>) {
        context.bytes.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[range])
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
