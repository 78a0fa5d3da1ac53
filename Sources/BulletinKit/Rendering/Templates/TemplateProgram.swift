/// A theme's parsed templates laid out flat for rendering: one array of instructions for all
/// templates, where a section's body is the run of instructions after it, and every text, name and
/// indentation is an offset into one byte array. Walking it copies nothing and retains nothing,
/// which walking the `TemplateNode` trees did at every node.
///
/// The arrays are allocated once per theme and never change, so the renderer reads them through
/// plain pointers: no bounds of a Swift array to keep, no reference counts to touch.
final class TemplateProgram: @unchecked Sendable {
    let ops: UnsafeBufferPointer<Op>
    let bytes: UnsafeBufferPointer<UInt8>
    let names: UnsafeBufferPointer<Name>
    let keys: UnsafeBufferPointer<Key>
    let transforms: UnsafeBufferPointer<TemplateTransform>
    /// Indentations: their bytes in `bytes`.
    let strings: UnsafeBufferPointer<Range<Int32>>
    /// Each partial's overrides, as a range of `overrides`.
    let overrideSets: UnsafeBufferPointer<Range<Int32>>
    let overrides: UnsafeBufferPointer<Override>
    /// Each template's instructions.
    let templates: UnsafeBufferPointer<Range<Int32>>

    init(_ templates: [[TemplateNode]]) {
        let compiled = TemplateCompiler(templates)
        func copy<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
            _ = buffer.initialize(from: array)
            return UnsafeBufferPointer(rebasing: buffer[0..<array.count])
        }
        ops = copy(compiled.ops)
        bytes = copy(compiled.bytes)
        names = copy(compiled.names)
        keys = copy(compiled.keys)
        transforms = copy(compiled.transforms)
        strings = copy(compiled.strings)
        overrideSets = copy(compiled.overrideSets)
        overrides = copy(compiled.overrides)
        self.templates = copy(compiled.templates)
    }

    deinit {
        for pointer in [
            UnsafeRawPointer(ops.baseAddress), UnsafeRawPointer(bytes.baseAddress), UnsafeRawPointer(names.baseAddress),
            UnsafeRawPointer(keys.baseAddress), UnsafeRawPointer(transforms.baseAddress), UnsafeRawPointer(strings.baseAddress),
            UnsafeRawPointer(overrideSets.baseAddress), UnsafeRawPointer(overrides.baseAddress), UnsafeRawPointer(templates.baseAddress),
        ] {
            pointer?.deallocate()
        }
    }

    struct Op: Sendable {
        enum Code: UInt8, Sendable {
            /// `a`, `b`: the text's bytes.
            case text
            /// `a`: the name; `b`: 1 to escape (unless a content type turned escaping off).
            case value
            /// `a`: the name; the body runs to `b`.
            case section
            /// `a`: the name; the body runs to `b`.
            case inverted
            /// `a`: the template (-1 for none); `b`: the indentation (-1 for none); `c`: the blocks
            /// it overrides (-1 for none).
            case partial
            /// `a`: the name of the value that names the template; `b`, `c` as for `partial`.
            case dynamicPartial
            /// `a`: the block's name; the default body runs to `b`; `c`: the indentation.
            case block
            /// `a`: 1 if `{{name}}` escapes from here on.
            case contentType
        }

        var code: Code
        var a: Int32
        var b: Int32
        var c: Int32 = -1
    }

    /// A name: how its first part is looked up, its parts (in `keys`) and transforms.
    struct Name: Sendable {
        var start: TemplateName.Start
        var keys: Range<Int32>
        var transforms: Range<Int32>
    }

    /// A part of a name: its bytes in `bytes` and their hash.
    struct Key: Sendable {
        var hash: UInt64
        var start: Int32
        var count: Int32
    }

    /// A block of a parent that a partial overrides.
    struct Override: Sendable {
        var block: Int32
        var body: Range<Int32>
    }

}

/// Lays `TemplateNode` trees out as a `TemplateProgram`'s arrays.
private struct TemplateCompiler {
    typealias Op = TemplateProgram.Op
    typealias Name = TemplateProgram.Name
    typealias Key = TemplateProgram.Key
    typealias Override = TemplateProgram.Override

