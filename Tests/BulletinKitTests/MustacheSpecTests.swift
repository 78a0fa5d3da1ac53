// The Mustache spec's own tests (MustacheSpec/, see its README), run against `ThemeTemplates` and
// against swift-mustache (`MustacheEngine`), whose behaviour `ThemeTemplates` follows.
//
// JSON data becomes `TemplateValue`s: null leaves the key out, whole numbers are `.int`, other
// numbers `.string` of their shortest decimal text (1.21 → "1.21"), true/false `.bool`.
//
// Skipped, with the reason:
// - ~inheritance "Intrinsic indentation" and "Nested block reindentation": swift-mustache 2.1.1
//   does not pass them either (its own spec tests skip them), and we render as it does.
// No lambda file is vendored (lambdas need code in the data; templates get none), and no case
// depends on falsy values that we treat unlike the spec.

@testable import BulletinKit
import Foundation
import Testing

struct MustacheSpecTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var name: String
        var template: String
        var partials: [String: String]
        var data: TemplateObject
        var expected: String

        var testDescription: String { "\(file): \(name)" }
    }

    static let files = ["comments", "delimiters", "interpolation", "inverted", "partials", "sections", "~inheritance", "~dynamic-names"]

    static let skipped: Set<String> = [
        "~inheritance: Intrinsic indentation",
        "~inheritance: Nested block reindentation",
    ]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MustacheSpec").path

    static let allCases: [Case] = {
        var cases: [Case] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file + ".json"),
                let spec = try? JSONDecoder().decode(SpecFile.self, from: data)
            else {
                Issue.record("cannot read \(file).json")
                continue
            }
            for test in spec.tests {
                guard case .object(let object)? = test.data.value else {
                    Issue.record("\(file): \(test.name): data is not an object")
                    continue
                }
                cases.append(
                    Case(file: file, name: test.name, template: test.template, partials: test.partials ?? [:], data: object, expected: test.expected))
            }
        }
        return cases
    }()

    static var runCases: [Case] { allCases.filter { !skipped.contains($0.testDescription) } }

    @Test func everyFileHasCases() {
        #expect(Self.allCases.count == 161)
        #expect(Self.allCases.count - Self.runCases.count == Self.skipped.count)
    }

    @Test(arguments: runCases)
    func specCase(_ test: Case) throws {
        var texts = test.partials
        texts["__test__"] = test.template
        let engine = try ThemeTemplates(texts: texts)
        #expect(engine.render("__test__", context: test.data) == test.expected)
    }

    /// The same cases through swift-mustache: where it passes, it is the spec we agree on.
    @Test(arguments: runCases)
    func specCaseWithSwiftMustache(_ test: Case) throws {
        var texts = test.partials
        texts["__test__"] = test.template
        let engine = try MustacheEngine(texts: texts)
        #expect(engine.render("__test__", context: test.data) == test.expected)
    }
}

private struct SpecFile: Decodable {
    struct Test: Decodable {
        var name: String
        var data: JSONValue
        var template: String
        var partials: [String: String]?
        var expected: String
    }

    var tests: [Test]
}

/// A JSON value as a `TemplateValue`; `nil` for null.
private struct JSONValue: Decodable {
    var value: TemplateValue?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = nil
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            value = .int(int)
        } else if let double = try? container.decode(Double.self) {
            value = .string("\(double)")
        } else if let string = try? container.decode(String.self) {
            value = .string(string)
        } else if let list = try? container.decode([JSONValue].self) {
            value = .list(list.compactMap(\.value))
        } else {
            let fields = try container.decode([String: JSONValue].self)
            value = .object(TemplateObject(fields.compactMapValues(\.value)))
        }
    }
}
