import Foundation
import Synchronization

/// A theme's templates, parsed once into trees of `TemplateNode`s and rendered straight from the
/// typed `TemplateObject`: Mustache with partials, dynamic partials, template inheritance (parents
/// and blocks), set delimiters, `{{%CONTENT_TYPE:TEXT}}` and swift-mustache's transforms.
///
/// `{{value}}` escapes with `Escape.html`, one Unicode scalar at a time. What it does not do that
/// swift-mustache does: lambdas, and writing a list or an object as `{{value}}` (swift-mustache
/// writes Swift's description of it; this writes nothing).
public struct ThemeTemplates: TemplateEngine {
    private let templates: [[TemplateNode]]
    private let names: [String: Int]
    /// The size of each template's last page, to reserve that much for the next.
    private let sizes: [SizeHint]

    private final class SizeHint: Sendable {
        let bytes = Atomic<Int>(0)
    }

    /// Loads every `*.mustache` below `folder`; a template in a subfolder is named `sub/name`.
    /// - Parameter display: how to print `folder` in diagnostics.
    public init(folder: String, display: String) throws(TemplateErrors) {
        var sources: [Source] = []
        var errors: [TemplateError] = []
        for relative in Self.files(in: folder, matching: { $0.hasSuffix(".mustache") }) {
            let shown = display + "/" + relative
            let name = String(relative.dropLast(".mustache".count))
            guard let data = FileManager.default.contents(atPath: folder + "/" + relative) else {
                errors.append(TemplateError(location: SourceLocation(path: shown), message: "cannot read the template"))
                continue
            }
            guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
                let (line, column) = SourceText.firstInvalidUTF8(in: [UInt8](data))
                errors.append(TemplateError(location: SourceLocation(path: shown, line: line, column: column), message: "the template is not valid UTF-8"))
                continue
            }
            sources.append(Source(name: name, text: text, shown: shown))
        }
        try self.init(sources, errors: errors)
    }

    /// Templates from their text, by name (for tests).
    init(texts: [String: String]) throws(TemplateErrors) {
        try self.init(texts.sorted { $0.key < $1.key }.map { Source(name: $0.key, text: $0.value, shown: $0.key) }, errors: [])
    }

    private struct Source {
        var name: String
        var text: String
        var shown: String
    }

    private init(_ sources: [Source], errors: [TemplateError]) throws(TemplateErrors) {
        var errors = errors
        var index: [String: Int] = [:]
        for (position, source) in sources.enumerated() { index[source.name] = position }
        var templates: [[TemplateNode]] = []
        for source in sources {
            do {
                templates.append(try TemplateParser.parse(source.text, templates: index))
            } catch {
                let (line, column) = TemplateParser.lineAndColumn(of: error.offset, in: source.text)
                errors.append(
                    TemplateError(
                        location: SourceLocation(path: source.shown, line: line, column: column), message: "template syntax: \(error.message)"))
            }
        }
        if !errors.isEmpty { throw TemplateErrors(errors: errors) }
        self.templates = templates
        self.names = index
        self.sizes = templates.map { _ in SizeHint() }
    }

    public func hasTemplate(named name: String) -> Bool { names[name] != nil }

    public func render(_ name: String, context: TemplateObject) -> String {
        guard let index = names[name] else { return "" }
        let hint = sizes[index].bytes.load(ordering: .relaxed)
        var renderer = TemplateRenderer(templates: templates, names: names, context: context, capacity: hint + hint / 8 + 256)
        renderer.render(templates[index], TemplateRenderer.Level(escapes: true, iteration: nil, indentation: "", overrides: nil))
        let count = renderer.output.utf8.count
        if count > hint { sizes[index].bytes.store(count, ordering: .relaxed) }
        return renderer.output
    }

    /// Files below `folder` whose name passes `filter`, as sorted relative paths; hidden ones skipped.
    public static func files(in folder: String, prefix: String = "", matching filter: (String) -> Bool) -> [String] {
        var result: [String] = []
        for name in SiteLoader.sortedEntries(folder) where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                result += files(in: path, prefix: prefix + name + "/", matching: filter)
            } else if filter(name) {
                result.append(prefix + name)
            }
        }
        return result
    }
}

/// Every template that failed to load.
public struct TemplateErrors: Error, Sendable {
    public var errors: [TemplateError]
}
