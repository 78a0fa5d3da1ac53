import Foundation

/// What a template renders with, as the renderer reads it: every value of a page in three flat
/// arrays (the strings' bytes, the objects' fields, the lists' items) that a value points into by
/// offset and count.
///
/// A page's context used to be a tree of `TemplateValue`s: a string, an array and a dictionary
/// (later a list of fields) per value, allocated one by one, and retained and released at every
/// step of every lookup. That was a third of the build's CPU. Here a value is a few integers, a
/// lookup compares integers and copies nothing, and a page's context is a handful of allocations.
///
/// Contexts are made with ``ContextBuilder``; `TemplateObject` trees (the tests, the Mustache spec)
/// are turned into one by ``init(_:)``, and back by ``object``.
public struct TemplateContext: Sendable {
    /// One value: what it is and where its parts are.
    struct Value: Sendable {
        enum Kind: UInt8, Sendable {
            /// `start`, `count`: its UTF-8 bytes in `bytes`.
            case string
            /// `start`: the number.
            case int
            /// `start`: 0 or 1.
            case bool
            /// `start`, `count`: its items in `items`.
            case list
            /// `start`, `count`: its fields in `fields`.
            case object
        }

        var start: Int
        var count: Int32
        var kind: Kind

        static func int(_ value: Int) -> Value { Value(start: value, count: 0, kind: .int) }
        static func bool(_ value: Bool) -> Value { Value(start: value ? 1 : 0, count: 0, kind: .bool) }
        static let emptyObject = Value(start: 0, count: 0, kind: .object)
    }

    /// A named value of an object. The name is the key's bytes: in the program's read-only data for
    /// names written in Swift (`ContextKey`), else in `bytes`.
    struct Field: Sendable {
        var hash: UInt64
        /// The address of the name's bytes when `keyInBytes` is false, else their offset in `bytes`.
        var keyStart: Int
        var keyCount: Int32
        var keyInBytes: Bool
        var value: Value
    }

    var bytes: [UInt8] = []
    var fields: [Field] = []
    var items: [Value] = []
    /// The page's own object.
    var root: Value = .emptyObject

    public init() {}

    /// A context holding `object`'s values.
    public init(_ object: TemplateObject) {
        var builder = ContextBuilder()
        self = builder.finish(root: builder.add(object))
    }

    /// The context as `TemplateObject`s (for the tests' oracle, and for looking at a context).
    public var object: TemplateObject {
        guard case .object(let object) = value(root) else { return TemplateObject() }
        return object
    }

    func value(_ value: Value) -> TemplateValue {
        switch value.kind {
        case .string: .string(string(value))
        case .int: .int(value.start)
        case .bool: .bool(value.start != 0)
        case .list: .list(items[value.start..<value.start + Int(value.count)].map { self.value($0) })
        case .object:
            .object(
                TemplateObject(
                    entries: fields[value.start..<value.start + Int(value.count)].map { field in
                        TemplateObject.Field(key: TemplateKey(keyName(field)), value: self.value(field.value))
                    }))
        }
    }

    func string(_ value: Value) -> String {
        String(decoding: bytes[value.start..<value.start + Int(value.count)], as: UTF8.self)
    }

    func keyName(_ field: Field) -> String {
        if field.keyInBytes { return String(decoding: bytes[field.keyStart..<field.keyStart + Int(field.keyCount)], as: UTF8.self) }
        return String(
            decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: field.keyStart), count: Int(field.keyCount)), as: UTF8.self)
    }

    /// Whether field `field` is named by the `count` bytes at `name` whose hash is `hash`.
    @inline(__always)
    func field(_ field: Field, isNamed name: UnsafeRawPointer, count: Int, hash: UInt64) -> Bool {
        guard field.hash == hash, Int(field.keyCount) == count else { return false }
        // The hash of a name shorter than 8 bytes is its bytes (`TemplateKey.hash`): equal hashes, equal names.
        if count < 8 { return true }
        if field.keyInBytes {
            return bytes.withUnsafeBytes { memcmp($0.baseAddress! + field.keyStart, name, count) == 0 }
        }
        return memcmp(UnsafeRawPointer(bitPattern: field.keyStart)!, name, count) == 0
    }
}

/// A field name written in Swift: its bytes stay where the compiler put them, with their hash.
public struct ContextKey: ExpressibleByStringLiteral, Sendable {
    let name: StaticString
    let hash: UInt64

