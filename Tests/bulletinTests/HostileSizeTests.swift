import BulletinTestSupport
import Foundation
import Testing

/// Hostile sizes end in a working page or a clear diagnostic: never a crash, a hang or unbounded
/// memory. `Benchmarks/hostile.py` measures the same cases' time and memory on a release build.
struct HostileSizeTests {
    static let head = "---\ntitle: 보통 제목\ndate: 2024-06-21T10:00:00+09:00\n"

    /// A one-post site with this post text (and comment file), built with the binary.
    static func build(post: String, comments: String? = nil) throws -> (FixtureSite, Binary.Result) {
        let site = try FixtureSite("-- site.yml --\ntitle: 시험\n")
        try site.write("Content/free/1.md", post)
        if let comments { try site.write("Content/free/1.comments.yml", comments) }
        return (site, try site.bulletin("build", "--quiet"))
    }

    static func comment(_ id: Int, replyTo: Int?) -> String {
        "- id: \(id)\n" + (replyTo.map { "  reply_to: \($0)\n" } ?? "") + "  date: 2024-06-21T11:00:00+09:00\n  body: 댓글 \(id)\n"
    }

    @Test func fiftyMegabyteBodyIsRendered() throws {
        let paragraph = String(repeating: "가나다라 마바사 아자차카 타파하. ", count: 40) + "\n\n"
        var body = String(repeating: paragraph, count: 27_000)
        body += "끝 문단"
        #expect(body.utf8.count > 50_000_000)
        let (site, result) = try Self.build(post: Self.head + "---\n" + body + "\n")
        defer { site.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let page = try #require(site.read("public/free/1/index.html"))
        #expect(page.contains("<p>끝 문단</p>"))
    }

    @Test func fileOverTheSizeLimitIsRefused() throws {
        let site = try FixtureSite("-- site.yml --\ntitle: 시험\n")
        defer { site.remove() }
        try site.write("Content/free/1.md", Data(count: (64 << 20) + 1))
        let result = try site.bulletin("build")
        #expect(result.status == 1)
        #expect(diagnosticLines(result.stderr) == ["Content/free/1.md:1:1: error: the file is larger than 64 MiB; refused"])
    }

    @Test func millionFrontMatterKeysIsAnError() throws {
        var post = "---\ntitle: 키\ndate: 2024-06-21T10:00:00+09:00\n"
        for i in 0..<1_000_000 { post += "k\(i): v\n" }
        post += "---\n본문\n"
        let (site, result) = try Self.build(post: post)
        defer { site.remove() }
        #expect(result.status == 1)
        // 5 values before the keys (root, title, date), 2 per key: the 10,001st value is key 4,998's value.
        #expect(diagnosticLines(result.stderr) == ["Content/free/1.md:5001:8: error: more than 10000 values in one file"])
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
    }

    @Test func hundredThousandCommentsArePaginated() throws {
        var comments = ""
        for i in 1...100_000 { comments += Self.comment(i, replyTo: i % 3 == 0 ? i - 1 : nil) }
        let (site, result) = try Self.build(post: Self.head + "---\n본문\n", comments: comments)
        defer { site.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        // 200 comments a page: 500 pages, the last one holding the last comments of the thread.
        #expect(FileManager.default.fileExists(atPath: site.root + "/public/free/1/page/500/index.html"))
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public/free/1/page/501/index.html"))
        let first = try #require(site.read("public/free/1/index.html"))
        #expect(first.components(separatedBy: "<article id=\"c-").count - 1 == 200)
        #expect(first.contains("<span class=\"comments-count\">100000</span>"))
    }

    @Test func tenThousandLevelReplyChainRenders() throws {
        var comments = Self.comment(1, replyTo: nil)
        for i in 2...10_000 { comments += Self.comment(i, replyTo: i - 1) }
        let (site, result) = try Self.build(post: Self.head + "---\n본문\n", comments: comments)
        defer { site.remove() }
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(site.read("public/free/1/page/50/index.html"))
        #expect(last.contains("id=\"c-10000\" class=\"comment depth-5 is-reply\""))
    }

    @Test func megabyteTitleIsCutWithAWarning() throws {
        let title = String(repeating: "긴", count: 350_000)
        let (site, result) = try Self.build(post: "---\ntitle: \"\(title)\"\ndate: 2024-06-21T10:00:00+09:00\n---\n본문\n")
        defer { site.remove() }
        #expect(result.status == 0)
        #expect(diagnosticLines(result.stderr, "warning") == ["Content/free/1.md:2:8: warning: the title is 350000 characters long; cut to 300"])
        let page = try #require(site.read("public/free/1/index.html"))
        #expect(page.contains(String(repeating: "긴", count: 300) + "…</span>"))
        #expect(page.utf8.count < 20_000)
    }

    @Test func deeplyNestedValueAndQuotesDoNotCrash() throws {
        let nested = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let (site, result) = try Self.build(post: Self.head + "deep: " + nested + "\n---\n본문\n")
        defer { site.remove() }
        #expect(result.status == 1)
        #expect(diagnosticLines(result.stderr).first?.contains("nested more than 200 levels deep") == true)

        let quotes = String(repeating: ">", count: 100_000) + " 깊다\n"
        let (deep, built) = try Self.build(post: Self.head + "---\n" + quotes)
        defer { deep.remove() }
        #expect(built.status == 0, "\(built.stderr)")
        #expect(deep.read("public/free/1/index.html")?.contains("깊다") == true)
    }
}
