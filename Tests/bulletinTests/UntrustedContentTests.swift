import BulletinTestSupport
import Foundation
import Testing

/// Board content is untrusted: whatever titles, authors, tags, bodies, comments and params hold,
/// no written page carries script, event handlers, `javascript:` URLs or embedded frames.
@Suite struct UntrustedContentTests {
    static let archive = #"""
        -- site.yml --
        title: "<script>alert('site')</script> 미러"
        description: "\"><svg onload=alert('description')>"
        base_url: https://example.org/mirror/
        per_page: 2
        best_threshold: 0
        anonymous: "<img src=x onerror=alert('anon')>"
        -- Content/free/_board.yml --
        title: "<img src=x onerror=alert('board')>게시판"
        description: "<iframe src=javascript:alert('board')></iframe>"
        -- Content/free/1.md --
        ---
        title: "<script>alert(1)</script> 제목"
        author: "<img src=x onerror=alert(1)>"
        date: 2024-06-21T14:47:47+09:00
        tags: ["<b>태그</b>", "\"><svg onload=alert(1)>", "javascript:alert(1)", "' onmouseover='alert(1)", "../../../etc"]
        source: "javascript:alert('source')"
        extra: "<script>alert('param')</script>"
        "<svg onload=alert('key')>": "\" onfocus=\"alert('value')"
        ---
        <script>alert('raw')</script>

        <img src=x onerror=alert('raw-img')>

        <iframe src="https://evil.example/"></iframe>

        <object data="x.swf"></object><embed src="x.swf">

        <svg onload=alert('raw-svg')>

        <a href="javascript:alert('raw-a')">raw a</a>

        Inline <span onclick="alert('span')">span</span> and <svg/onload=alert('inline')> here.

