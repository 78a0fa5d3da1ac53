// `TemplateContext`, the flat form pages are rendered from: what goes in comes out, also when one
// context is copied into another at an offset (listing rows, the `site` object).

@testable import BulletinKit
import Testing

struct TemplateContextTests {
    static let nested: TemplateObject = [
        "s": "가나다 <b>", "n": 42, "neg": -7, "yes": true, "no": false, "empty": "",
        "list": .list(["a", 1, .object(["k": "v", "inner": .list([.object(["deep": "바닥"])])])]),
        "object": .object(["a long key name here": "long", "x": .list([])]),
    ]

    static func same(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.list(let x), .list(let y)): x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)):
            x.fields.count == y.fields.count && x.fields.allSatisfy { key, value in y.fields[key].map { same(value, $0) } ?? false }
        default: false
        }
    }

    @Test func objectsComeBackAsTheyWent() {
        #expect(Self.same(.object(TemplateContext(Self.nested).object), .object(Self.nested)))
    }

    @Test func includedContextsKeepTheirValuesAtAnyOffset() {
        let row = TemplateContext(Self.nested)
        var b = ContextBuilder()
        let root = b.object { o in
            o.set("before", string: "앞에 있는 글자들이 자리를 차지한다")
            o.set(name: "dynamic key", o.add(.list(["x", "y"])))
            o.set("rows", o.list { l in for _ in 0..<3 { l.append(l.include(row)) } })
            o.set("after", int: 9)
        }
        let context = b.finish(root: root)
        let expected: TemplateObject = [
            "before": "앞에 있는 글자들이 자리를 차지한다", "dynamic key": .list(["x", "y"]),
            "rows": .list([.object(Self.nested), .object(Self.nested), .object(Self.nested)]), "after": 9,
        ]
        #expect(Self.same(.object(context.object), .object(expected)))
    }

    @Test func namesAreMatchedByTheirBytesNotOnlyTheirHash() throws {
        // The hash of a name of eight bytes or more looks at its first and last eight and its
        // length, so these share it.
        let a = "section-1-of-board"
        let b = "section-2-of-board"
        #expect(TemplateKey(a).hash == TemplateKey(b).hash)
        let engine = try ThemeTemplates(texts: ["t": "{{section-1-of-board}}|{{section-2-of-board}}|{{section-3-of-board}}"])
        #expect(engine.render("t", context: [b: "B", a: "A"]) == "A|B|")
        var builder = ContextBuilder()
        let root = builder.object { o in
            o.set(name: b, o.string("B"))
            o.set(name: a, o.string("A"))
        }
        #expect(String(decoding: engine.renderBytes("t", context: builder.finish(root: root)), as: UTF8.self) == "A|B|")
    }

    @Test func shortNamesAreTheirOwnHash() {
        // Names under 8 bytes are matched by hash and length alone: no two may share a hash.
        var random = SplitMix(seed: 11)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_0123456789".utf8) + Array("가나".utf8)
        var seen: [Int: [UInt64: String]] = [:]
        for _ in 0..<20_000 {
            let bytes = (0..<Int(random.next() % 8)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let name = String(decoding: bytes, as: UTF8.self)
            let key = TemplateKey(name)
            guard name.utf8.count < 8 else { continue }
            if let other = seen[name.utf8.count]?[key.hash] { #expect(other == name) }
            seen[name.utf8.count, default: [:]][key.hash] = name
        }
        #expect(seen.values.reduce(0) { $0 + $1.count } > 5_000)
    }
}
