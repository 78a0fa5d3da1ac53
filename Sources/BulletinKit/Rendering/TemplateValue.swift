/// A value handed to a theme template: what Mustache sees, typed, so the engine behind
/// `TemplateEngine` can be swapped without changing how pages are described.
public enum TemplateValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([TemplateValue])
    case object(TemplateObject)
}

/// Named values: the context of a page or an item of a list.
public struct TemplateObject: Sendable {
    public var fields: [String: TemplateValue]

    public init(_ fields: [String: TemplateValue] = [:]) {
        self.fields = fields
    }

    public subscript(key: String) -> TemplateValue? {
        get { fields[key] }
        set { fields[key] = newValue }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension TemplateObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.fields = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }
}

extension TemplateValue {
    /// An object value from key–value pairs.
    public static func object(_ fields: [String: TemplateValue]) -> TemplateValue { .object(TemplateObject(fields)) }
}
