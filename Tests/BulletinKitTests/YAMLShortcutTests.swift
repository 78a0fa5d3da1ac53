@testable import BulletinKit
import Testing

/// The shortcut for plain comment lists gives what libyaml gives, node for node and mark for
/// mark, on every text it takes; what it does not take goes to libyaml.
struct YAMLShortcutTests {
    /// Whether two nodes are the same: values, styles, marks and end lines.
    static func same(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        guard a.mark == b.mark, a.mark.endLine == b.mark.endLine else { return false }
        switch (a, b) {
        case (.scalar(let x, let px, _), .scalar(let y, let py, _)):
            return px == py && x.utf8.elementsEqual(y.utf8)
        case (.sequence(let xs, _), .sequence(let ys, _)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy(same)
        case (.mapping(let xs, _), .mapping(let ys, _)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { same($0.key, $1.key) && same($0.value, $1.value) }
        default:
            return false
        }
    }

    static let keys = ["id", "date", "body", "reply_to", "author", "recommends", "deleted", "x_1", "Title", "9x", "a b", ""]
    static let values = [
        "1", "42", "true", "2024-01-01T01:28:20+09:00", "mint_choco", "커피중독", "a:b", "a:", "-1", "+3", ".5", "a.b/c", "x#y",
        "\"조음카는 강사회추을 ㅋㅋ\"", "\"\"", "\"say \\\"hi\\\"\"", "\"a\\nb\"", "\"  spaced  \"", "\"tab\there\"", "\"open", "'single'",
        "[1, 2]", "{a: 1}", "|", ">", "&anchor x", "*alias", "!tag x", "~", "null", "\"😀 emoji\"", "\"\u{85}nel\"", "\"\u{2028}ls\"",
        "\"\u{FEFF}bom\"", "\"\u{A0}nbsp\"", "caf\u{E9}", "\u{C2}\u{80}", "\"# not a comment\"", "x ", " x", "",
    ]

    static func randomFile(_ random: inout SplitMix) -> String {
        var lines: [String] = []
        for item in 0..<(1 + Int(random.next() % 4)) {
            for field in 0..<(1 + Int(random.next() % 4)) {
                let key = keys[Int(random.next() % UInt64(random.next() % 5 == 0 ? keys.count : 7))]
                let value = values[Int(random.next() % UInt64(random.next() % 3 == 0 ? values.count : 14))]
                var prefix = field == 0 ? "- " : "  "
                if random.next() % 40 == 0 { prefix = ["-  ", " ", "\t", "-", "   "][Int(random.next() % 5)] }
                lines.append(prefix + key + (random.next() % 50 == 0 ? ":" : ": ") + value)
            }
            if item > 0 && random.next() % 30 == 0 { lines.append(["", "# note", "---", "..."][Int(random.next() % 4)]) }
        }
        return lines.joined(separator: "\n") + (random.next() % 4 == 0 ? "" : "\n")
    }

    @Test func takesOnlyWhatItReadsAsLibyamlDoes() throws {
        var random = SplitMix(seed: 9)
        var taken = 0
        for _ in 0..<20_000 {
            let text = Self.randomFile(&random)
            guard let fast = YAMLListShortcut.parse(text, nodeLimit: .max) else { continue }
            taken += 1
            let slow = try? YAML.parseWithLibyaml(text)
            #expect(slow.map { Self.same(fast, $0) } == true, "\(text.debugDescription)")
        }
        #expect(taken > 1000, "the shortcut took \(taken)")
    }

    @Test func leavesTheRestToLibyaml() {
        for text in ["", "[]", "- id: 1\n\n- id: 2\n", "- id: 1 # c\n", "- id: \"a\\\"b\"\n", "- body: |\n    x\n", "id: 1\n", "- id: 1\n   x: 2\n"] {
            #expect(YAMLListShortcut.parse(text, nodeLimit: .max) == nil, "\(text.debugDescription)")
        }
        // Over the node budget: libyaml reports it.
        #expect(YAMLListShortcut.parse("- id: 1\n  date: x\n", nodeLimit: 4) == nil)
        #expect(throws: YAMLError.self) { try YAML.parse("- id: 1\n  date: x\n", nodeLimit: 4) }
    }
}
