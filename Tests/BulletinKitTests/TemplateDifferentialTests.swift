// `ThemeTemplates` against swift-mustache (`MustacheEngine`, the renderer Bulletin used before):
// whole sites built with each, and seeded random templates with random contexts.
//
// The generator leaves out what the two render differently on purpose: `{{value}}` of a list or an
// object (swift-mustache writes Swift's description of it, ThemeTemplates nothing), lambdas, and
// `{{%CONTENT_TYPE:HTML}}` (swift-mustache's own escaping, by `Character`).

@testable import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

struct TemplateDifferentialTests {
    /// Builds the site at `root` with both engines into memory; gives the files of each.
    static func buildBoth(_ root: String) throws -> (ours: [String: [UInt8]], oracle: [String: [UInt8]]) {
        let builder = SiteBuilder(options: .init(source: root, sourceDisplay: ".", jobs: 2))
        let (site, engine, diagnostics) = builder.check()
        guard let site, let engine else { throw GoldenPageTests.LoadFailure(diagnostics: diagnostics) }
        let oracle = try MustacheEngine(folder: root + "/Themes/" + site.config.theme + "/templates", display: "t")
        let ours = MemoryOutput()
        _ = try builder.write(site: site, engine: engine, to: ours)
        let theirs = MemoryOutput()
        _ = try builder.write(site: site, engine: oracle, to: theirs)
        return (ours.files, theirs.files)
    }

    static func expectSame(_ ours: [String: [UInt8]], _ oracle: [String: [UInt8]]) {
        #expect(Set(ours.keys) == Set(oracle.keys))
        var differing: [String] = []
        for (path, bytes) in oracle where ours[path] != bytes { differing.append(path) }
        #expect(differing.sorted() == [], "pages that differ")
        #expect(ours.count > 10)
    }

    @Test func goldenFixtureSiteRendersAlike() throws {
        let fixture = try FixtureSite(GoldenPageTests.fixture)
        defer { fixture.remove() }
        let (ours, oracle) = try Self.buildBoth(fixture.root)
        Self.expectSame(ours, oracle)
    }

    @Test func sampleSiteRendersAlike() throws {
        let (ours, oracle) = try Self.buildBoth(FixtureSite.repository)
        Self.expectSame(ours, oracle)
    }

    @Test(arguments: 0..<100)
    func randomTemplatesRenderAlike(_ seed: Int) throws {
        var generator = TemplateGenerator(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        for _ in 0..<10 {
            let texts = generator.theme()
            let ours = try ThemeTemplates(texts: texts)
            let oracle = try MustacheEngine(texts: texts)
            for _ in 0..<4 {
                let context = generator.context(depth: 2)
                let expected = oracle.render("main", context: context)
                let actual = ours.render("main", context: context)
                #expect(actual == expected, "templates: \(texts)\ncontext: \(context)")
                if actual != expected { return }
            }
        }
    }
}

extension SplitMix {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Random templates and contexts over a fixed vocabulary whose names say their types: `s1` is a
/// string, `n1` an int, `b1` a bool, `l1` a list of objects, `ls` a list of strings, `o1` an object,
/// `pn` the name of a partial.
struct TemplateGenerator {
    var random: SplitMix

    init(seed: UInt64) { random = SplitMix(seed: seed) }

    static let strings = ["", "x", "가나다", "<b>&amp;</b>", "\"quoted\" 'single'", "a\nb", "  spaced  ", "Hello World", "ÉCOLE école", "line\n"]
    static let texts = ["x", " ", "  ", "\n", "<p>", "</p>\n", "가", "&", "\t", "word ", "\r\n"]

    // MARK: Contexts

    mutating func context(depth: Int) -> TemplateObject {
        var fields: [String: TemplateValue] = [:]
        for key in ["s1", "s2"] where random.chance(80) { fields[key] = .string(random.pick(Self.strings)) }
        for key in ["n1", "n2"] where random.chance(80) { fields[key] = .int(random.pick([0, 1, 2, 7, -3, 42])) }
        for key in ["b1", "b2"] where random.chance(80) { fields[key] = .bool(random.chance(50)) }
        if random.chance(50) { fields["pn"] = .string(random.pick(["p1", "p2", "missing"])) }
        if random.chance(70) { fields["ls"] = .list((0..<random.below(4)).map { _ in .string(random.pick(Self.strings)) }) }
        if depth > 0 {
            for key in ["o1", "o2"] where random.chance(70) { fields[key] = .object(context(depth: depth - 1)) }
            for key in ["l1"] where random.chance(70) {
                fields[key] = .list((0..<random.below(4)).map { _ in .object(context(depth: depth - 1)) })
            }
        }
        return TemplateObject(fields)
    }

    // MARK: Templates

    /// `main`, two partials (`p1` may include `p2`, never the reverse) and a parent `layout`.
    mutating func theme() -> [String: String] {
        var texts: [String: String] = [:]
        texts["p2"] = template(depth: 1, partials: [], blocks: false)
        texts["p1"] = template(depth: 2, partials: ["p2"], blocks: false)
        texts["layout"] = template(depth: 2, partials: ["p1", "p2"], blocks: true)
        texts["main"] = template(depth: 3, partials: ["p1", "p2", "layout", "missing"], blocks: false, parent: true)
        return texts
    }

    /// What the top of the context stack is, as far as the generator knows.
    struct Scope {
        /// `{{.}}` writes a string, an int or a bool here.
        var topIsScalar = false
        /// Directly inside a list's section: `index()` and friends are set.
        var inList = false
    }

