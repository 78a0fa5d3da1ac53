import Foundation
import Synchronization

/// A theme's templates, parsed once into trees of `TemplateNode`s, laid out flat as a
/// `TemplateProgram` and rendered straight from a `TemplateContext`: Mustache with partials,
/// dynamic partials, template inheritance (parents and blocks), set delimiters, `{{%CONTENT_TYPE:TEXT}}` and swift-mustache's transforms.
///
/// `{{value}}` escapes with `Escape.html`, one Unicode scalar at a time. What it does not do that
/// swift-mustache does: lambdas, and writing a list or an object as `{{value}}` (swift-mustache
/// writes Swift's description of it; this writes nothing).
public struct ThemeTemplates: TemplateEngine {
    private let program: TemplateProgram
    private let names: [String: Int]
    /// The largest page each template has rendered, in UTF-8 bytes: what to reserve for the next.
    private let sizes: [SizeHint]

    private final class SizeHint: Sendable {
        let bytes = Atomic<Int>(0)
    }

    /// Loads every `*.mustache` below `folder`; a template in a subfolder is named `sub/name`.
    /// - Parameter display: how to print `folder` in diagnostics.
    public init(folder: String, display: String) throws(TemplateErrors) {
        let sources = Self.files(in: folder, matching: { $0.hasSuffix(".mustache") }).map { relative in
            let shown = display + "/" + relative
            let name = String(relative.dropLast(".mustache".count))
            guard let data = FileManager.default.contents(atPath: folder + "/" + relative) else {
                return Source(name: name, shown: shown, text: .failure(TemplateError(location: SourceLocation(path: shown), message: "cannot read the template")))
            }
            guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
                let (line, column) = SourceText.firstInvalidUTF8(in: [UInt8](data))
                return Source(
                    name: name, shown: shown,
                    text: .failure(TemplateError(location: SourceLocation(path: shown, line: line, column: column), message: "the template is not valid UTF-8")))
            }
            return Source(name: name, shown: shown, text: .success(text))
        }
        try self.init(sources)
    }

    /// Templates from their text, by name (for tests).
    init(texts: [String: String]) throws(TemplateErrors) {
        try self.init(texts.sorted { $0.key < $1.key }.map { Source(name: $0.key, shown: $0.key, text: .success($0.value)) })
    }

    private struct Source {
        var name: String
        var shown: String
        var text: Result<String, TemplateError>
    }

    /// Parses every template, partials resolved by name; throws every error, in the files' order.
    private init(_ sources: [Source]) throws(TemplateErrors) {
        var index: [String: Int] = [:]
        for (position, source) in sources.enumerated() { index[source.name] = position }
        var templates: [[TemplateNode]] = []
        var errors: [TemplateError] = []
        for source in sources {
            switch source.text {
            case .failure(let error):
                errors.append(error)
            case .success(let text):
                do {
                    templates.append(try TemplateParser.parse(text, templates: index))
                } catch {
                    let (line, column) = TemplateParser.lineAndColumn(of: error.offset, in: text)
                    errors.append(
                        TemplateError(location: SourceLocation(path: source.shown, line: line, column: column), message: "template syntax: \(error.message)"))
                }
            }
        }
        if !errors.isEmpty { throw TemplateErrors(errors: errors) }
        self.program = TemplateProgram(templates)
        self.names = index
        self.sizes = templates.map { _ in SizeHint() }
    }

    public func hasTemplate(named name: String) -> Bool { names[name] != nil }

    public func renderBytes(_ name: String, context: consuming TemplateContext) -> [UInt8] {
        guard let index = names[name] else { return [] }
        let hint = sizes[index].bytes.load(ordering: .relaxed)
        var renderer = TemplateRenderer(program: program, names: names, context: context, capacity: hint + hint / 8 + 256)
        renderer.render(template: index)
        let count = renderer.output.count
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
