import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Feeds and sitemaps: well-formed XML, absolute URLs under base_url, the split past the limit.
struct FeedAndSitemapTests {
    static func site(posts: Int, baseURL: String = "https://example.org/mirror/") throws -> (FixtureSite, SiteRenderer) {
        var archive = "-- site.yml --\ntitle: 피드 <테스트> & co\nbase_url: \(baseURL)\n"
        for i in 1...posts {
            archive += """
                -- Content/free/\(i).md --
                ---
                title: "글 \(i) <b>굵게</b> & \\"따옴표\\""
                date: 2024-06-\(String(format: "%02d", 1 + i % 28))T10:00:\(String(format: "%02d", i % 60))+09:00
                author: "작성자 \(i % 3)"
                tags: [태그, "A&B"]
                ---
                본문 \(i) <script>alert(1)</script> **굵게**

                """
        }
        let fixture = try FixtureSite(archive)
        let builder = SiteBuilder(options: .init(source: fixture.root))
        let (site, engine, diagnostics) = builder.check()
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        return (fixture, SiteRenderer(site: try #require(site), engine: try #require(engine), contentRoot: fixture.root + "/Content"))
    }

    static func parses(_ xml: String) -> Bool {
        XMLParser(data: Data(xml.utf8)).parse()
    }

    @Test func feedsAreWellFormedAndCarryTheNewestPostsFirst() throws {
        let (fixture, renderer) = try Self.site(posts: 60)
        defer { fixture.remove() }
        let feeds = renderer.feeds()
        #expect(feeds.map(\.path) == ["feed.xml", "free/feed.xml"])
        for feed in feeds { #expect(Self.parses(feed.text), "\(feed.path) is not well-formed XML") }
        let site = feeds[0].text
        #expect(site.components(separatedBy: "<entry>").count - 1 == SiteRenderer.feedLength)
        #expect(site.contains("<link rel=\"self\" href=\"https://example.org/mirror/feed.xml\"/>"))
        #expect(site.contains("<title>피드 &lt;테스트&gt; &amp; co</title>"))
        #expect(!site.contains("<script>"))
        #expect(!site.contains("&lt;script&gt;"), "raw HTML must be omitted from the body, not just escaped")
        // Newest first: post 27 (June 28) comes before post 26 (June 27); post 1 (June 2) is not among the newest 50.
        let newest = try #require(site.range(of: "https://example.org/mirror/free/27/"))
        let older = try #require(site.range(of: "https://example.org/mirror/free/26/"))
        #expect(!site.contains("https://example.org/mirror/free/1/"))
        #expect(newest.lowerBound < older.lowerBound)
    }

    @Test func sitemapListsEveryPageWithAbsoluteURLs() throws {
        let (fixture, renderer) = try Self.site(posts: 3)
        defer { fixture.remove() }
        let pages = renderer.pages()
        let maps = renderer.sitemaps(pages)
        #expect(maps.count == 1)
        #expect(Self.parses(maps[0].text))
        let urls = maps[0].text.components(separatedBy: "<loc>").count - 1
        #expect(urls == pages.count - 2, "every page but 404.html and the search page")
        #expect(pages.contains(.search) && !maps[0].text.contains("/search/"))
        #expect(maps[0].text.contains("<loc>https://example.org/mirror/tags/%ED%83%9C%EA%B7%B8/</loc>"))
        #expect(renderer.robots().contains("Sitemap: https://example.org/mirror/sitemap.xml"))
    }

    @Test func sitemapSplitsIntoAnIndexPastTheLimit() throws {
        let (fixture, renderer) = try Self.site(posts: 12)
        defer { fixture.remove() }
        let pages = renderer.pages()
        let maps = renderer.sitemaps(pages, limit: 10)
        let expectedFiles = (pages.count - 1 + 9) / 10
        #expect(maps.count == 1 + expectedFiles)
        #expect(maps[0].path == "sitemap.xml")
        #expect(maps[0].text.contains("<sitemapindex"))
        #expect(maps[0].text.components(separatedBy: "<sitemap>").count - 1 == expectedFiles)
        var total = 0
        for map in maps.dropFirst() {
            #expect(Self.parses(map.text))
            total += map.text.components(separatedBy: "<loc>").count - 1
        }
        #expect(total == pages.count - 2)
    }

    @Test func relativeBaseURLGivesPathsAndStableIDs() throws {
        let (fixture, renderer) = try Self.site(posts: 2, baseURL: "/sub/")
        defer { fixture.remove() }
        let feed = renderer.feeds()[0].text
        #expect(feed.contains("<link rel=\"self\" href=\"/sub/feed.xml\"/>"))
        #expect(feed.contains("<id>urn:bulletin:free/2/</id>"))
        #expect(!renderer.robots().contains("Sitemap:"))
    }
}
