@testable import BulletinKit
import Testing

/// Markdown from board content reaches pages only as safe HTML.
struct MarkdownTests {
    // MARK: Raw HTML

    @Test func rawHTMLBlocksAreOmitted() {
        let html = markdown("<script>alert(1)</script>\n\n<div onclick=\"alert(1)\">x</div>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n끝")
        #expect(html == "<!-- raw HTML omitted -->\n<!-- raw HTML omitted -->\n<!-- raw HTML omitted -->\n<p>끝</p>\n")
    }

    @Test func inlineHTMLIsOmitted() {
        let html = markdown("a <img src=x onerror=alert(1)> b <b onmouseover=\"x\">굵게</b> <!-- c -->")
        #expect(html == "<p>a <!-- raw HTML omitted --> b <!-- raw HTML omitted -->굵게<!-- raw HTML omitted --> <!-- raw HTML omitted --></p>\n")
    }

    @Test func textThatLooksLikeHTMLIsEscaped() {
        #expect(markdown("`<script>` & \"q\" 3 < 4") == "<p><code>&lt;script&gt;</code> &amp; &quot;q&quot; 3 &lt; 4</p>\n")
    }

    // MARK: Dangerous schemes

    static let dangerous = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#9;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        " javascript:alert(1)",
        "<javascript:alert(1)>",
        "<java\tscript:alert(1)>",
        "&#32;javascript:alert(1)",
        "&#0;javascript:alert(1)",
        "javascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml,<svg/onload=alert(1)>",
        "file:///etc/passwd",
        "ftp://example.org/x",
    ]

    @Test(arguments: dangerous)
    func dangerousLinkKeepsOnlyItsText(_ destination: String) {
        let html = markdown("[눌러 보세요](\(destination))")
        #expect(html == "<p>눌러 보세요</p>\n", "\(destination)")
    }

    @Test(arguments: dangerous)
    func dangerousImageBecomesItsAltText(_ destination: String) {
        let html = markdown("![그림 *설명*](\(destination))")
        #expect(html == "<p>그림 설명</p>\n", "\(destination)")
    }

    @Test(arguments: dangerous)
    func dangerousReferenceLinkKeepsOnlyItsText(_ destination: String) {
        let html = markdown("[글][r]\n\n[r]: \(destination)")
        #expect(!html.contains("<a"), "\(destination): \(html)")
        #expect(html.hasPrefix("<p>글</p>"), "\(destination): \(html)")
    }

    @Test func dangerousAutolinkStaysText() {
        #expect(markdown("<javascript:alert(1)>") == "<p>javascript:alert(1)</p>\n")
        #expect(markdown("<mailto:a@example.org>") == "<p><a rel=\"nofollow ugc noopener\" href=\"mailto:a@example.org\">mailto:a@example.org</a></p>\n")
    }

    /// A refused image used to be freed with the links inside its description still queued, and
    /// the next step read freed memory (a crash on untrusted input).
    @Test func linksInsideARefusedImageAreSafe() {
        #expect(markdown("![[a](https://x.example)](javascript:x) 끝") == "<p>a 끝</p>\n")
        #expect(markdown("![[a](javascript:y)](javascript:x) 끝") == "<p>a 끝</p>\n")
        #expect(markdown("![x ![y](https://y.example/y.png)](javascript:x) 끝") == "<p>x y 끝</p>\n")
        #expect(markdown("![x ![y](javascript:y)](javascript:x) 끝") == "<p>x y 끝</p>\n")
        #expect(markdown("[![a](javascript:y)](javascript:x) 끝") == "<p>a 끝</p>\n")
        #expect(
            markdown("[![a](javascript:y)](https://x.example) 끝")
                == "<p><a rel=\"nofollow ugc noopener\" href=\"https://x.example\">a</a> 끝</p>\n")
        #expect(
            markdown("![[a](javascript:y)](https://x.example/i.png)")
                == "<p><img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\"https://x.example/i.png\" alt=\"a\" /></p>\n")
    }

    @Test func resolverSeesNestedLinksInDocumentOrder() {
        var resolver = RecordingResolver()
        let html = Markdown.html("![바깥 [안](inner.md)](missing.png) [뒤](after.md)", links: &resolver)
        #expect(resolver.calls.map(\.path) == ["missing.png", "inner.md", "after.md"])
        #expect(html == "<p>바깥 안 <a rel=\"nofollow ugc noopener\" href=\"/res/after.md\">뒤</a></p>\n")
    }

    @Test func imageWithoutAltTextDisappears() {
        #expect(markdown("앞 ![](javascript:alert(1)) 뒤") == "<p>앞  뒤</p>\n")
    }

    @Test func mailtoImageIsDropped() {
        #expect(markdown("![메일](mailto:a@example.org)") == "<p>메일</p>\n")
    }

    // MARK: Attributes

    @Test func titleCannotInjectAttributes() {
        let html = markdown(#"[a](http://x.example "\" onmouseover=alert(1) x=\"")"#)
        #expect(html == "<p><a rel=\"nofollow ugc noopener\" href=\"http://x.example\" title=\"&quot; onmouseover=alert(1) x=&quot;\">a</a></p>\n")
    }

    @Test func destinationCannotInjectAttributes() {
        let html = markdown(#"[a](<http://x.example/"onmouseover="alert(1)>)"#)
        #expect(html == "<p><a rel=\"nofollow ugc noopener\" href=\"http://x.example/%22onmouseover=%22alert(1)\">a</a></p>\n")
        let image = markdown(#"![a"b](https://x.example/i.png "t'\"")"#)
        #expect(image == "<p><img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\"https://x.example/i.png\" alt=\"a&quot;b\" title=\"t'&quot;\" /></p>\n")
    }

    @Test func linksGetRelAndImagesLoadLazily() {
        #expect(markdown("[글](https://example.org/a?b=1&c=2)") == "<p><a rel=\"nofollow ugc noopener\" href=\"https://example.org/a?b=1&amp;c=2\">글</a></p>\n")
        #expect(markdown("[글](HTTP://EXAMPLE.ORG)") == "<p><a rel=\"nofollow ugc noopener\" href=\"HTTP://EXAMPLE.ORG\">글</a></p>\n")
        #expect(
            markdown("![사진](https://example.org/p.png)")
                == "<p><img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\"https://example.org/p.png\" alt=\"사진\" /></p>\n")
        #expect(markdown("[위로](#top)") == "<p><a rel=\"nofollow ugc noopener\" href=\"#top\">위로</a></p>\n")
        #expect(markdown("[메일](mailto:a@example.org)") == "<p><a rel=\"nofollow ugc noopener\" href=\"mailto:a@example.org\">메일</a></p>\n")
        #expect(markdown("[다른 곳](//example.org/x)") == "<p><a rel=\"nofollow ugc noopener\" href=\"//example.org/x\">다른 곳</a></p>\n")
    }

    // MARK: Relative links

    @Test func relativeLinksGoThroughTheResolver() {
        var resolver = RecordingResolver()
        let html = Markdown.html("[앞 글](../b/2.md#c-1) ![사진](812301/photo%201.png?v=2) [파일](한글%20이름.txt)", links: &resolver)
        #expect(
            html
                == "<p><a rel=\"nofollow ugc noopener\" href=\"/res/../b/2.md#c-1\">앞 글</a> "
                + "<img loading=\"lazy\" referrerpolicy=\"no-referrer\" src=\"/res/812301/photo%201.png?v=2\" alt=\"사진\" /> "
                + "<a rel=\"nofollow ugc noopener\" href=\"/res/%ED%95%9C%EA%B8%80%20%EC%9D%B4%EB%A6%84.txt\">파일</a></p>\n"
        )
        #expect(
            resolver.calls == [
                .init(path: "../b/2.md", suffix: "#c-1", isImage: false),
                .init(path: "812301/photo 1.png", suffix: "?v=2", isImage: true),
                .init(path: "한글 이름.txt", suffix: "", isImage: false),
            ])
    }

    @Test func unresolvedRelativeLinksKeepTheirText() {
        var resolver = RecordingResolver()
        let html = Markdown.html("[없는 글](missing.md) ![없는 그림](missing.png)", links: &resolver)
        #expect(html == "<p>없는 글 없는 그림</p>\n")
        #expect(resolver.calls.count == 2)
    }

    @Test func fragmentsAndWebLinksDoNotReachTheResolver() {
        var resolver = RecordingResolver()
        _ = Markdown.html("[a](#x) [b](https://example.org) [c](mailto:a@example.org) <https://example.org> https://example.com", links: &resolver)
        #expect(resolver.calls.isEmpty)
    }

    // MARK: Autolinks in text

    static func link(_ url: String, _ text: String? = nil) -> String {
        "<a rel=\"nofollow ugc noopener\" href=\"\(url)\">\(text ?? url)</a>"
    }

    @Test func bareWebAddressesBecomeLinks() {
        #expect(markdown("보세요 https://example.org/a/b 여기") == "<p>보세요 \(Self.link("https://example.org/a/b")) 여기</p>\n")
        #expect(markdown("http://example.org") == "<p>\(Self.link("http://example.org"))</p>\n")
    }

    @Test(arguments: [".", ",", ":", ";", "!", "?", "'", "*", "~"])
    func trailingPunctuationIsNotPartOfTheAddress(_ mark: String) {
        #expect(markdown("주소는 https://example.org/x\(mark)") == "<p>주소는 \(Self.link("https://example.org/x"))\(mark)</p>\n")
    }

    @Test func koreanParticleAfterTheAddressIsNotPartOfIt() {
        #expect(markdown("https://example.org/path에서 봤어요") == "<p>\(Self.link("https://example.org/path"))에서 봤어요</p>\n")
        #expect(markdown("https://example.org/는") == "<p>\(Self.link("https://example.org/"))는</p>\n")
    }

    @Test func parenthesesAroundTheAddress() {
        #expect(markdown("(https://example.org/x)") == "<p>(\(Self.link("https://example.org/x")))</p>\n")
        #expect(markdown("https://en.wikipedia.org/wiki/Foo_(bar)") == "<p>\(Self.link("https://en.wikipedia.org/wiki/Foo_(bar)"))</p>\n")
    }

    @Test func addressesWithMarkdownPunctuationStayWhole() {
        #expect(markdown("https://example.org/a_b_c") == "<p>\(Self.link("https://example.org/a_b_c"))</p>\n")
        #expect(markdown("https://example.org/?a=1&b=2") == "<p>\(Self.link("https://example.org/?a=1&amp;b=2"))</p>\n")
        #expect(markdown("https://example.org/!x") == "<p>\(Self.link("https://example.org/!x"))</p>\n")
        #expect(markdown("https://example.org/[1]") == "<p>\(Self.link("https://example.org/%5B1%5D", "https://example.org/[1]"))</p>\n")
    }

    @Test func severalAddressesInOneText() {
        #expect(
            markdown("https://a.example 와 http://b.example/x, 그리고 끝")
                == "<p>\(Self.link("https://a.example")) 와 \(Self.link("http://b.example/x")), 그리고 끝</p>\n")
    }

    @Test func addressesInCodeAndLinksAreUntouched() {
        #expect(markdown("`https://example.org/code`") == "<p><code>https://example.org/code</code></p>\n")
        #expect(markdown("    https://example.org/block") == "<pre><code>https://example.org/block\n</code></pre>\n")
        #expect(markdown("[https://example.com 보기](https://example.org)") == "<p>\(Self.link("https://example.org", "https://example.com 보기"))</p>\n")
        #expect(markdown("<https://example.org>") == "<p>\(Self.link("https://example.org"))</p>\n")
        #expect(markdown("![https://example.com](https://example.org/i.png)").components(separatedBy: "<a ").count == 1)
    }

    @Test func notQuiteAddresses() {
        #expect(markdown("http:// 만") == "<p>http:// 만</p>\n")
        #expect(markdown("xhttps://example.org") == "<p>xhttps://example.org</p>\n")
        #expect(markdown("https 또는 http 라고") == "<p>https 또는 http 라고</p>\n")
        #expect(markdown("https://\"onmouseover=x") == "<p>https://&quot;onmouseover=x</p>\n")
    }

    @Test func autolinksInsideEmphasis() {
        #expect(markdown("**https://example.org**") == "<p><strong>\(Self.link("https://example.org"))</strong></p>\n")
    }

    // MARK: Options

    @Test func hardBreaksForComments() {
        #expect(markdown("한 줄\n두 줄", hardBreaks: true) == "<p>한 줄<br />\n두 줄</p>\n")
        #expect(markdown("한 줄\n두 줄") == "<p>한 줄\n두 줄</p>\n")
    }

    @Test func emptyMarkdownIsEmpty() {
        #expect(markdown("") == "")
    }
}

