import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// `{{value}}` escapes every `<`, `>`, `&`, `"` and `'`, also where Unicode joins it with a
/// neighbouring scalar into one character (swift-mustache's own escaping misses those).
struct TemplateEscapingTests {
    static func render(_ template: String, _ value: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.path + "/bulletin-templates-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try template.write(toFile: folder + "/t.mustache", atomically: true, encoding: .utf8)
        let engine = try ThemeTemplates(folder: folder, display: "t")
        return engine.render("t", context: ["x": .string(value)])
    }

    @Test(arguments: [
        ("\u{600}<img src=x onerror=alert(1)>", "\u{600}&lt;img src=x onerror=alert(1)&gt;"),
        ("\u{D4E}<b>", "\u{D4E}&lt;b&gt;"),
        ("\"\u{301} onmouseover=alert(1) x=\"", "&quot;\u{301} onmouseover=alert(1) x=&quot;"),
        ("'\u{200D}", "&#39;\u{200D}"),
        ("&\u{301}amp;", "&amp;\u{301}amp;"),
    ])
    func joinedCharactersAreEscaped(_ value: String, _ expected: String) throws {
        #expect(try Self.render("<p title=\"{{x}}\">{{x}}</p>", value) == "<p title=\"\(expected)\">\(expected)</p>")
    }

    @Test func tripleMustacheStillWritesRawHTML() throws {
        #expect(try Self.render("{{{x}}}", "<b>굵게</b>") == "<b>굵게</b>")
    }

    @Test func syntaxErrorOnTheFirstLineIsReportedAtItsOwnColumn() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/bulletin-templates-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "<p>{{#x}}</p>".write(toFile: folder + "/t.mustache", atomically: true, encoding: .utf8)
        #expect {
            _ = try ThemeTemplates(folder: folder, display: "Themes/t")
        } throws: { error in
            guard let location = (error as? TemplateErrors)?.errors.first?.location else { return false }
            return location.path == "Themes/t/t.mustache" && location.line == 1 && location.column <= 14
        }
    }
}
