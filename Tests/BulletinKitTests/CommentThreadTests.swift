import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Long comment threads: split over pages, replies linked across pages, deep chains flattened.
struct CommentThreadTests {
    /// Builds a one-post site with `comments` (YAML text) into memory.
    static func build(comments: String, perPage: Int) throws -> (FixtureSite, MemoryOutput, SiteRenderer) {
        let fixture = try FixtureSite(
            """
            -- site.yml --
            title: 댓글
            base_url: /m/
            comments_per_page: \(perPage)
            -- Content/free/1.md --
            ---
            title: 긴 스레드
            date: 2024-06-21T10:00:00+09:00
            ---
            본문입니다
            """)
        try fixture.write("Content/free/1.comments.yml", comments)
        let builder = SiteBuilder(options: .init(source: fixture.root, jobs: 2))
        let (site, engine, diagnostics) = builder.check()
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        let output = MemoryOutput()
        let renderer = SiteRenderer(site: try #require(site), engine: try #require(engine), contentRoot: fixture.root + "/Content")
        _ = try builder.write(site: try #require(site), engine: try #require(engine), to: output)
        return (fixture, output, renderer)
    }

    static func comment(_ id: Int, replyTo: Int? = nil) -> String {
        let minute = String(format: "%02d", id % 60)
        return "- id: \(id)\n" + (replyTo.map { "  reply_to: \($0)\n" } ?? "")
            + "  date: 2024-06-21T\(String(format: "%02d", 10 + id / 60 % 10)):\(minute):00+09:00\n  body: 댓글 \(id)\n"
    }

    /// Anchors of the comments on a page, in order.
    static func anchors(_ html: String) -> [String] {
        html.components(separatedBy: "<article id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func threadSplitsIntoPagesWithRepliesLinkedAcrossThem() throws {
        // 1, 2 (→1), 3 (→2), 4, 5 (→1), 6, 7 (→4): thread order 1 2 3 5 | 4 7 6 with 4 per page.
        let yaml = [Self.comment(1), Self.comment(2, replyTo: 1), Self.comment(3, replyTo: 2), Self.comment(4), Self.comment(5, replyTo: 1),
            Self.comment(6), Self.comment(7, replyTo: 4)].joined()
        let (fixture, output, _) = try Self.build(comments: yaml, perPage: 4)
        defer { fixture.remove() }
        let first = try #require(output.text("free/1/index.html"))
        let second = try #require(output.text("free/1/page/2/index.html"))
        #expect(output.text("free/1/page/3/index.html") == nil)
        #expect(Self.anchors(first) == ["c-1", "c-2", "c-3", "c-5"])
        #expect(Self.anchors(second) == ["c-4", "c-7", "c-6"])
        #expect(first.contains("본문입니다"))
        #expect(!second.contains("본문입니다"), "the body shows on the first page only")
        #expect(second.contains("<a href=\"/m/free/1/\">본문과 첫 댓글 보기</a>"))
        // A reply on the same page links to the anchor; the pager links both pages.
        #expect(first.contains("href=\"#c-2\""))
        #expect(first.contains("href=\"/m/free/1/page/2/\""))
        #expect(second.contains("href=\"/m/free/1/\""))
        #expect(second.contains("<title>긴 스레드 (댓글 2쪽)"))
    }

    @Test func replyToACommentOnAnEarlierPageLinksToThatPage() throws {
        // 1, 2, 3, 4 (→2): thread order 1 2 4 3, two per page: [1 2] [4 3], so 4's parent is on page 1.
        let yaml = [Self.comment(1), Self.comment(2), Self.comment(3), Self.comment(4, replyTo: 2)].joined()
        let (fixture, output, _) = try Self.build(comments: yaml, perPage: 2)
        defer { fixture.remove() }
        let second = try #require(output.text("free/1/page/2/index.html"))
        #expect(Self.anchors(second) == ["c-4", "c-3"])
        #expect(second.contains("href=\"/m/free/1/#c-2\""))
    }

    @Test func tenThousandLevelReplyChainIsFlatAndCapped() throws {
        var yaml = Self.comment(1)
        for id in 2...10_000 { yaml += Self.comment(id, replyTo: id - 1) }
        let (fixture, output, _) = try Self.build(comments: yaml, perPage: 5_000)
        defer { fixture.remove() }
        let first = try #require(output.text("free/1/index.html"))
        let second = try #require(output.text("free/1/page/2/index.html"))
        #expect(Self.anchors(first).count == 5_000)
        #expect(Self.anchors(second).last == "c-10000")
        #expect(first.contains("class=\"comment depth-5 is-reply\""))
        #expect(!first.contains("depth-6"), "indentation stops at depth 5")
    }
}
