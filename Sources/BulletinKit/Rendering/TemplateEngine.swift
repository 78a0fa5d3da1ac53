/// Renders a theme's templates. Bulletin talks to templates only through this: `ThemeTemplates`
/// renders them, and the tests render the same pages through it with swift-mustache to compare.
public protocol TemplateEngine: Sendable {
    /// Whether the theme has a template of this name.
    func hasTemplate(named name: String) -> Bool
    /// Renders template `name` with `context`, as UTF-8 bytes: what pages are written as.
    func renderBytes(_ name: String, context: consuming TemplateContext) -> [UInt8]
}

extension TemplateEngine {
    /// Renders template `name` with the values of `context`.
    public func render(_ name: String, context: TemplateObject) -> String {
        String(decoding: renderBytes(name, context: TemplateContext(context)), as: UTF8.self)
    }
}

/// A template that failed to parse, with its position.
public struct TemplateError: Error, Sendable {
    public var location: SourceLocation
    public var message: String
}
