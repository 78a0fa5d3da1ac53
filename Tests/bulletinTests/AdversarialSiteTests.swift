import BulletinTestSupport
import Foundation
import Testing

/// Every payload of `Fixtures/xss-payloads.txt` (OWASP XSS filter-evasion strings, Markdown link
/// tricks, template injection, and escaping edge cases of Unicode) in every field a snapshot can
/// carry, built by the binary, and every written page, feed and sitemap checked with a tokenizer:
/// no payload may reach a page as markup, and the ones shown as text must survive as text.
///
/// The fixture (`AdversarialSite`) puts payload *i* into post *i*: its title, author, tag, source,
/// params (key and value, plain and nested), Markdown body (alone, inline, as link text, image
/// alt text and link title), and its four comments (author, body, an id, a `reply_to` naming that
/// id, and a `reply_to` that names nothing). Comments are YAML for even posts, JSON for odd ones.
/// Board titles and descriptions and the site's title, description and anonymous name carry a few
/// payloads in the main build; `siteAndBoardFieldsCarryEveryPayload` rebuilds a small site once per
/// chunk of payloads so that every payload also passes through those fields.
///
/// In the payload file, `{U+XXXX}` stands for that Unicode scalar (tabs may also be written as
/// they are); every line is one payload.
///
/// Feeds: Atom `title`s are text constructs, so a decoded `<script>` in one is text, as it should
/// be; the checks are that no title is typed `html`, that the XML holds no element outside Atom's
/// vocabulary (a raw `<script>` would be one), and that each `content type="html"`, XML-decoded,
/// passes the same HTML checks as a page.
///
/// Payloads whose `<` or `"` Unicode joins with a neighbouring scalar (U+0600 before `<`, U+0301
/// after `"`) once got through swift-mustache's own escaping; Bulletin's templates escape by
/// scalar now, and these payloads stay in the set. Run with `ADVERSARIAL_DUMP=/tmp/file` to get
/// every problem in full.
@Suite struct AdversarialSiteTests {
    static let payloads = AdversarialSite.payloads
    static let site = MarkupSafety.Site(
        csp: MarkupSafety.Site.defaultThemeCSP(), base: "/mirror/", baseURL: AdversarialSite.baseURL)

