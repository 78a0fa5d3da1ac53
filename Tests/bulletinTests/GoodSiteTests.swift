import BulletinTestSupport
import Foundation
import Testing

/// `bulletin build` on a good site: every page kind of the contract, listings and their rows,
/// and links that all lead somewhere.
@Suite struct GoodSiteTests {
    @Test func buildWritesEveryPageKind() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try Binary.run(["build", "--source", site.root])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)

        let out = site.published
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line on stdout: \(result.stdout)")
        let summary = try #require(lines.first.map(String.init))
        let files = out.files.count
        let pattern = #"^built 10 posts, 6 comments: 47 pages, (\d+) files \(\d+\.\d MB\) in \d+\.\d\d s; rendered 47, wrote (\d+), removed 0 → (.+)$"#
        let match = try #require(summary.wholeMatch(of: try Regex(pattern)), "summary: \(summary)")
        #expect(match.output[1].substring.map(String.init) == String(files))
        #expect(match.output[2].substring.map(String.init) == String(files))
        #expect(match.output[3].substring.map(String.init) == site.root + "/public")

        // 47 pages, 1 attachment, 4 feeds, the sitemap, robots.txt, the theme's stylesheet and
        // search script, and the search index: its meta, one shard and one chunk of docs for 10 posts.
        #expect(files == GoodSite.pageCount + 1 + 4 + 1 + 1 + 2 + 3)
        for path in ["search/index.html", "search/meta.json", "search/s/0.bin", "search/d/0.json", "js/search.js"] {
            #expect(out.isFile(path), "\(path)")
        }
        #expect(out.files.filter { $0.hasSuffix(".html") }.count == GoodSite.pageCount)
        for path in [
            "index.html",
            "free/index.html", "free/page/2/index.html", "free/page/3/index.html",
            "free/best/index.html", "free/best/page/2/index.html",
            "free/100/index.html", "free/101/index.html", "free/103/index.html", "free/106/index.html",
            "humor/index.html", "humor/best/index.html", "humor/h1/index.html", "humor/7/index.html",
            "qna/index.html", "qna/best/index.html", "qna/1/index.html",
            "tags/index.html", "tags/일본/index.html", "tags/일본/page/2/index.html", "tags/ai/index.html",
            "tags/질문-답변/index.html", "tags/고양이/index.html",
            "archive/index.html", "archive/2023/index.html", "archive/2024/index.html", "archive/2024/page/3/index.html",
            "archive/2024/06/index.html", "archive/2024/06/page/2/index.html", "archive/2023/12/31/index.html",
            "archive/2024/06/22/index.html", "archive/2024/07/02/index.html",
            "feed.xml", "free/feed.xml", "humor/feed.xml", "qna/feed.xml",
            "sitemap.xml", "robots.txt", "404.html", "css/bulletin.css", "_files/free/img/cat.png",
        ] {
            #expect(out.isFile(path), "missing \(path)")
        }
        for path in [
            "free/page/4/index.html", "free/best/page/3/index.html", "humor/page/2/index.html", "humor/best/page/2/index.html",
            "tags/일본/page/3/index.html", "archive/2024/06/21/page/2/index.html", "archive/2024/06/24/index.html",
            "free/page/1/index.html",
        ] {
            #expect(!out.isFile(path), "unexpected \(path)")
        }
        // The tag's folder is its Korean name, in NFC, on disk.
        let tagFolders = try FileManager.default.contentsOfDirectory(atPath: site.root + "/public/tags")
        #expect(tagFolders.contains("일본"))
        #expect(Array("일본".utf8) == [0xEC, 0x9D, 0xBC, 0xEB, 0xB3, 0xB8])
        #expect(out.data("_files/free/img/cat.png") == GoodSite.image)
        #expect(out.data("css/bulletin.css") == FileManager.default.contents(atPath: FixtureSite.repository + "/Themes/default/static/css/bulletin.css"))
        #expect(stagingLeftovers(beside: site.root + "/public").isEmpty)
    }

    @Test func listingsHaveTheirRowsInOrder() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try Binary.run(["build", "--source", site.root])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let out = site.published
        func rows(_ page: String) -> [String] { links(in: out.text(page) ?? "", class: "row-link") }
        func post(_ path: String) -> String { "/mirror/" + path + "/" }

        // Notices first, then by last activity: 101's comments of 07-03 make it the newest.
        #expect(rows("free/index.html") == [post("free/100"), post("free/101"), post("free/106")])
        #expect(rows("free/page/2/index.html") == [post("free/105"), post("free/103"), post("free/102")])
        #expect(rows("free/page/3/index.html") == [post("free/104")])
        #expect(rows("free/best/index.html") == [post("free/101"), post("free/106"), post("free/105")])
        #expect(rows("free/best/page/2/index.html") == [post("free/104")])
        #expect(rows("humor/index.html") == [post("humor/7"), post("humor/h1")])
        #expect(rows("humor/best/index.html").isEmpty)
        #expect(out.text("humor/best/index.html")?.contains("row-empty") == true)
        #expect(rows("qna/index.html") == [post("qna/1")])
        // Tags and archives: newest posted first, over all boards.
        #expect(rows("tags/일본/index.html") == [post("free/106"), post("free/105"), post("free/103")])
        #expect(rows("tags/일본/page/2/index.html") == [post("free/104"), post("free/101")])
        #expect(rows("tags/ai/index.html") == [post("humor/7"), post("free/101")])
        // 104 was posted at 23:30Z on 06-21, which is 06-22 in Seoul.
        #expect(rows("archive/2024/06/22/index.html") == [post("free/102"), post("humor/7"), post("free/104")])
        #expect(rows("archive/2024/06/21/index.html") == [post("free/101")])
        #expect(rows("archive/2024/07/02/index.html") == [post("qna/1"), post("free/106")])
        #expect(rows("archive/2024/index.html").count == 3)
        #expect(rows("archive/2024/page/3/index.html").count == 3)
        #expect(rows("archive/2023/index.html") == [post("humor/h1")])

        // The home page: each board's newest non-notice posts.
        let home = links(in: out.text("index.html") ?? "", class: "mini-title")
        #expect(home == [
            post("free/101"), post("free/106"), post("free/105"), post("free/103"), post("free/102"), post("free/104"),
            post("humor/7"), post("humor/h1"), post("qna/1"),
        ])
        // Row markers: the notice and the deleted post.
        let firstPage = out.text("free/index.html") ?? ""
        #expect(elements(in: firstPage, class: "is-notice").count == 1)
        #expect(elements(in: out.text("free/page/2/index.html") ?? "", class: "is-deleted").count == 1)
        // The tags page lists every tag with its count.
        let tags = HTMLTokens(out.text("tags/index.html") ?? "")
        #expect(tags.text.contains("#일본 5"))
        let tagLinks = links(in: out.text("tags/index.html") ?? "", class: "chip").map { $0.removingPercentEncoding ?? $0 }
        #expect(tagLinks == ["ai", "고양이", "여행", "일본", "점심", "질문-답변"].map { "/mirror/tags/\($0)/" })
    }

    @Test func postPagesShowTheirThreadAndLinks() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try Binary.run(["build", "--source", site.root])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let out = site.published
        let page = try #require(out.text("free/101/index.html"))
        let tokens = HTMLTokens(page)

        #expect(tokens.urls.contains { $0.tag == "img" && $0.value == "/mirror/_files/free/img/cat.png" })
        #expect(tokens.urls.contains { $0.tag == "a" && $0.value == "/mirror/free/102/" })
        #expect(tokens.urls.contains { $0.tag == "a" && $0.value == "https://board.example.com/free/101" })
        #expect(tokens.urls.contains { $0.tag == "link" && $0.value == "https://example.org/mirror/free/101/" })
        // The thread: 2 answers 1, 3 answers 2, 4 is deleted.
        let comments = elements(in: page, class: "comment").map { tag in
            (tag.attributes.first { $0.name == "id" }?.value ?? "", tag.attributes.first { $0.name == "class" }?.value ?? "")
        }
        #expect(comments.map(\.0) == ["c-1", "c-2", "c-3", "c-4"])
        #expect(comments.map(\.1) == ["comment depth-0", "comment depth-1 is-reply", "comment depth-2 is-reply", "comment depth-0 is-deleted"])
        #expect(tokens.text.contains("삭제된 댓글입니다."))
        #expect(tokens.text.contains("↳ 고블린"))
        #expect(page.contains("<strong>동의</strong>"))
        // Previous and next by posting time, and back to the listing page it is on.
        #expect(links(in: page, class: "button").contains("/mirror/free/"))
        #expect(tokens.urls.contains { $0.value == "/mirror/free/100/" })
        #expect(tokens.urls.contains { $0.value == "/mirror/free/104/" })
        #expect(links(in: out.text("free/104/index.html") ?? "", class: "button").contains("/mirror/free/page/3/"))
        // Tags link to their Korean folders, percent-encoded.
        #expect(links(in: page, class: "chip") == ["/mirror/tags/ai/", "/mirror/tags/%EC%9D%BC%EB%B3%B8/"])
        #expect(tokens.text.contains("맑음"))

        let deleted = try #require(out.text("free/103/index.html"))
        #expect(HTMLTokens(deleted).text.contains("삭제된 글"))
        #expect(elements(in: deleted, class: "callout-deleted").count == 1)
        let qna = try #require(out.text("qna/1/index.html"))
        #expect(elements(in: qna, class: "comment").count == 2)
        #expect(elements(in: qna, class: "is-reply").count == 1)
    }

    @Test func everyLinkLeadsToAWrittenFileAndEveryPageIsReachable() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try Binary.run(["build", "--source", site.root])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let out = site.published
        let check = LinkCheck(tree: out, base: "/mirror/", baseURL: "https://example.org/mirror/")
        #expect(check.broken == [])
        #expect(check.foreign == [])
        #expect(check.unreachable == [])
        #expect(check.linksChecked > 500)

        // Feeds, the sitemap and robots.txt point into the site too.
        let sitemap = XMLCheck(try #require(out.data("sitemap.xml")), collect: ["loc"])
        #expect(sitemap.wellFormed, "\(sitemap.error ?? "")")
        let locs = sitemap.texts(of: "loc")
        // Not the 404 page nor the search page.
        #expect(locs.count == GoodSite.pageCount - 2)
        #expect(Set(locs).count == locs.count)
        for loc in locs {
            let file = try #require(check.target(of: loc), "not in the site: \(loc)")
            #expect(out.isFile(file), "sitemap: \(loc)")
        }
        for (feed, entries) in [("feed.xml", 10), ("free/feed.xml", 7), ("humor/feed.xml", 2), ("qna/feed.xml", 1)] {
            let xml = XMLCheck(try #require(out.data(feed)), collect: ["id"])
            #expect(xml.wellFormed, "\(feed): \(xml.error ?? "")")
            #expect(xml.elements.filter { $0 == "entry" }.count == entries, "\(feed)")
            for (_, attributes) in xml.attributes where attributes["href"] != nil {
                let href = attributes["href"]!
                let file = try #require(check.target(of: href), "\(feed): not in the site: \(href)")
                #expect(out.isFile(file), "\(feed): \(href)")
            }
        }
        #expect(out.text("robots.txt")?.contains("Sitemap: https://example.org/mirror/sitemap.xml\n") == true)
        let notFound = HTMLTokens(out.text("404.html") ?? "")
        #expect(notFound.urls.contains { $0.value == "/mirror/css/bulletin.css" })
    }
}