    mutating func template(depth: Int, partials: [String], blocks: Bool, parent: Bool = false) -> String {
        var out = ""
        if parent && random.chance(25) {
            // A parent with overrides, alone or with text around.
            out += random.chance(50) ? "" : "before\n"
            out += random.pick(["", "  "]) + "{{<layout}}\n"
            for block in ["b1", "b2"] where random.chance(60) {
                out += "{{$\(block)}}" + elements(depth: depth - 1, partials: ["p1", "p2"], scope: Scope(), blocks: false) + "{{/\(block)}}\n"
            }
            out += "{{/layout}}\n"
            return out
        }
        out += elements(depth: depth, partials: partials, scope: Scope(), blocks: blocks)
        return out
    }

    mutating func elements(depth: Int, partials: [String], scope: Scope, blocks: Bool) -> String {
        var out = ""
        for _ in 0..<(1 + random.below(6)) {
            out += element(depth: depth, partials: partials, scope: scope, blocks: blocks)
        }
        return out
    }

    /// A name that writes a scalar (or nothing).
    mutating func scalarName(_ scope: Scope) -> String {
        var choices = [
            "s1", "s2", "n1", "n2", "b1", "b2", "o1.s1", "o1.n2", "o2.o1.b1", "missing", "o1.missing.s1",
            "uppercased(s1)", "lowercased(s2)", "capitalized(s1)", "reversed(s1)", "empty(s1)", "count(ls)", "count(l1)",
            "empty(l1)", "plusone(n1)", "minusone(n2)", "even(n1)", "odd(n2)", "equalzero(n1)", "first(ls)", "last(ls)",
            "uppercased(first(ls))", "count(reversed(ls))", "bogus(s1)", "index()", "first()", "last()", "even()", "odd()",
            "plusone(index())", ".s1", ".n1",
        ]
        if scope.topIsScalar { choices += [".", "."] }
        return random.pick(choices)
    }

    mutating func sectionName() -> String {
        random.pick([
            "s1", "n1", "b1", "b2", "l1", "ls", "o1", "o2", "missing", "o1.l1", "o1.b1", "empty(s1)", "empty(l1)",
            "reversed(l1)", "first(l1)", "last(ls)", "first()", "last()", "even()", "odd()", "equalzero(n1)", ".o1",
        ])
    }

    mutating func element(depth: Int, partials: [String], scope: Scope, blocks: Bool) -> String {
        let roll = random.below(100)
        let lineStart = random.pick(["", " ", "  ", "\t"])
        switch roll {
        case 0..<25:
            return random.pick(Self.texts)
        case 25..<45:
            let name = scalarName(scope)
            return random.pick(["{{\(name)}}", "{{{\(name)}}}", "{{& \(name) }}", "{{ \(name) }}"])
        case 45..<70 where depth > 0:
            let name = sectionName()
            let inverted = random.chance(30)
            var inner = scope
            if inverted {
                // An empty list is pushed; otherwise the top stays.
                if ["l1", "ls", "o1.l1", "reversed(l1)"].contains(name) { inner.topIsScalar = false }
            } else {
                switch name {
                case "ls", "s1", "n1", "last(ls)": inner.topIsScalar = true
                case "b1", "b2", "empty(s1)", "empty(l1)", "first()", "last()", "even()", "odd()", "equalzero(n1)", "o1.b1": break
                default: inner.topIsScalar = false
                }
            }
            let isList = !inverted && ["l1", "ls", "o1.l1", "reversed(l1)"].contains(name)
            let keepsIteration = ["b1", "b2", "empty(s1)", "empty(l1)", "first()", "last()", "even()", "odd()", "equalzero(n1)", "o1.b1"].contains(name)
            inner.inList = isList || (scope.inList && (inverted || keepsIteration))
            let body = elements(depth: depth - 1, partials: partials, scope: inner, blocks: blocks)
            let open = "{{\(inverted ? "^" : "#")\(name)}}"
            let close = "{{/\(name)}}"
            if random.chance(40) {
                return "\n" + lineStart + open + "\n" + body + "\n" + lineStart + close + "\n"
            }
            return open + body + close
        case 70..<80 where !partials.isEmpty:
            // `pn` names p1, p2 or no template: only `main` includes it, so nothing recurses.
            let partial = partials.contains("layout") && random.chance(30) ? "*pn" : random.pick(partials)
            if random.chance(50) { return "\n" + lineStart + "{{> \(partial)}}\n" }
            return "{{>\(partial)}}"
        case 80..<86 where blocks:
            let block = random.pick(["b1", "b2", "b3"])
            let body = depth > 0 ? elements(depth: depth - 1, partials: partials, scope: scope, blocks: false) : "d"
            if random.chance(50) { return "\n" + lineStart + "{{$\(block)}}\n" + body + "\n" + lineStart + "{{/\(block)}}\n" }
            return "{{$\(block)}}" + body + "{{/\(block)}}"
        case 86..<91:
            return random.chance(50) ? "{{! note }}" : "\n" + lineStart + "{{! a comment }}\n"
        case 91..<95:
            // A set-delimiter pair that is set back at once, standalone or inline.
            let name = scalarName(scope)
            return "{{=<% %>=}}<%\(name)%><%={{ }}=%>" + (random.chance(50) ? "\n" : "")
        case 95..<100:
            let type = random.pick(["TEXT", "BULLETIN_HTML"])
            return random.chance(50) ? "{{%CONTENT_TYPE:\(type)}}" : "\n" + lineStart + "{{%CONTENT_TYPE:\(type)}}\n"
        default:
            return random.pick(Self.texts)
        }
    }
}
