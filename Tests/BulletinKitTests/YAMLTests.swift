@testable import BulletinKit
import Testing

/// The libyaml wrapper on its own: nodes, 0-based marks, aliases and their budget, errors.
struct YAMLTests {
    static func parse(_ text: String) throws -> YAMLNode {
        try #require(try YAML.parse(text))
    }

    static func pairs(_ node: YAMLNode) -> [(String, YAMLNode)] {
        guard case .mapping(let pairs, _) = node else { return [] }
        return pairs.map { pair in
            guard case .scalar(let key, _, _) = pair.key else { return ("?", pair.value) }
            return (key, pair.value)
        }
    }

    static func scalar(_ node: YAMLNode) -> String? {
        if case .scalar(let value, _, _) = node { return value }
        return nil
    }

    @Test func emptyTextIsNil() throws {
        #expect(try YAML.parse("") == nil)
    }

    @Test func marksAreZeroBasedAndCountCharacters() throws {
        let root = try Self.parse("제목: 한글\nlist:\n  - a\n  - \"b\"\n")
        #expect(root.mark == YAMLMark(line: 0, column: 0))
        let fields = Self.pairs(root)
        #expect(fields.map(\.0) == ["제목", "list"])
        #expect(fields[0].1.mark == YAMLMark(line: 0, column: 4), "after two Hangul characters, a colon and a space")
        guard case .sequence(let items, let mark) = fields[1].1 else {
            Issue.record("not a sequence")
            return
        }
        #expect(mark == YAMLMark(line: 2, column: 2))
        #expect(items.map(\.mark) == [YAMLMark(line: 2, column: 4), YAMLMark(line: 3, column: 4)])
        guard case .scalar("b", let plain, _) = items[1] else {
            Issue.record("not the scalar b")
            return
        }
        #expect(!plain)
    }

    @Test func jsonWithoutSpacesParses() throws {
        let root = try Self.parse(#"[{"id":1,"date":"2024-06-21T14:50:02+09:00","body":"hi"}]"#)
        guard case .sequence(let items, _) = root else {
            Issue.record("not a sequence")
            return
        }
        #expect(items.count == 1)
        let fields = Self.pairs(items[0])
        #expect(fields.map(\.0) == ["id", "date", "body"])
        #expect(fields.map { Self.scalar($0.1) } == ["1", "2024-06-21T14:50:02+09:00", "hi"])
    }

    @Test func aliasesAreExpanded() throws {
        let root = try Self.parse("a: &x [1, 2]\nb: *x\n")
        let fields = Self.pairs(root)
        guard case .sequence(let items, _) = fields[1].1 else {
            Issue.record("the alias was not expanded to a sequence")
            return
        }
        #expect(items.compactMap(Self.scalar) == ["1", "2"])
    }

    @Test func unknownAliasIsAnError() {
        #expect {
            try YAML.parse("a: *nowhere\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            // libyaml's event parser does not resolve aliases; the node builder does.
            return error.mark == YAMLMark(line: 0, column: 3) && error.message == "unknown alias '*nowhere'"
        }
    }

    @Test func billionLaughsEndsInAnError() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            text += "\(name): &\(name) [" + Array(repeating: "*" + previous, count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect {
            try YAML.parse(text)
        } throws: { error in
            (error as? YAMLError)?.message == "aliases expand to more than \(YAML.aliasExpansionLimit) nodes"
        }
    }

    @Test func manyAliasesWithinTheBudgetAreFine() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nlist:\n"
        for _ in 0..<1000 { text += "  - *a\n" }
        let fields = Self.pairs(try Self.parse(text))
        guard case .sequence(let items, _) = fields[1].1 else {
            Issue.record("not a sequence")
            return
        }
        #expect(items.count == 1000)
    }

    /// Nodes are released recursively: ten thousand nested lists used to overflow the stack.
    @Test func deepNestingIsAnError() {
        let text = "x: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        #expect {
            try YAML.parse(text)
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            // The root mapping is the first level, so the 200th '[' (column 202) is one too many.
            return error.mark == YAMLMark(line: 0, column: 202) && error.message == "lists and mappings are nested more than 200 levels deep"
        }
    }

    @Test func nestingUpToTheLimitIsFine() throws {
        let depth = YAML.nestingLimit - 1
        let text = "x: " + String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) + "\n"
        #expect(try YAML.parse(text) != nil)
    }

    @Test func aliasesCannotNestDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        let text = "a: &a \(deep)\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        #expect {
            try YAML.parse(text)
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.mark == YAMLMark(line: 1, column: 53) && error.message.contains("nested more than 200 levels")
        }
    }

    @Test func syntaxErrorsCarryLibyamlMarks() {
        #expect {
            try YAML.parse("title: a\n  views: 3\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.mark == YAMLMark(line: 1, column: 7) && error.message.contains("mapping values are not allowed")
        }
        #expect {
            try YAML.parse("a: [1, 2\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.mark.line == 1 && error.message.contains("flow sequence")
        }
        #expect {
            try YAML.parse("a: \"\\q\"\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.mark == YAMLMark(line: 0, column: 4) && error.message.contains("unknown escape character")
        }
    }

    @Test func onlyTheFirstDocumentIsRead() throws {
        let root = try Self.parse("a: 1\n---\nb: 2\n")
        #expect(Self.pairs(root).map(\.0) == ["a"])
    }

    @Test func tabsInIndentationAreAnError() {
        #expect(throws: YAMLError.self) {
            try YAML.parse("a:\n\t- b\n")
        }
    }
}