    @Test func payloadFileIsLargeAndHasNoDuplicates() {
        #expect(Self.payloads.count >= 120)
        #expect(Set(Self.payloads).count == Self.payloads.count)
        #expect(Self.payloads.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    }

    /// The main build: every page, feed and the sitemap carry nothing from content as markup.
    @Test func noPayloadReachesAPageAsMarkup() throws {
        let build = try #require(AdversarialSite.main.build, "\(AdversarialSite.main.error ?? "")")
        let pages = build.tree.files.filter { $0.hasSuffix(".html") }
        #expect(pages.count > Self.payloads.count * 2, "pages: \(pages.count)")
        Self.dump(["PAGES main \(pages.count) build \(build.seconds) s: \(build.result.stdout)"])
        var problems: [MarkupSafety.Problem] = []
        for page in pages {
            problems += MarkupSafety.problems(inPage: build.tree.text(page) ?? "", page: page, site: Self.site)
        }
        let feeds = build.tree.files.filter { $0 == "feed.xml" || $0.hasSuffix("/feed.xml") }
        #expect(feeds.count == AdversarialSite.boardCount + 1)
        for feed in feeds {
            problems += FeedSafety.problems(inFeed: build.tree.data(feed) ?? Data(), path: feed, site: Self.site).problems
        }
        problems += FeedSafety.problems(inSitemap: build.tree.data("sitemap.xml") ?? Data(), path: "sitemap.xml", baseURL: AdversarialSite.baseURL)
        Self.expectNone(problems.map(\.description))
    }

    /// Titles, authors, tags, params, comment authors, board and site fields are escaped, not
    /// dropped: each payload is in the text of its element, decoded.
    @Test func payloadsSurviveAsText() throws {
        let build = try #require(AdversarialSite.main.build, "\(AdversarialSite.main.error ?? "")")
        var missing: [(payload: String, report: String)] = []
        func check(_ ok: Bool, _ payload: String, _ what: @autoclosure () -> String) {
            if !ok { missing.append((payload, what())) }
        }
        let anonymous = AdversarialSite.shown(AdversarialSite.anonymous)
        for (i, payload) in Self.payloads.enumerated() {
            let path = AdversarialSite.postPage(i)
            guard let html = build.tree.text(path) else {
                Issue.record("no page \(path)")
                continue
            }
            let tokens = HTMLTokens(html)
            let title = AdversarialSite.shown(payload, limit: 300)
            let short = AdversarialSite.shown(payload)
            let full = AdversarialSite.shown(payload, limit: .max)
            let multiline = AdversarialSite.shown(payload, limit: .max, singleLine: false)
            let titleText = Self.texts(of: "title", in: tokens)
            check(titleText.count == 1 && titleText[0].hasPrefix(title + " - "), payload, "\(path) <title>: \(titleText)")
            let h1 = Self.texts(ofClass: "post-title-text", in: tokens)
            check(h1 == [title], payload, "\(path) h1: \(h1) vs \(title.debugDescription)")
            let author = Self.texts(ofClass: "post-author", in: tokens)
            check(author == [short], payload, "\(path) author: \(author)")
            let commentAuthors = Self.texts(ofClass: "comment-author", in: tokens)
            check(commentAuthors.filter { $0 == short }.count >= 3 && commentAuthors.contains(anonymous), payload, "\(path) comment authors: \(commentAuthors)")
            let chips = Self.texts(ofClass: "chip", in: tokens).map { $0.lowercased() }
            check(chips.contains("#" + short.lowercased()), payload, "\(path) tag: \(chips)")
            let keys = Self.texts(of: "dt", in: tokens)
            check(keys.contains { $0 == payload || $0 == full || $0 == short }, payload, "\(path) param key: \(keys)")
            let values = Self.texts(of: "dd", in: tokens)
            check(values.contains { $0 == payload || $0 == multiline } && values.filter { $0.contains(multiline) }.count >= 2, payload, "\(path) param values: \(values)")
            let replyTitles = tokens.startTags.filter { $0.name == "a" && $0.attributes.contains { $0.name == "class" && $0.value == "comment-reply-to" } }
                .compactMap { $0.attributes.first { $0.name == "title" }?.value }
            check(replyTitles.contains { $0.hasPrefix(short + "님의") }, payload, "\(path) reply title=: \(replyTitles)")
            let boardName = Self.texts(ofClass: "post-board-name", in: tokens)
            let boardTitle = AdversarialSite.boardTitles[AdversarialSite.board(of: i)]
            check(boardName == [AdversarialSite.shown(boardTitle, limit: 300)], boardTitle, "\(path) board: \(boardName)")
        }
        // Board and site fields of the main build.
        let home = HTMLTokens(build.tree.text("index.html") ?? "")
        let homeText = home.text
        for (b, payload) in AdversarialSite.boardTitles.enumerated() {
            check(homeText.contains(AdversarialSite.shown(payload, limit: 300)), payload, "index.html board b\(b) title")
        }
        check(Self.texts(ofClass: "site-title", in: home) == [AdversarialSite.shown(AdversarialSite.siteTitle, limit: 300)], AdversarialSite.siteTitle, "index.html site title")
        let description = home.startTags.first { $0.name == "meta" && $0.attributes.contains { $0.value == "description" } }?
            .attributes.first { $0.name == "content" }?.value ?? ""
        check(description == AdversarialSite.shown(AdversarialSite.siteDescription, limit: .max), AdversarialSite.siteDescription, "index.html meta description: \(description.debugDescription)")
        for b in 0..<AdversarialSite.boardCount {
            let board = HTMLTokens(build.tree.text("b\(b)/index.html") ?? "").text
            let payload = AdversarialSite.boardDescriptions[b]
            check(board.contains(AdversarialSite.shown(payload, limit: .max)), payload, "b\(b)/index.html board description")
        }
        Self.expectNone(missing.map(\.report))
    }

    /// The text of each element named `name`, decoded, up to its end tag.
    static func texts(of name: String, in tokens: HTMLTokens) -> [String] {
        texts(in: tokens) { tag in tag.name == name ? name : nil }
    }

    /// The text of each element whose class list holds `name`.
    static func texts(ofClass name: String, in tokens: HTMLTokens) -> [String] {
        texts(in: tokens) { tag in
            (tag.attributes.first { $0.name == "class" }?.value.split(separator: " ").contains(Substring(name)) ?? false) ? tag.name : nil
        }
    }

    private static func texts(in tokens: HTMLTokens, where match: ((name: String, attributes: [HTMLTokens.Attribute])) -> String?) -> [String] {
        var result: [String] = []
        var open: (name: String, depth: Int, text: String)?
        for token in tokens.tokens {
            switch token {
            case .start(let name, let attributes, let selfClosing):
                if open == nil, let element = match((name, attributes)) {
                    open = (element, 0, "")
                } else if open?.name == name && !selfClosing {
                    open!.depth += 1
                }
            case .end(let name):
                if open?.name == name {
                    if open!.depth == 0 {
                        result.append(open!.text)
                        open = nil
                    } else {
                        open!.depth -= 1
                    }
                }
            case .text(let text):
                open?.text += text
            default:
                break
            }
        }
        return result
    }

    /// Feeds carry each title and author as XML text, and the sitemap every post.
    @Test func feedsCarryThePayloadsAsText() throws {
        let build = try #require(AdversarialSite.main.build, "\(AdversarialSite.main.error ?? "")")
        var missing: [String] = []
        for b in 0..<AdversarialSite.boardCount {
            let (_, xml) = FeedSafety.problems(inFeed: build.tree.data("b\(b)/feed.xml") ?? Data(), path: "b\(b)/feed.xml", site: Self.site)
            let titles = Set(xml.texts(of: "title"))
            let names = Set(xml.texts(of: "name"))
            let terms = Set(xml.attributes.filter { $0.element == "category" }.compactMap { $0.attributes["term"]?.lowercased() })
            for i in Self.payloads.indices where AdversarialSite.board(of: i) == b {
                // XML 1.0 cannot carry most controls (Bulletin drops them), and a parser reads
                // tabs and newlines in an attribute as spaces.
                let shown = AdversarialSite.droppingXMLForbidden(AdversarialSite.shown(Self.payloads[i]))
                let title = AdversarialSite.droppingXMLForbidden(AdversarialSite.shown(Self.payloads[i], limit: 300))
                let term = String(shown.map { "\t\n\r".contains($0) ? " " : $0 })
                if !titles.contains(title) { missing.append("b\(b)/feed.xml title \(title.debugDescription)") }
                if !names.contains(shown) { missing.append("b\(b)/feed.xml author \(shown.debugDescription)") }
                if !terms.contains(term.lowercased()) { missing.append("b\(b)/feed.xml category \(shown.debugDescription)") }
            }
        }
        #expect(missing == [], "\(missing.count) missing:\n\(missing.prefix(40).joined(separator: "\n"))")
        let sitemap = XMLCheck(build.tree.data("sitemap.xml") ?? Data(), collect: ["loc"])
        let locs = Set(sitemap.texts(of: "loc"))
        for i in Self.payloads.indices {
            #expect(locs.contains(AdversarialSite.baseURL + AdversarialSite.postPage(i).replacingOccurrences(of: "index.html", with: "")))
        }
    }

    /// Site and board fields: each chunk of payloads, one after another, in the site's title,
    /// description and anonymous name and a board's title and description of a small build.
    @Test(arguments: AdversarialSite.chunks.indices)
    func siteAndBoardFieldsCarryEveryPayload(chunk c: Int) throws {
        let chunk = AdversarialSite.chunks[c]
        let fixture = try FixtureSite(AdversarialSite.smallArchive(chunk))
        let result = try Binary.run(["build", "--source", fixture.root])
        let tree = fixture.published
        fixture.remove()
        try #require(result.status == 0, "chunk \(c): \(result.stderr.prefix(2000))")
        var problems: [MarkupSafety.Problem] = []
        let pages = tree.files.filter { $0.hasSuffix(".html") }
        #expect(pages.count >= 10)
        Self.dump(["PAGES chunk \(c) \(pages.count)"])
        for page in pages {
            problems += MarkupSafety.problems(inPage: tree.text(page) ?? "", page: "chunk \(c): \(page)", site: Self.site)
        }
        for feed in ["feed.xml", "free/feed.xml"] {
            problems += FeedSafety.problems(inFeed: tree.data(feed) ?? Data(), path: "chunk \(c): \(feed)", site: Self.site).problems
        }
        // Each payload in the text of the post page (site title, board title, anonymous author),
        // of the board's listing (its description) and in the home page's description.
        var missing: [String] = []
        let post = HTMLTokens(tree.text("free/1/index.html") ?? "").text
        let listing = HTMLTokens(tree.text("free/index.html") ?? "").text
        let description = HTMLTokens(tree.text("index.html") ?? "").startTags.first { $0.name == "meta" && $0.attributes.contains { $0.value == "description" } }?
            .attributes.first { $0.name == "content" }?.value ?? ""
        for payload in chunk {
            let shown = AdversarialSite.shown(payload, limit: .max)
            for (what, text) in [("post page", post), ("board listing", listing), ("home description", description)] where !text.contains(shown) {
                missing.append("chunk \(c) \(what): \(shown.debugDescription)")
            }
        }
        Self.expectNone(problems.map(\.description))
        Self.expectNone(missing)
    }

    /// A post id or a board folder cannot be a payload: the build fails naming each file, and
    /// writes nothing.
    @Test func payloadIdsAndBoardNamesAreRefused() throws {
        let ids = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "../../escape", "{{>base}}", "a b"]
        var archive = "-- site.yml --\ntitle: 미러\n"
        // As `id:` in a valid file name …
        for (n, id) in ids.enumerated() {
            archive += "-- Content/free/\(n + 1).md --\n---\nid: \(AdversarialSite.yaml(id))\ntitle: t\ndate: 2024-06-21T14:47:47+09:00\n---\nbody\n"
        }
        // … and as file and folder names.
        let names = ["\"><svg onload=alert(1)>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]
        for name in names {
            archive += "-- Content/free/\(name).md --\n---\ntitle: t\ndate: 2024-06-21T14:47:47+09:00\n---\nbody\n"
        }
        archive += "-- Content/<svg onload=alert(1)>/1.md --\n---\ntitle: t\ndate: 2024-06-21T14:47:47+09:00\n---\nbody\n"
        let fixture = try FixtureSite(archive)
        defer { fixture.remove() }
        let result = try Binary.run(["build", "--source", fixture.root])
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        let errors = diagnosticLines(result.stderr)
        for n in ids.indices {
            #expect(errors.contains { $0.hasPrefix("Content/free/\(n + 1).md:") || $0.contains("/Content/free/\(n + 1).md:") }, "id \(ids[n]) not refused: \(errors)")
        }
        for name in names {
            #expect(errors.contains { $0.contains("Content/free/\(name).md") }, "file name \(name) not refused: \(errors)")
        }
        #expect(errors.contains { $0.contains("Content/<svg onload=alert(1)>") }, "board folder not refused: \(errors)")
        #expect(fixture.topLevelNames() == ["Content", "Themes", "site.yml"], "\(fixture.topLevelNames())")
        #expect(stagingLeftovers(beside: fixture.root + "/public") == [])
        #expect(result.stdout.isEmpty || !result.stdout.contains("built"))
    }

    // MARK: The checks can fail

    static func page(head: String = "", body: String, csp: String? = nil) -> String {
        """
        <!doctype html>
        <html lang="ko">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(csp ?? site.csp)">
        <title>t</title>
        <meta name="description" content="d">
        <link rel="canonical" href="https://example.org/mirror/x/">
        <link rel="alternate" type="application/atom+xml" title="f" href="/mirror/feed.xml">
        <link rel="stylesheet" href="/mirror/css/bulletin.css">
        \(head)
        </head>
        <body class="page-post">
        \(body)
        </body>
        </html>
        """
    }

    @Test func thePageCheckerFindsWhatItLooksFor() {
        #expect(!Self.site.csp.isEmpty)
        let good = [
            "", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<p>onerror=alert(1)</p>", "<a href=\"/mirror/x/\" title=\"javascript:\">x</a>",
            "<!-- raw HTML omitted -->", "<p>1 &lt; 2</p>", "<img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\"https://example.com/x.png\" alt=\"&quot; onerror=&quot;x\">",
            "<a rel=\"nofollow ugc noopener\" href=\"mailto:a@example.com\">m</a>", "<a href=\"#c-1\">c</a>", "<p>\u{0600}&lt;img&gt; \"\u{0301}</p>",
        ]
        for body in good {
            let found = MarkupSafety.problems(inPage: Self.page(body: body), page: "p", site: Self.site)
            #expect(found == [], "\(body.debugDescription)")
        }
        let bad = [
            "<script>x</script>", "<SCRIPT SRC=//x.example/x.js></SCRIPT>", "<IMG SRC=x OnError=alert(1)>", "<svg/onload=alert(1)>",
            "<a href=\"java&#x09;script:alert(1)\">x</a>", "<a href=' JAVASCRIPT:x'>x</a>", "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"&#x6A&#x61&#x76&#x61script:alert(1)\">x</a>", "<a href=\"&#0000106avascript:alert(1)\">x</a>",
            "<a href=\"java&Tab;script:alert(1)\">x</a>", "<a href=\"javascript&colon;alert(1)\">x</a>", "<a href=\"java\u{0}script:x\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>", "<img src=\"DATA:image/svg+xml,x\">",
            "<a href=\"file:///etc/passwd\">x</a>", "<img srcset=\"/a.png 1x, javascript:alert(1) 2x\">", "<video poster=javascript:alert(1)>",
            "<table background=\"javascript:alert(1)\">", "<a xlink:href=\"javascript:alert(1)\">x</a>", "<form action=\"/x\">",
            "<button formaction=\"/x\">x</button>", "<iframe src=\"https://x.example/\">", "<object data=\"x\">", "<embed src=\"x\">",
            "<base href=\"https://x.example/\">", "<math><mi>x</mi></math>", "<style>p{}</style>", "<p style=\"color:red\">x</p>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://x.example/\">", "<link rel=\"stylesheet\" href=\"https://x.example/x.css\">",
            "<link rel=\"import\" href=\"/mirror/x.html\">", "<input autofocus onfocus=alert(1)>", "<details open ontoggle=alert(1)>",
            "<marquee onstart=alert(1)>", "<blink>x</blink>", "<p data-x=\"1\">x</p>", "<!--><script>alert(1)</script>-->", "<!-- x -->",
            "<![CDATA[x]]>", "<?xml x?>", "</ x>", "<p>1 <\u{0338} 2</p>", "<p>\u{0600}<img src=x onerror=alert(1) </p>",
            "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">", "<!doctype html>",
        ]
        for body in bad {
            let found = MarkupSafety.problems(inPage: Self.page(body: body), page: "p", site: Self.site)
            #expect(!found.isEmpty, "not caught: \(body.debugDescription)")
        }
        // Page-level rules.
        let badPages = [
            Self.page(body: "").replacingOccurrences(of: "<meta http-equiv=\"Content-Security-Policy\"", with: "<meta name=\"x\""),
            Self.page(head: "<meta http-equiv=\"Content-Security-Policy\" content=\"\(Self.site.csp)\">", body: ""),
            Self.page(body: "", csp: "default-src *"),
            Self.page(head: "<base href=\"/\">", body: ""),
            Self.page(head: "<script src=\"/mirror/x.js\"></script>", body: ""),
            Self.page(head: "<link rel=\"icon\" href=\"/mirror/x.ico\">", body: ""),
            Self.page(head: "<link rel=\"next\" href=\"https://x.example/\">", body: ""),
            Self.page(head: "<meta http-equiv=\"refresh\" content=\"0\">", body: ""),
            Self.page(body: "").replacingOccurrences(of: "<!doctype html>", with: "<!doctype html><!doctype x>"),
        ]
        for html in badPages {
            #expect(!MarkupSafety.problems(inPage: html, page: "p", site: Self.site).isEmpty, "not caught: \(html)")
        }
    }

    /// Markup a joined grapheme would let through is caught, and told apart from plain markup.
    @Test func gluedGraphemesAreToldApart() {
        let glued = [
            "<p>\u{0600}<img src=x onerror=alert(1) </p>",
            "<p class=\"x\"\u{0301} onmouseover=alert(1) x=\"\">y</p>",
            "<p>\u{110BD}<svg onload=alert(1) </p>",
        ]
        for body in glued {
            let found = MarkupSafety.problems(inPage: Self.page(body: body), page: "p", site: Self.site)
            #expect(!found.isEmpty && found.allSatisfy(\.glued), "\(found)")
        }
        let plain = ["<p><img src=x onerror=alert(1)></p>", "<p class=\"x\" onmouseover=alert(1)>y</p>"]
        for body in plain {
            let found = MarkupSafety.problems(inPage: Self.page(body: body), page: "p", site: Self.site)
            #expect(!found.isEmpty && found.allSatisfy { !$0.glued }, "\(found)")
        }
        // (Bound first: the `#expect` macro re-quotes a literal whose quote is glued to a mark, and breaks.)
        let gluedSamples = ["\u{0600}<script>", "\"\u{0301} x", "'\u{200D}x"]
        #expect(gluedSamples.allSatisfy(MarkupSafety.hasGluedSpecial))
        #expect(!MarkupSafety.hasGluedSpecial("<script>alert(1)</script>"))
    }

    @Test func theFeedCheckerFindsWhatItLooksFor() {
        func feed(_ entry: String) -> Data {
            Data("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\(entry)</feed>\n".utf8)
        }
        let goodEntry = "<entry><title>&lt;script&gt;alert(1)&lt;/script&gt;</title><author><name>&lt;img onerror=x&gt;</name></author>"
            + "<content type=\"html\">&lt;p&gt;&amp;lt;script&amp;gt;&lt;/p&gt;</content></entry>"
        #expect(FeedSafety.problems(inFeed: feed(goodEntry), path: "f", site: Self.site).problems == [])
        let bad = [
            "<entry><title>x<script>alert(1)</script></title></entry>",
            "<entry><content type=\"html\">&lt;script&gt;alert(1)&lt;/script&gt;</content></entry>",
            "<entry><content type=\"html\">&lt;img src=x onerror=alert(1)&gt;</content></entry>",
            "<entry><content type=\"html\">&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;</content></entry>",
            "<entry><content type=\"html\"><![CDATA[<iframe src=x>]]></content></entry>",
            "<entry><title type=\"html\">x</title></entry>",
            "<entry><content>x</content></entry>",
            "<entry><link href=\"javascript:alert(1)\"/></entry>",
            "<entry><title>unclosed</entry>",
        ]
        for entry in bad {
            #expect(!FeedSafety.problems(inFeed: feed(entry), path: "f", site: Self.site).problems.isEmpty, "not caught: \(entry)")
        }
        let sitemap = { (loc: String) in Data("<?xml version=\"1.0\"?><urlset><url><loc>\(loc)</loc></url></urlset>".utf8) }
        #expect(FeedSafety.problems(inSitemap: sitemap("https://example.org/mirror/a/"), path: "s", baseURL: AdversarialSite.baseURL) == [])
        for loc in ["javascript:alert(1)", "https://example.org/mirror/&quot;&gt;", "https://evil.example/", "https://example.org/mirror/<x/>"] {
            #expect(!FeedSafety.problems(inSitemap: sitemap(loc), path: "s", baseURL: AdversarialSite.baseURL).isEmpty, "not caught: \(loc)")
        }
    }

    /// End to end: a theme that forgets to escape a title, drops the CSP and links an icon is
    /// caught on the pages the binary writes; the repository's theme on the good site is not.
    @Test func theCheckerCatchesABrokenThemeAndPassesTheGoodSite() throws {
        let broken = try FixtureSite(AdversarialSite.smallArchive(["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]))
        defer { broken.remove() }
        let post = try #require(broken.read("Themes/default/templates/post.mustache"))
        let base = try #require(broken.read("Themes/default/templates/base.mustache"))
        try broken.write("Themes/default/templates/post.mustache", post.replacingOccurrences(of: "{{post.title}}</span>", with: "{{{post.title}}}</span>"))
        try broken.write(
            "Themes/default/templates/base.mustache",
            base.split(separator: "\n").filter { !$0.contains("Content-Security-Policy") }.joined(separator: "\n")
                .replacingOccurrences(of: "<meta name=\"referrer\"", with: "<link rel=\"icon\" href=\"/x.ico\">\n<meta name=\"referrer\""))
        let result = try Binary.run(["build", "--source", broken.root])
        try #require(result.status == 0, "\(result.stderr)")
        let tree = broken.published
        var problems: [MarkupSafety.Problem] = []
        for page in tree.files where page.hasSuffix(".html") {
            problems += MarkupSafety.problems(inPage: tree.text(page) ?? "", page: page, site: Self.site)
        }
        #expect(problems.contains { $0.page == "free/1/index.html" && $0.what.hasPrefix("event handler onerror") })
        #expect(problems.filter { $0.what.contains("CSP") }.count == tree.files.filter { $0.hasSuffix(".html") }.count)
        #expect(problems.contains { $0.what.contains("rel=\"icon\"") })

        let good = try GoodSite.make()
        defer { good.remove() }
        let goodResult = try Binary.run(["build", "--source", good.root])
        try #require(goodResult.status == 0, "\(goodResult.stderr)")
        let goodTree = good.published
        var goodProblems: [MarkupSafety.Problem] = []
        for page in goodTree.files where page.hasSuffix(".html") {
            goodProblems += MarkupSafety.problems(inPage: goodTree.text(page) ?? "", page: page, site: Self.site)
        }
        for feed in ["feed.xml", "free/feed.xml"] {
            goodProblems += FeedSafety.problems(inFeed: goodTree.data(feed) ?? Data(), path: feed, site: Self.site).problems
        }
        goodProblems += FeedSafety.problems(inSitemap: goodTree.data("sitemap.xml") ?? Data(), path: "sitemap.xml", baseURL: AdversarialSite.baseURL)
        #expect(goodProblems == [])
    }

    // MARK: Reporting

    /// With `ADVERSARIAL_DUMP=/some/file` set, appends lines to that file: every problem found in
    /// full, and page counts (for reading all of a failure when the test output cuts it short).
    static func dump(_ lines: [String]) {
        guard let path = ProcessInfo.processInfo.environment["ADVERSARIAL_DUMP"], !lines.isEmpty else { return }
        dumpLock.lock()
        defer { dumpLock.unlock() }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        handle.closeFile()
    }

    private static let dumpLock = NSLock()

    /// Expects no problem at all.
    static func expectNone(_ problems: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        dump(problems)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(60).joined(separator: "\n"))", sourceLocation: sourceLocation)
    }
}
