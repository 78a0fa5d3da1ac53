/// Renders a theme's templates. Bulletin talks to templates only through this, so a compiled,
/// typed renderer of the same Mustache syntax can replace swift-mustache without touching themes.
public protocol TemplateEngine: Sendable {
    /// Whether the theme has a template of this name.
    func hasTemplate(named name: String) -> Bool
    /// Renders template `name` with `context`.
    func render(_ name: String, context: TemplateObject) -> String
}

/// A template that failed to parse, with its position.
public struct TemplateError: Error, Sendable {
    public var location: SourceLocation
    public var message: String
}