    public init(stringLiteral name: StaticString) {
        self.name = name
        self.hash = TemplateKey.hash(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}

/// Makes a ``TemplateContext``: strings are appended to one byte array; an object's fields and a
/// list's items are gathered on stacks while they are made (an object may hold lists of objects)
/// and moved to their final, contiguous place when the object or list is done.
///
/// ```swift
/// var b = ContextBuilder()
/// let root = b.object { o in
///     o.set("title", string: title)
///     o.set("rows", o.list { l in for row in rows { l.append(l.include(row)) } })
/// }
/// let context = b.finish(root: root)
/// ```
public struct ContextBuilder {
    typealias Value = TemplateContext.Value
    private var context = TemplateContext()
    private var pendingFields: [TemplateContext.Field] = []
    private var pendingItems: [Value] = []

    public init() {}

    /// A builder that reserves room for about `bytes` bytes of strings.
    init(capacity bytes: Int) {
        context.bytes.reserveCapacity(bytes)
        context.fields.reserveCapacity(bytes / 32)
        pendingFields.reserveCapacity(64)
    }

    // MARK: Values

    mutating func string(_ string: String) -> Value {
        var string = string
        return self.string { bytes in string.withUTF8 { bytes.append(contentsOf: $0) } }
    }

    /// A string of bytes written by `write` (which appends UTF-8 to the array it is given).
    mutating func string(writing write: (inout [UInt8]) -> Void) -> Value {
        let start = context.bytes.count
        write(&context.bytes)
        return Value(start: start, count: Int32(context.bytes.count - start), kind: .string)
    }

    /// An object of the fields `build` sets.
    mutating func object(_ build: (inout ContextBuilder) -> Void) -> Value {
        let mark = pendingFields.count
        build(&self)
        return Self.settle(&pendingFields, since: mark, into: &context.fields, kind: .object)
    }

    /// A list of the items `build` appends.
    mutating func list(_ build: (inout ContextBuilder) -> Void) -> Value {
        let mark = pendingItems.count
        build(&self)
        return Self.settle(&pendingItems, since: mark, into: &context.items, kind: .list)
    }

    /// Moves what was gathered on `pending` since `mark` to the end of `final`, where it stays
    /// in one run: the value of the object or list it makes.
    private static func settle<T>(_ pending: inout [T], since mark: Int, into final: inout [T], kind: Value.Kind) -> Value {
        let start = final.count
        final.append(contentsOf: pending[mark...])
        pending.removeSubrange(mark...)
        return Value(start: start, count: Int32(final.count - start), kind: kind)
    }

    /// A list of one object per element of `elements`, each with the fields `build` sets.
    mutating func list<S: Sequence>(of elements: S, _ build: (inout ContextBuilder, S.Element) -> Void) -> Value {
        list { l in
            for element in elements { l.append(l.object { build(&$0, element) }) }
        }
    }

    // MARK: Fields and items

    /// Sets a field of the object being made.
    mutating func set(_ key: ContextKey, _ value: Value) {
        pendingFields.append(
            TemplateContext.Field(
                hash: key.hash, keyStart: Int(bitPattern: key.name.utf8Start), keyCount: Int32(key.name.utf8CodeUnitCount), keyInBytes: false,
                value: value))
    }

    mutating func set(_ key: ContextKey, string: String) { set(key, self.string(string)) }
    mutating func set(_ key: ContextKey, int: Int) { set(key, .int(int)) }
    /// Sets a string field to what `write` appends to the bytes it is given (UTF-8).
    mutating func set(_ key: ContextKey, writing write: (inout [UInt8]) -> Void) { set(key, string(writing: write)) }
    mutating func set(_ key: ContextKey, bool: Bool) { set(key, .bool(bool)) }

    /// Sets a field whose name is not written in Swift.
    mutating func set(name: String, _ value: Value) {
        let start = context.bytes.count
        var name = name
        let hash = name.withUTF8 { bytes in
            context.bytes.append(contentsOf: bytes)
            return TemplateKey.hash(UnsafeRawBufferPointer(bytes))
        }
        pendingFields.append(
            TemplateContext.Field(hash: hash, keyStart: start, keyCount: Int32(context.bytes.count - start), keyInBytes: true, value: value))
    }

    /// Appends an item to the list being made.
    mutating func append(_ value: Value) {
        pendingItems.append(value)
    }

    // MARK: Whole contexts

    /// A copy of another context's root value, with everything it holds.
    mutating func include(_ other: TemplateContext) -> Value {
        let bytesBase = context.bytes.count
        let fieldsBase = context.fields.count
        let itemsBase = context.items.count
        context.bytes.append(contentsOf: other.bytes)
        func moved(_ value: Value) -> Value {
            var value = value
            switch value.kind {
            case .string: value.start += bytesBase
            case .list: value.start += itemsBase
            case .object: value.start += fieldsBase
            case .int, .bool: break
            }
            return value
        }
        for var field in other.fields {
            if field.keyInBytes { field.keyStart += bytesBase }
            field.value = moved(field.value)
            context.fields.append(field)
        }
        for item in other.items { context.items.append(moved(item)) }
        return moved(other.root)
    }

    /// A `TemplateValue` tree's values.
    mutating func add(_ value: TemplateValue) -> Value {
        switch value {
        case .string(let string): return self.string(string)
        case .int(let int): return .int(int)
        case .bool(let bool): return .bool(bool)
        case .list(let items): return list { l in for item in items { l.append(l.add(item)) } }
        case .object(let object): return add(object)
        }
    }

    mutating func add(_ object: TemplateObject) -> Value {
        self.object { o in
            for entry in object.entries { o.set(name: entry.key.name, o.add(entry.value)) }
        }
    }

    /// The context, with `root` (an object) as the page's own object.
    mutating func finish(root: Value) -> TemplateContext {
        precondition(pendingFields.isEmpty && pendingItems.isEmpty, "an object or list was left unfinished")
        var done = TemplateContext()
        swap(&done, &context)
        done.root = root
        return done
    }
}
