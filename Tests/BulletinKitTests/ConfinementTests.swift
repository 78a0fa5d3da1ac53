import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Attachments never come from outside Content/, and never overwrite one another.
struct ConfinementTests {
    /// A site whose one post has `body`.
    static func fixture(body: String) throws -> FixtureSite {
        try FixtureSite(
            """
            -- site.yml --
            title: 경계
            -- Content/free/1.md --
            ---
            title: 첨부
            date: 2024-06-21T10:00:00+09:00
            ---
            \(body)
            """)
    }

    /// Builds a site whose one post has `body`, after `prepare` added files, into memory.
    static func build(body: String, prepare: (FixtureSite) throws -> Void) throws -> (FixtureSite, MemoryOutput, SiteBuilder.Report) {
        let fixture = try fixture(body: body)
        try prepare(fixture)
        let builder = SiteBuilder(options: .init(source: fixture.root, sourceDisplay: ".", jobs: 2))
        let (site, engine, diagnostics) = builder.check()
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        let output = MemoryOutput()
        let report = try builder.write(site: try #require(site), engine: try #require(engine), to: output)
        return (fixture, output, report)
    }

    @Test func attachmentsDifferingOnlyInCaseAreAnError() throws {
        let (fixture, output, report) = try Self.build(body: "![a](img/Photo.png) ![b](img/photo.png)") { site in
            try site.write("Content/free/img/Photo.png", "A")
            try site.write("Content/free/img/photo.png", "B")
        }
        defer { fixture.remove() }
        #expect(report.diagnostics.map(\.description) == [
            "Content/free/img/photo.png:1:1: error: this attachment and 'free/img/Photo.png' differ only in case or Unicode normalisation; rename one"
        ])
        #expect(output.files.keys.filter { $0.hasPrefix("_files/") }.isEmpty, "nothing is copied when attachments collide")
    }

    @Test func attachmentsDifferingOnlyInNormalisationAreAnError() throws {
        let composed = "사진.png"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        let (fixture, _, report) = try Self.build(body: "![a](\(composed)) ![b](\(URLSafety.encodePath(decomposed)))") { site in
            try site.write("Content/free/" + composed, "A")
            try site.write("Content/free/" + decomposed, "B")
        }
        defer { fixture.remove() }
        #expect(report.diagnostics.filter { $0.severity == .error }.count == 1)
        #expect(report.diagnostics.first?.message.contains("differ only in case or Unicode normalisation") == true)
    }

    @Test func linksLeavingContentAreDroppedWithAWarning() throws {
        let (fixture, output, report) = try Self.build(body: "[설정](../../site.yml) ![그림](../../Themes/default/static/css/bulletin.css)") { _ in }
        defer { fixture.remove() }
        let page = try #require(output.text("free/1/index.html"))
        #expect(!page.contains("../../") && !page.contains("href=\"/_files"))
        #expect(page.contains("<p>설정 그림</p>"))
        #expect(report.diagnostics.map(\.description) == [
            "Content/free/1.md:1:1: warning: link '../../site.yml' leads outside Content/; dropped",
            "Content/free/1.md:1:1: warning: link '../../Themes/default/static/css/bulletin.css' leads outside Content/; dropped",
        ].sorted())
        #expect(output.files.keys.allSatisfy { !$0.hasPrefix("_files/") })
    }

    /// `a/\u{338}..` is two names on disk (`a` and `\u{338}..`), not `a` and its parent: the link
    /// names no file, even though `free/x.png` exists.
    @Test func aSlashJoinedToACombiningMarkStillSeparatesNames() throws {
        let (fixture, output, report) = try Self.build(body: "![x](a/%CC%B8../../x.png)") { site in
            try site.write("Content/free/x.png", "X")
        }
        defer { fixture.remove() }
        #expect(output.files.keys.allSatisfy { !$0.hasPrefix("_files/") })
        #expect(report.diagnostics.map(\.message) == ["image 'a/\u{338}../../x.png' names no file in Content/; dropped"])
    }

    @Test func symbolicLinkToAFileOutsideContentIsRefusedBeforeAnythingIsRendered() throws {
        let secret = FileManager.default.temporaryDirectory.path + "/bulletin-secret-" + UUID().uuidString
        try "비밀".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let fixture = try Self.fixture(body: "[비밀](secret.txt)")
        defer { fixture.remove() }
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/Content/free/secret.txt", withDestinationPath: secret)
        let (site, _, diagnostics) = SiteBuilder(options: .init(source: fixture.root, sourceDisplay: ".", jobs: 2)).check()
        #expect(site == nil)
        #expect(diagnostics.map(\.description) == ["Content/free/secret.txt:1:1: error: symbolic link points outside Content/; refused"])
    }

    @Test func attachmentNamedInNFDIsPublishedUnderItsNFCName() throws {
        let decomposed = "사진.png".decomposedStringWithCanonicalMapping
        let (fixture, output, report) = try Self.build(body: "![a](\(URLSafety.encodePath(decomposed)))") { site in
            try site.write("Content/free/" + decomposed, "A")
        }
        defer { fixture.remove() }
        #expect(!report.diagnostics.hasErrors)
        let nfc = "_files/free/" + "사진.png".precomposedStringWithCanonicalMapping
        #expect(output.files.keys.contains { Array($0.utf8) == Array(nfc.utf8) })
        let page = try #require(output.text("free/1/index.html"))
        #expect(page.contains("src=\"/" + URLSafety.encodePath(nfc) + "\""))
    }
}