/// Random mixes of link, image and HTML syntax (a fixed seed, so every run is the same): the
/// renderer never crashes, and writes only the tags and attributes Markdown makes, with no
/// dangerous scheme in any href or src.
struct MarkdownMixTests {
    static let pieces = [
        "[", "]", "(", ")", "![", "](", "<", ">", "*", "`", "\n", "\n\n", " ", "한글", "https://a.example/x_y", "javascript:alert(1)",
        "JaVa&#x09;Script:x", "data:text/html,x", "missing.md", "ok.png", "#frag", "\"", "'", "<script>", "</script>", "<img src=x onerror=y>",
        "&amp;", "&#0;", "\\", "> ", "- ", "1. ", "    ", "[r]: javascript:x\n", "[r]", "<https://b.example>", "<javascript:x>",
        " \"t onclick=x\"", "vbscript:x", "![[", ")](", "![x ![",
    ]
    static let allowedTags: Set<String> = [
        "p", "a", "img", "em", "strong", "code", "pre", "br", "blockquote", "ul", "ol", "li", "hr", "h1", "h2",
    ]
    static let allowedAttributes: Set<String> = ["rel", "href", "src", "alt", "title", "loading", "referrerpolicy", "start"]

    /// Tags of rendered HTML with their attributes and values (text is escaped, so every '<' opens
    /// a tag or a comment, and every value is in double quotes).
    static func tags(_ html: String) -> [(name: String, attributes: [(String, String)])] {
        var result: [(String, [(String, String)])] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            if rest.hasPrefix("!--") {
                guard let end = rest.range(of: "-->") else { break }
                rest = rest[end.upperBound...]
                continue
            }
            if rest.hasPrefix("/") { rest = rest.dropFirst() }
            let name = String(rest.prefix { $0.isLetter || $0.isNumber })
            rest = rest.dropFirst(name.count)
            var attributes: [(String, String)] = []
            while let c = rest.first, c != ">" {
                if c == " " || c == "/" {
                    rest = rest.dropFirst()
                    continue
                }
                let attribute = String(rest.prefix { $0 != "=" && $0 != " " && $0 != ">" })
                rest = rest.dropFirst(attribute.count)
                var value = ""
                if rest.hasPrefix("=\"") {
                    rest = rest.dropFirst(2)
                    value = String(rest.prefix { $0 != "\"" })
                    rest = rest.dropFirst(value.count + 1)
                }
                attributes.append((attribute, value))
            }
            result.append((name, attributes))
        }
        return result
    }

    /// The scheme a browser would see in an attribute value: the text before the first ':' that
    /// comes before any '/', '?' or '#', without the characters browsers skip; "" for none.
    static func scheme(_ value: String) -> String {
        let decoded = value.replacingOccurrences(of: "&amp;", with: "&").lowercased()
        guard let colon = decoded.firstIndex(where: { ":/?#".contains($0) }), decoded[colon] == ":" else { return "" }
        return String(decoded[..<colon].unicodeScalars.filter { $0.value > 0x20 }.map(Character.init))
    }

    @Test func randomMarkdownStaysSafe() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<(1 + next(24)) { text += Self.pieces[next(Self.pieces.count)] }
            let html = markdown(text)
            for (name, attributes) in Self.tags(html) {
                if !Self.allowedTags.contains(name.lowercased()) { Issue.record("tag <\(name)> from \(text.debugDescription): \(html)") }
                for (attribute, value) in attributes {
                    if !Self.allowedAttributes.contains(attribute) {
                        Issue.record("attribute \(attribute) from \(text.debugDescription): \(html)")
                    }
                    if (attribute == "href" || attribute == "src") && !["", "http", "https", "mailto"].contains(Self.scheme(value)) {
                        Issue.record("\(attribute)=\"\(value)\" from \(text.debugDescription): \(html)")
                    }
                }
            }
        }
    }

    /// Text the plain-paragraph shortcut takes gives what cmark gives, byte for byte, with and
    /// without hard breaks; random lines over an alphabet of what matters to Markdown.
    @Test func plainParagraphShortcutMatchesCmark() {
        let alphabet: [String] = [
            "a", "Z", "가", "ㅋ", "😀", " ", "  ", "\"", "'", "/", ":", ".", ",", "?", "%", "#", "-", "+", "=", "|", "(", ")", "{", "}",
            "$", "^", "@", ";", "1", "9", "\u{A0}", "\u{3000}", "h", "t", "p", "s", "http", "https://x.kr", "<", "&", "*", "_", "\\",
            "~", "!", "[", "`", "\t", "\n", "e\u{301}", "&amp;",
        ]
        var random = SplitMix(seed: 3)
        var taken = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<(1 + Int(random.next() % 10)) { text += alphabet[Int(random.next() % UInt64(alphabet.count))] }
            var fast: [UInt8] = []
            guard Markdown.writePlainParagraph(text, into: &fast) else { continue }
            taken += 1
            for options in [Markdown.Options(), Markdown.Options(hardBreaks: true)] {
                var links = RecordingResolver()
                var slow: [UInt8] = []
                Markdown.writeCmarkHTML(text, options: options, links: &links, into: &slow)
                #expect(fast == slow, "\(text.debugDescription): \(String(decoding: fast, as: UTF8.self).debugDescription) vs \(String(decoding: slow, as: UTF8.self).debugDescription)")
            }
        }
        #expect(taken > 1000, "the shortcut took \(taken)")
    }
}