    var ops: [Op] = []
    var bytes: [UInt8] = []
    var names: [Name] = []
    var keys: [Key] = []
    var transforms: [TemplateTransform] = []
    var strings: [Range<Int32>] = []
    var overrideSets: [Range<Int32>] = []
    var overrides: [Override] = []
    var templates: [Range<Int32>] = []
    private var blockIDs: [String: Int32] = [:]
    /// Overrides whose bodies are still to compile: their set, and each block's id and body.
    private var deferred: [(Int, [(Int32, [TemplateNode])])] = []

    init(_ templates: [[TemplateNode]]) {
        for nodes in templates {
            let start = Int32(ops.count)
            compile(nodes)
            self.templates.append(start..<Int32(ops.count))
        }
        compileOverrides()
    }

    private mutating func compile(_ nodes: [TemplateNode]) {
        for node in nodes { compile(node) }
    }

    private mutating func compile(_ node: TemplateNode) {
        switch node {
        case .text(let text):
            let range = add(bytes: text)
            ops.append(Op(code: .text, a: range.lowerBound, b: range.upperBound))
        case .value(let name, let escaped):
            ops.append(Op(code: .value, a: add(name), b: escaped ? 1 : 0))
        case .section(let name, let body):
            compileBody(.section, add(name), body)
        case .inverted(let name, let body):
            compileBody(.inverted, add(name), body)
        case .partial(let index, let indentation, let overrides):
            ops.append(Op(code: .partial, a: index.map(Int32.init) ?? -1, b: add(indentation), c: add(overrides)))
        case .dynamicPartial(let name, let indentation, let overrides):
            let nameIndex = add(name)
            ops.append(Op(code: .dynamicPartial, a: nameIndex, b: add(indentation), c: add(overrides)))
        case .block(let name, let body, let indentation):
            let at = ops.count
            ops.append(Op(code: .block, a: blockID(name), b: 0, c: add(indentation)))
            compile(body)
            ops[at].b = Int32(ops.count)
        case .blockDefinition:
            break
        case .contentType(let escapes):
            ops.append(Op(code: .contentType, a: escapes ? 1 : 0, b: 0))
        }
    }

    private mutating func compileBody(_ code: Op.Code, _ name: Int32, _ body: [TemplateNode]) {
        let at = ops.count
        ops.append(Op(code: code, a: name, b: 0))
        compile(body)
        ops[at].b = Int32(ops.count)
    }

    private mutating func add(bytes text: String) -> Range<Int32> {
        let start = Int32(bytes.count)
        bytes.append(contentsOf: text.utf8)
        return start..<Int32(bytes.count)
    }

    private mutating func add(_ name: TemplateName) -> Int32 {
        let keyStart = Int32(keys.count)
        for part in name.parts {
            let range = add(bytes: part.name)
            keys.append(Key(hash: part.hash, start: range.lowerBound, count: range.upperBound - range.lowerBound))
        }
        let transformStart = Int32(transforms.count)
        transforms += name.transforms
        names.append(Name(start: name.start, keys: keyStart..<Int32(keys.count), transforms: transformStart..<Int32(transforms.count)))
        return Int32(names.count - 1)
    }

    private mutating func add(_ indentation: String?) -> Int32 {
        guard let indentation else { return -1 }
        strings.append(add(bytes: indentation))
        return Int32(strings.count - 1)
    }

    private mutating func add(_ overrides: [String: [TemplateNode]]?) -> Int32 {
        guard let overrides else { return -1 }
        overrideSets.append(0..<0)
        deferred.append((overrideSets.count - 1, overrides.sorted(by: { $0.key < $1.key }).map { (blockID($0.key), $0.value) }))
        return Int32(overrideSets.count - 1)
    }

    /// Compiles the bodies of the overrides after every template: they are jumped to, never run in place.
    private mutating func compileOverrides() {
        var next = 0
        while next < deferred.count {
            let (set, bodies) = deferred[next]
            next += 1
            var compiled: [Override] = []
            for (block, body) in bodies {
                let start = Int32(ops.count)
                compile(body)
                compiled.append(Override(block: block, body: start..<Int32(ops.count)))
            }
            let start = Int32(overrides.count)
            overrides += compiled
            overrideSets[set] = start..<Int32(overrides.count)
        }
        deferred = []
    }

    private mutating func blockID(_ name: String) -> Int32 {
        if let id = blockIDs[name] { return id }
        let id = Int32(blockIDs.count)
        blockIDs[name] = id
        return id
    }
}