        [x](javascript:alert('md'))
        [y](JaVaScRiPt:alert('case'))
        [z](java&#09;script:alert('tab'))
        [e](&#106;avascript:alert('entity'))
        [s]( javascript:alert('space'))
        [d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
        [v](vbscript:msgbox('vb'))
        ![i](javascript:alert('img'))
        ![j](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)
        <javascript:alert('autolink')>
        [r][ref]
        [q](https://example.com/" onclick="alert('quote'))
        [t](https://example.com "title\" onmouseover=\"alert('title')")
        [u](/../../etc/passwd)

        [ref]: javascript:alert('reference')

        `<script>alert('code')</script>`

            <script>alert('indented')</script>

        **<b onclick=alert('bold')>bold</b>**

        http://example.com/"onmouseover="alert('bare')
        -- Content/free/1.comments.yml --
        - id: "\"><script>alert('id')</script>"
          author: "<script>alert('author')</script>"
          date: 2024-06-21T15:00:00+09:00
          body: "<img src=x onerror=alert('comment')> [c](javascript:alert('comment-link'))"
        - id: 2
          reply_to: "\"><script>alert('id')</script>"
          author: "\" onmouseover=\"alert('reply-author')"
          date: 2024-06-21T15:01:00+09:00
          body: "<svg/onload=alert('reply')>\n<iframe srcdoc='<script>alert(1)</script>'>"
        - id: "' onclick='alert(1)"
          date: 2024-06-21T15:02:00+09:00
          body: "[a](javascript:alert('third'))"
        -- Content/free/2.md --
        ---
        title: "{{site.title}} {{{post.body}}} </title><script>alert('title')</script>"
        author: "</script><script>alert('author2')</script>"
        date: 2024-06-22T10:00:00+09:00
        tags: ["<b>태그</b>", "<B>태그</B>"]
        ---
        <style>body{background:url("javascript:alert(1)")}</style>
        <meta http-equiv="refresh" content="0;url=javascript:alert(1)">
        <base href="https://evil.example/">
        <form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>
        <math><mtext><script>alert('math')</script></mtext></math>
        """#

    /// Elements that must never come from content.
    static let forbiddenElements: Set<String> = [
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "style",
    ]

    /// Problems with one page's markup.
    static func problems(in html: String, page: String) -> [String] {
        var found: [String] = []
        let tokens = HTMLTokens(html)
        for tag in tokens.startTags {
            // The search page's own script, and nothing else, may be a <script>.
            let isSearchScript =
                tag.name == "script" && page == "search/index.html" && tag.attributes.map(\.name).sorted() == ["defer", "src"]
                && tag.attributes.contains { $0.name == "src" && $0.value == "/mirror/js/search.js" }
            if forbiddenElements.contains(tag.name) && !isSearchScript { found.append("\(page): <\(tag.name)> element") }
            if tag.name == "meta", tag.attributes.contains(where: { $0.name == "http-equiv" && $0.value.lowercased() == "refresh" }) {
                found.append("\(page): meta refresh")
            }
            for attribute in tag.attributes {
                if attribute.name.hasPrefix("on") { found.append("\(page): <\(tag.name) \(attribute.name)=…>") }
                if attribute.name == "srcdoc" || attribute.name == "formaction" || attribute.name == "style" {
                    found.append("\(page): <\(tag.name) \(attribute.name)=…>")
                }
            }
        }
        for (tag, attribute, value) in tokens.urls {
            // What a browser makes of the URL: controls and spaces dropped, case folded.
            let folded = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 })).lowercased()
            for scheme in ["javascript:", "vbscript:", "data:", "file:"] where folded.hasPrefix(scheme) {
                found.append("\(page): <\(tag) \(attribute)=\"\(value)\">")
            }
        }
        return found
    }

    static func build() throws -> (FixtureSite, Binary.Result, OutputTree) {
        let site = try FixtureSite(archive)
        let result = try Binary.run(["build", "--source", site.root])
        return (site, result, site.published)
    }

    @Test func noPageCarriesScript() throws {
        let (site, result, out) = try Self.build()
        defer { site.remove() }
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let pages = out.files.filter { $0.hasSuffix(".html") }
        #expect(pages.count > 10)
        var problems: [String] = []
        for page in pages { problems += Self.problems(in: out.text(page) ?? "", page: page) }
        #expect(problems == [])
        // Nothing was written outside the output folder (and its manifest beside it), whatever the tags said.
        #expect(site.topLevelNames() == [".public.bulletin-manifest", "Content", "Themes", "public", "site.yml"])
        let tagFolders = try FileManager.default.contentsOfDirectory(atPath: site.root + "/public/tags")
        #expect(tagFolders.allSatisfy { !$0.hasPrefix(".") && !$0.contains("<") && !$0.contains("\"") })
    }

    /// The payloads did reach the pages, as text: the test above is not passing on empty pages.
    @Test func payloadsAreShownAsText() throws {
        let (site, result, out) = try Self.build()
        defer { site.remove() }
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let post = HTMLTokens(try #require(out.text("free/1/index.html")))
        for text in [
            "<script>alert(1)</script> 제목", "<img src=x onerror=alert(1)>", "#<b>태그</b>", "#\"><svg onload=alert(1)>",
            "<script>alert('param')</script>", "<svg onload=alert('key')>", "\" onfocus=\"alert('value')",
            "<script>alert('author')</script>", "\" onmouseover=\"alert('reply-author')", "<script>alert('code')</script>",
            "<script>alert('indented')</script>", "<img src=x onerror=alert('board')>게시판",
            "<script>alert('site')</script> 미러",
        ] {
            #expect(post.text.contains(text), "not shown: \(text)")
        }
        let second = HTMLTokens(try #require(out.text("free/2/index.html")))
        #expect(second.text.contains("{{site.title}} {{{post.body}}} </title><script>alert('title')</script>"))
        // The `source` is not a web URL, so it is not linked.
        #expect(!post.urls.contains { $0.value.contains("source") })
        // Comment anchors stay safe ids.
        let anchors = elements(in: out.text("free/1/index.html") ?? "", class: "comment").compactMap { $0.attributes.first { $0.name == "id" }?.value }
        #expect(anchors.count == 3)
        #expect(anchors.allSatisfy { $0.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" } })
    }

    @Test func feedsAndSitemapAreWellFormedAndTheirHTMLIsSafe() throws {
        let (site, result, out) = try Self.build()
        defer { site.remove() }
        try #require(result.status == 0, "stderr: \(result.stderr)")
        for path in ["feed.xml", "free/feed.xml"] {
            let xml = XMLCheck(try #require(out.data(path)), collect: ["content", "title", "name"])
            #expect(xml.wellFormed, "\(path): \(xml.error ?? "")")
            let contents = xml.texts(of: "content")
            #expect(contents.count == 2)
            for content in contents { #expect(Self.problems(in: content, page: path) == []) }
            #expect(xml.texts(of: "title").contains("<script>alert(1)</script> 제목"))
            #expect(xml.texts(of: "name").contains("<img src=x onerror=alert(1)>"))
            let categories = xml.attributes.filter { $0.element == "category" }.compactMap { $0.attributes["term"] }
            #expect(categories.contains("\"><svg onload=alert(1)>"))
        }
        let sitemap = XMLCheck(try #require(out.data("sitemap.xml")), collect: ["loc"])
        #expect(sitemap.wellFormed, "\(sitemap.error ?? "")")
        #expect(sitemap.texts(of: "loc").allSatisfy { $0.hasPrefix("https://example.org/mirror/") && !$0.contains("<") && !$0.contains("\"") })
        #expect(LinkCheck(tree: out, base: "/mirror/", baseURL: "https://example.org/mirror/").broken == [])
    }

    @Test func theCheckerItselfFindsWhatItLooksFor() {
        let bad = [
            "<script>x</script>", "<IMG SRC=x OnError=alert(1)>", "<a href=\"java&#x09;script:alert(1)\">", "<a href=' JAVASCRIPT:x'>",
            "<svg/onload=alert(1)>", "<iframe src=x>", "<embed src=x>", "<object data=x>", "<a href=javascript:alert(1)>",
            "<img src=\"&#106;avascript:alert(1)\">",
        ]
        for html in bad { #expect(!Self.problems(in: html, page: "p").isEmpty, "\(html)") }
        let good = [
            "&lt;script&gt;alert(1)&lt;/script&gt;", "<p>onerror=alert(1)</p>", "<a href=\"/mirror/x/\" title=\"javascript:\">",
            "<p>1 < 2 and <3</p>", "<!-- <script> -->",
        ]
        for html in good { #expect(Self.problems(in: html, page: "p").isEmpty, "\(html)") }
    }
}
