/// A parsed template: a tree of nodes whose names are split and whose partials are resolved to
/// indices once, at load time, so that rendering does no string work on the template itself.
indirect enum TemplateNode: Sendable {
    /// Literal text.
    case text(String)
    /// `{{name}}` (escaped unless a `TEXT` content type is in force) or `{{{name}}}` / `{{&name}}`.
    case value(TemplateName, escaped: Bool)
    /// `{{#name}}…{{/name}}`
    case section(TemplateName, [TemplateNode])
    /// `{{^name}}…{{/name}}`
    case inverted(TemplateName, [TemplateNode])
    /// `{{>name}}` or a parent `{{<name}}…{{/name}}`: the index of the template (`nil` when the
    /// theme has none of that name), the indentation of a standalone tag, and a parent's blocks.
    case partial(Int?, indentation: String?, overrides: [String: [TemplateNode]]?)
    /// `{{>*name}}` or `{{<*name}}…{{/*name}}`: the template named by a value.
    case dynamicPartial(TemplateName, indentation: String?, overrides: [String: [TemplateNode]]?)
    /// `{{$name}}default{{/name}}` where it is expanded.
    case block(String, [TemplateNode], indentation: String)
    /// `{{$name}}…{{/name}}` directly inside a parent: an override. Only the parser sees these.
    case blockDefinition(String, [TemplateNode])
    /// `{{%CONTENT_TYPE:…}}`: whether `{{name}}` escapes from here to the end of the section.
    case contentType(escapes: Bool)
}

/// A name as a template writes it, split once.
struct TemplateName: Sendable, Equatable {
    enum Start: Sendable, Equatable {
        /// The first part is looked up through the context stack, from the top.
        case stack
        /// Every part is looked up from the top of the stack only (`.`, `.a.b`).
        case top
        /// The position in the list being iterated (`first()`, `index()`…).
        case iteration
    }

    var start: Start
    var parts: [TemplateKey]
    /// In the order they apply: `a(b(x))` is `[b, a]`.
    var transforms: [TemplateTransform]

    /// A name and its transforms as the parser reads them (`a(b(x))` is `x`, `[a, b]`).
    init(_ name: String, transforms: [String] = []) {
        self.transforms = transforms.reversed().map(TemplateTransform.init)
        if name == "." {
            start = .top
            parts = []
        } else if name.isEmpty && !transforms.isEmpty {
            start = .iteration
            parts = []
        } else {
            parts = name.split(separator: ".").map { TemplateKey(String($0)) }
            start = name.first == "." || parts.isEmpty ? .top : .stack
        }
    }
}

/// The transforms `{{transform(name)}}` can apply (swift-mustache's extension of Mustache).
enum TemplateTransform: Sendable, Equatable {
    case empty, capitalized, lowercased, uppercased, reversed
    case first, last, count
    case equalzero, plusone, minusone, even, odd
    case index
    /// A name no value understands: the result is always missing.
    case unknown

    init(_ name: String) {
        switch name {
        case "empty": self = .empty
        case "capitalized": self = .capitalized
        case "lowercased": self = .lowercased
        case "uppercased": self = .uppercased
        case "reversed": self = .reversed
        case "first": self = .first
        case "last": self = .last
        case "count": self = .count
        case "equalzero": self = .equalzero
        case "plusone": self = .plusone
        case "minusone": self = .minusone
        case "even": self = .even
        case "odd": self = .odd
        case "index": self = .index
        default: self = .unknown
        }
    }
}
