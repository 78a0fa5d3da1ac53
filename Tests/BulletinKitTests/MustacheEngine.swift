@testable import BulletinKit
import Foundation
import Mustache

/// `TemplateEngine` over hummingbird-project/swift-mustache, which Bulletin rendered with before
/// `ThemeTemplates`; the tests keep it as the oracle that `ThemeTemplates` renders like.
struct MustacheEngine: TemplateEngine {
    let library: MustacheLibrary
    let names: Set<String>

    /// Loads every `*.mustache` below `folder`; a template in a subfolder is named `sub/name`.
    /// - Parameter display: how to print `folder` in diagnostics.
    init(folder: String, display: String) throws(TemplateErrors) {
        Self.registerEscaping
        var templates: [String: MustacheTemplate] = [:]
        var errors: [TemplateError] = []
        for relative in ThemeTemplates.files(in: folder, matching: { $0.hasSuffix(".mustache") }) {
            let shown = display + "/" + relative
            guard let data = FileManager.default.contents(atPath: folder + "/" + relative) else {
                errors.append(TemplateError(location: SourceLocation(path: shown), message: "cannot read the template"))
                continue
            }
            guard let text = String(validating: [UInt8](data), as: UTF8.self) else {
                let (line, column) = SourceText.firstInvalidUTF8(in: [UInt8](data))
                errors.append(TemplateError(location: SourceLocation(path: shown, line: line, column: column), message: "the template is not valid UTF-8"))
                continue
            }
            do {
                templates[String(relative.dropLast(".mustache".count))] = try MustacheTemplate(string: Self.escapingPragma + text)
            } catch let error as MustacheTemplate.ParserError {
                // The pragma stands on a line of its own before the template's first line.
                let line = max(1, error.context.lineNumber - 1)
                let column = error.context.columnNumber
                errors.append(
                    TemplateError(
                        location: SourceLocation(path: shown, line: line, column: column),
                        message: "template syntax: \(Self.describe(error.error))"))
            } catch {
                errors.append(TemplateError(location: SourceLocation(path: shown), message: "template syntax: \(error)"))
            }
        }
        if !errors.isEmpty { throw TemplateErrors(errors: errors) }
        self.library = MustacheLibrary(templates: templates)
        self.names = Set(templates.keys)
    }

    /// swift-mustache escapes `{{value}}` one `Character` at a time, so a `<` or `"` that Unicode
    /// joins with a neighbouring scalar (U+0600 before `<`, U+0301 after `"`) is not escaped.
    /// Every template therefore starts with this pragma, which makes `{{value}}` escape with
    /// `Escape.html`, scalar by scalar.
    /// It stands on a line of its own, which Mustache removes (a standalone tag).
    static let escapingPragma = "{{%CONTENT_TYPE:BULLETIN_HTML}}\n"

    static let registerEscaping: Void = {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: "BULLETIN_HTML")
    }()

    func hasTemplate(named name: String) -> Bool { names.contains(name) }

    func renderBytes(_ name: String, context: consuming TemplateContext) -> [UInt8] {
        Array((library.render(MustacheBox(context.object), withTemplate: name) ?? "").utf8)
    }

    static func describe(_ error: any Error) -> String {
        switch "\(error)" {
        case "unfinishedName": "a tag is not closed with '}}'"
        case "expectedSectionEnd": "a section is not closed"
        case "sectionCloseNameIncorrect": "a section is closed with another name than it was opened with"
        case "unmatchedTextToken": "unexpected text in a tag"
        case "invalidSetDelimiter": "invalid set-delimiter tag"
        case "illegalTokenInsideInheritSection": "only blocks may stand inside an inherited template"
        case "textInsideInheritSection": "only blocks may stand inside an inherited template"
        case let other: other
        }
    }
}

/// HTML escaping of template values by Unicode scalar (see `MustacheEngine.escapingPragma`).
struct ScalarHTMLEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String { Escape.html(text) }
}

/// Hands a `TemplateObject` to swift-mustache without reflection.
struct MustacheBox: MustacheParent {
    let object: TemplateObject

    init(_ object: TemplateObject) {
        self.object = object
    }

    func child(named name: String) -> Any? {
        object.fields[name].flatMap(Self.unbox)
    }

    static func unbox(_ value: TemplateValue) -> Any? {
        switch value {
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .list(let items): items.compactMap(unbox)
        case .object(let o): MustacheBox(o)
        }
    }
}

extension MustacheEngine {
    /// Templates from their text, by name, each with the escaping pragma as in `init(folder:display:)`.
    init(texts: [String: String]) throws {
        Self.registerEscaping
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in texts { templates[name] = try MustacheTemplate(string: Self.escapingPragma + text) }
        self.library = MustacheLibrary(templates: templates)
        self.names = Set(templates.keys)
    }
}
