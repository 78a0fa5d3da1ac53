/// Renders a theme's templates. Bulletin talks to templates only through this: `ThemeTemplates`
/// renders them, and the tests render the same pages through it with swift-mustache to compare.
public protocol TemplateEngine: Sendable {
    /// Whether the theme has a template of this name.
    func hasTemplate(named name: String) -> Bool
    /// Renders template `name` with `context`.
    func render(_ name: String, context: TemplateObject) -> String
    /// `render`, as UTF-8 bytes: what pages are written as.
    func renderBytes(_ name: String, context: TemplateObject) -> [UInt8]
}

extension TemplateEngine {
    public func renderBytes(_ name: String, context: TemplateObject) -> [UInt8] {
        Array(render(name, context: context).utf8)
    }
}

/// A template that failed to parse, with its position.
public struct TemplateError: Error, Sendable {
    public var location: SourceLocation
    public var message: String
}
