/// A value handed to a theme template: what Mustache sees, typed, so the engine behind
/// `TemplateEngine` can be swapped without changing how pages are described.
public enum TemplateValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case object(TemplateObject)
}

/// Named values, as a tree: how the tests and the Mustache spec write a context, and how a
/// `TemplateContext` is shown back. Pages are not rendered from these but from the flat
/// `TemplateContext` that an object is turned into (`TemplateContext(_:)`).
///
/// The fields are a short list, each with a cheap hash of its name (``TemplateKey``), not a
/// `Dictionary`.
public struct TemplateObject: Sendable {
    struct Field: Sendable {
        var key: TemplateKey
        var value: TemplateValue
    }

    var entries: [Field]

    public init() {
        entries = []
    }

    init(entries: [Field]) {
        self.entries = entries
    }

    public init(_ fields: [String: TemplateValue]) {
        entries = fields.map { Field(key: TemplateKey($0.key), value: $0.value) }
    }

    /// The fields, as a dictionary.
    public var fields: [String: TemplateValue] {
        Dictionary(entries.map { ($0.key.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(key: String) -> TemplateValue? {
        get { self[TemplateKey(key)] }
        set {
            let key = TemplateKey(key)
            if let i = index(of: key) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append(Field(key: key, value: newValue))
            }
        }
    }

    subscript(key: TemplateKey) -> TemplateValue? {
        guard let i = index(of: key) else { return nil }
        return entries[i].value
    }

    @inline(__always)
    func index(of key: TemplateKey) -> Int? {
        for i in entries.indices where entries[i].key.hash == key.hash && entries[i].key.name == key.name { return i }
        return nil
    }
}

/// A field name with its hash (``hash(_:)`` of its UTF-8 bytes).
struct TemplateKey: Sendable, Equatable {
    let name: String
    let hash: UInt64

    init(_ name: String) {
        self.name = name
        var copy = name
        self.hash = copy.withUTF8 { Self.hash(UnsafeRawBufferPointer($0)) }
    }

    /// Not a hash to spread keys over buckets: a quick fingerprint that tells most names apart
    /// before their bytes are compared. A name shorter than 8 bytes is its own hash (its bytes,
    /// one after another), so two such names of one length with one hash are the same name, and
    /// `TemplateContext` does not compare their bytes. Pages set a million fields, each with a
    /// name hashed where it is set.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        if count >= 8 {
            let first = bytes.loadUnaligned(as: UInt64.self)
            let last = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return (first &* 0x9E37_79B9_7F4A_7C15) ^ ((last << 29) | (last >> 35)) ^ UInt64(count)
        }
        var hash: UInt64 = 0
        for byte in bytes { hash = hash << 8 | UInt64(byte) }
        return hash
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        entries = []
        entries.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }
}

extension TemplateValue {
    /// An object value from key–value pairs.
    public static func object(_ fields: [String: TemplateValue]) -> TemplateValue { .object(TemplateObject(fields)) }
}
