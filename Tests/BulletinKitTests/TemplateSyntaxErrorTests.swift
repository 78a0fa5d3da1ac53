@testable import BulletinKit
import Foundation
import Testing

/// A template that does not parse is reported with a message and the line and column where the
/// parser stopped, as swift-mustache (`MustacheEngine`) reported it.
struct TemplateSyntaxErrorTests {
    struct Broken: Sendable, CustomTestStringConvertible {
        var template: String
        var message: String
        var line: Int
        var column: Int

        var testDescription: String { message }
    }

    static let cases: [Broken] = [
        Broken(template: "<ul>\n{{#items}}\n<li>{{name}}</li>\n", message: "a section is not closed", line: 4, column: 1),
        Broken(template: "<p>\n  {{#a}}x{{/b}}\n</p>\n", message: "a section is closed with another name than it was opened with", line: 2, column: 13),
        Broken(template: "<p>{{name x}}</p>", message: "a tag is not closed with '}}'", line: 1, column: 11),
        Broken(template: "one\n{{=<% =}}\n", message: "invalid set-delimiter tag", line: 2, column: 10),
        Broken(
            template: "{{<base}}\n{{$title}}제목{{/title}}\n{{name}}\n{{/base}}\n", message: "only blocks may stand inside an inherited template",
            line: 5, column: 1),
        Broken(template: "{{/a}}", message: "a section is closed with another name than it was opened with", line: 1, column: 4),
        Broken(template: "{{#empty(a}}{{/empty(a}}", message: "a tag is not closed with '}}'", line: 1, column: 13),
        Broken(template: "{{%CONTENT_TYPE:XML}}", message: "unrecognisedConfigVariable", line: 1, column: 22),
    ]

    static func error(_ template: String, parse: (String) throws -> Void) -> TemplateError? {
        do {
            try parse(template)
            return nil
        } catch let errors as TemplateErrors {
            return errors.errors.first
        } catch {
            return nil
        }
    }

    @Test(arguments: cases)
    func locatedError(_ broken: Broken) throws {
        let error = try #require(Self.error(broken.template) { _ = try ThemeTemplates(texts: ["t": $0]) })
        #expect(error.message == "template syntax: " + broken.message)
        #expect(error.location.path == "t")
        #expect(error.location.line == broken.line)
        #expect(error.location.column == broken.column)
    }

    /// The same templates in files, through both engines: the same message at the same place.
    @Test(arguments: cases)
    func locatedLikeSwiftMustache(_ broken: Broken) throws {
        let folder = FileManager.default.temporaryDirectory.path + "/bulletin-syntax-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try broken.template.write(toFile: folder + "/sub/t.mustache", atomically: true, encoding: .utf8)
        let ours = try #require(Self.error(folder) { _ = try ThemeTemplates(folder: $0, display: "Themes/x/templates") })
        let oracle = try #require(Self.error(folder) { _ = try MustacheEngine(folder: $0, display: "Themes/x/templates") })
        #expect(ours.location.path == "Themes/x/templates/sub/t.mustache")
        #expect(ours.location == oracle.location)
        #expect(ours.message == oracle.message)
    }

    @Test func everyBrokenTemplateIsReportedInTheFilesOrder() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/bulletin-syntax-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "{{#x}}".write(toFile: folder + "/a.mustache", atomically: true, encoding: .utf8)
        try Data([0x61, 0x0A, 0x62, 0xFF]).write(to: URL(fileURLWithPath: folder + "/b.mustache"))
        try "fine {{x}}".write(toFile: folder + "/c.mustache", atomically: true, encoding: .utf8)
        try "ok {{/y}}".write(toFile: folder + "/d.mustache", atomically: true, encoding: .utf8)
        var thrown: TemplateErrors?
        do { _ = try ThemeTemplates(folder: folder, display: "T") } catch { thrown = error }
        let errors = try #require(thrown).errors
        #expect(errors.map(\.location) == [
            SourceLocation(path: "T/a.mustache", line: 1, column: 7),
            SourceLocation(path: "T/b.mustache", line: 2, column: 2),
            SourceLocation(path: "T/d.mustache", line: 1, column: 7),
        ])
        #expect(errors.map(\.message) == [
            "template syntax: a section is not closed", "the template is not valid UTF-8",
            "template syntax: a section is closed with another name than it was opened with",
        ])
    }
}
