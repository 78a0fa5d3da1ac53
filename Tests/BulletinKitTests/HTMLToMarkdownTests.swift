@testable import BulletinKit
import Foundation
import Testing

/// A scraped post's HTML becomes Markdown that renders to the same structure and text, and never
/// to markup the HTML did not have.
struct HTMLToMarkdownTests {
    func convert(_ html: String) -> String { HTMLToMarkdown.convert(html) }

    // MARK: Structure

    /// libxml2 is loaded on first use, not linked: the process has it once a capture is read,
    /// and the loaded functions work from several threads at once.
    @Test func libxml2IsLoadedWhenFirstWanted() async {
        #expect(HTMLToMarkdown.unavailable == nil)
        let converted = await withTaskGroup(of: String.self) { group in
            for i in 0..<8 { group.addTask { HTMLToMarkdown.convert("<p>글 \(i)</p>") } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(converted) == Set((0..<8).map { "글 \($0)\n" }))
    }

    @Test func paragraphsAndLineBreaks() {
        #expect(convert("<p>첫 문단</p><p>둘째 문단<br>다음 줄</p>") == "첫 문단\n\n둘째 문단\\\n다음 줄\n")
        #expect(markdown(convert("<p>둘째 문단<br>다음 줄</p>")) == "<p>둘째 문단<br />\n다음 줄</p>\n")
        // Two <br> in a row are an empty line; one at the end of a paragraph shows nothing.
        #expect(convert("a<br><br>b<br>") == "a\\\n\\\nb\n")
        #expect(markdown(convert("a<br><br>b")) == "<p>a<br />\n<br />\nb</p>\n")
        // Blocks of unknown elements are paragraphs; white space collapses as in a browser.
        #expect(convert("<div>  하나 \n\t 둘  </div><div><span>셋</span></div>\n\n") == "하나 둘\n\n셋\n")
        #expect(convert("<table><tr><td>가</td><td>나</td></tr><tr><td>다</td></tr></table>") == "가 나\n\n다\n")
        #expect(convert("") == "")
        #expect(convert("<p> </p><div>&nbsp;</div>") == "")
    }

    @Test func linksAndImages() {
        #expect(convert("<a href=\"/board/free/1\">글</a>") == "[글](/board/free/1)\n")
        #expect(convert("<a href=\"https://example.com/a?b=1&amp;c=(2)\">외부</a>") == "[외부](https://example.com/a?b=1\\&c=\\(2\\))\n")
        #expect(convert("<a href=\"mailto:a@example.com\">메일</a>") == "[메일](mailto:a@example.com)\n")
        #expect(convert("<img src=\"https://example.com/고양이.jpg\" alt=\"고양이 [사진]\">") == "![고양이 \\[사진\\]](https://example.com/고양이.jpg)\n")
        #expect(convert("<img src=\"photo 1.png\">") == "![](photo%201.png)\n")
        // Refused URLs: the text stays, the link or image goes.
        #expect(convert("<a href=\"javascript:alert(1)\">클릭</a>") == "클릭\n")
        #expect(convert("<img src=\"data:image/png;base64,AAAA\" alt=\"사진\">") == "사진\n")
        #expect(convert("<img src=\"mailto:a@example.com\" alt=\"메일\">") == "메일\n")
        #expect(convert("<a>이름만</a> <a href=\"\">빈 주소</a>") == "이름만 빈 주소\n")
        // No link inside a link.
        #expect(convert("<a href=\"/a\">바깥 <a href=\"/b\">안</a></a>") == "[바깥](/a) [안](/b)\n")
    }

    @Test(arguments: [
        "javascript:alert(1)", " JaVaScRiPt:alert(1) ", "\u{1}javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
        "&#106;avascript:alert(1)", "&#x6A;avascript&#x3A;alert(1)", "jav&#x09;ascript:alert(1)", "java\u{A0}script:alert(1)",
        "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "ht\ttps://example.com",
        "livescript:x", "feed:javascript:alert(1)",
    ])
    func dangerousURLsAreDropped(url: String) {
        let html = "<a href=\"\(url)\">링크</a><img src=\"\(url)\" alt=\"그림\">"
        #expect(convert(html) == "링크그림\n")
    }

    @Test func nestedLists() {
        let html = "<ul><li>과일<ul><li>사과</li><li>배<ul><li>신고</li></ul></li></ul></li><li>채소</li></ul>"
        #expect(convert(html) == "- 과일\n  - 사과\n  - 배\n    - 신고\n- 채소\n")
        #expect(
            markdown(convert(html))
                == "<ul>\n<li>과일\n<ul>\n<li>사과</li>\n<li>배\n<ul>\n<li>신고</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>채소</li>\n</ul>\n")
        // Paragraphs in an item; empty items dropped; text outside any <li> is an item.
        #expect(convert("<ul><li><p>가</p><p>나</p></li><li> </li>다<b>라</b></ul>") == "- 가\n\n  나\n- 다**라**\n")
    }

    @Test func orderedLists() {
        #expect(convert("<ol start=\"5\"><li>하나</li><li>둘</li></ol>") == "1. 하나\n2. 둘\n")
        let many = "<ol>" + (1...10).map { "<li>\($0)</li>" }.joined() + "</ol>"
        #expect(convert(many).hasSuffix("9. 9\n10. 10\n"))
        // Two lists in a row stay two lists: the second takes the other marker.
        let twoLists = convert("<ol><li>a</li></ol><ol><li>b</li></ol><ul><li>c</li></ul><ul><li>d</li></ul>")
        #expect(twoLists == "1. a\n\n1) b\n\n- c\n\n* d\n")
        #expect(markdown(twoLists).components(separatedBy: "<ol>").count == 3)
        #expect(markdown(twoLists).components(separatedBy: "<ul>").count == 3)
    }

    @Test func blockQuotes() {
        #expect(convert("<blockquote><p>인용</p><p>둘째</p></blockquote>뒤") == "> 인용\n>\n> 둘째\n\n뒤\n")
        #expect(convert("<blockquote>바깥<blockquote>안</blockquote></blockquote>") == "> 바깥\n>\n> > 안\n")
        #expect(markdown(convert("<blockquote>a<ul><li>b</li></ul></blockquote>")) == "<blockquote>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n</blockquote>\n")
    }

    @Test func boldAndItalic() {
        #expect(convert("<b>굵게</b> <i>기울임</i> <strong>강하게</strong>과 <em>강조</em>") == "**굵게** *기울임* **강하게**과 *강조*\n")
        #expect(markdown(convert("<b>굵게</b>는 <i>기울임</i>")) == "<p><strong>굵게</strong>는 <em>기울임</em></p>\n")
        // White space goes outside the markers; empty or repeated styles go.
        #expect(convert("a<b> 굵게 </b>b") == "a **굵게** b\n")
        #expect(convert("<b></b><i> </i>a<b><b>b</b></b><b>c</b>") == "a**bc**\n")
        #expect(markdown(convert("<b>굵<i>게 기울</i>임</b>")) == "<p><strong>굵<em>게 기울</em>임</strong></p>\n")
        // Bold CommonMark cannot read (punctuation inside, a letter outside) is dropped, not
        // left as asterisks.
        #expect(convert("가<b>\"인용\"</b>나") == "가\"인용\"나\n")
        // Markers next to each other are read as the pairs they are.
        #expect(markdown(convert("<b>x</b><i>y</i><b>z</b>")) == "<p><strong>x</strong><em>y</em><strong>z</strong></p>\n")
        #expect(markdown(convert("<i>a<b>b</b></i>c")) == "<p><em>a<strong>b</strong></em>c</p>\n")
        // A paragraph of many pairs that cannot be read stops trying, and keeps its text.
        let many = String(repeating: "가<b>\"x\"</b>", count: HTMLToMarkdown.maxRereads + 1)
        #expect(convert(many) == String(repeating: "가\"x\"", count: HTMLToMarkdown.maxRereads + 1) + "\n")
        // Across a block boundary, each paragraph gets its own markers.
        #expect(convert("<b>가<div>나</div></b>") == "**가**\n\n**나**\n")
    }

    @Test func headings() {
        #expect(convert("<h1>제목</h1><h3>소제목 <b>굵게</b><br>둘째 줄</h3>본문") == "# 제목\n\n### 소제목 **굵게** 둘째 줄\n\n본문\n")
        #expect(markdown(convert("<h2>## 아님 #</h2>")) == "<h2>## 아님 #</h2>\n")
        #expect(convert("<h4> </h4>") == "")
    }

    @Test func preformattedAndCode() {
        let pre = "<pre>\nlet x = 1;  \n  *y* &lt;z&gt;\n\n\n\n```\n</pre>"
        #expect(convert(pre) == "````\nlet x = 1;\n  *y* <z>\n\n```\n````\n")
        #expect(markdown(convert(pre)) == "<pre><code>let x = 1;\n  *y* &lt;z&gt;\n\n```\n</code></pre>\n")
        #expect(convert("<pre><b>굵게</b><br>다음</pre>") == "```\n굵게\n다음\n```\n")
        #expect(convert("코드 <code>a  *b*</code> 와 <code>`틱`</code>") == "코드 `a *b*` 와 `` `틱` ``\n")
        #expect(markdown(convert("<code>`틱`</code>")) == "<p><code>`틱`</code></p>\n")
    }

    // MARK: Safety

    @Test func unsafeElementsGoWithTheirContent() {
        let html = """
            <p>앞</p><script>alert(1)</script><style>p { color: red }</style><iframe src="https://evil.example">프레임</iframe>
            <object data="x">객체</object><embed src="x"><form action="/x"><input value="입력"><button>버튼</button>
            <select><option>선택</option></select><textarea>글상자</textarea></form><svg><text>그림</text></svg>
            <math><mi>x</mi></math><template>틀</template><noscript>대체</noscript><p>뒤</p>
            """
        #expect(convert(html) == "앞\n\n뒤\n")
    }

    @Test func attributesAreNotRead() {
        #expect(convert("<img src=\"x.png\" onerror=\"alert(1)\" alt=\"그림\">") == "![그림](x.png)\n")
        #expect(convert("<p onclick=\"alert(1)\" style=\"color:red\" class=\"x\">글</p>") == "글\n")
        #expect(convert("<a href=\"/a\" onmouseover=\"alert(1)\" target=\"_blank\">링크</a>") == "[링크](/a)\n")
    }

    @Test func markdownInTextStaysText() {
        let text = "*not bold* _nor this_ [x](y) ![i](j) <b> &amp; `code` ~~del~~ a|b \\ # 끝!"
        let html = "<p>" + text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") + "</p>"
        let rendered = markdown(convert(html))
        #expect(rendered == "<p>*not bold* _nor this_ [x](y) ![i](j) &lt;b&gt; &amp;amp; `code` ~~del~~ a|b \\ # 끝!</p>\n")
        // Text that would start a block at the start of a line.
        for line in ["# 제목", "- 항목", "+ 항목", "* 항목", "1. 하나", "2) 둘", "> 인용", "---", "===", "```", "~~~", "    들여쓰기"] {
            let rendered = markdown(convert("<p>앞<br>\(line)</p>"))
            let expected = "<p>앞<br />\n\(line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ">", with: "&gt;"))</p>\n"
            #expect(rendered == expected, "\(line)")
        }
        // Readable where nothing needs escaping.
        #expect(convert("<p>정말요? 대박... ^^ ;; (웃음), 100% 1.5배 a-b = c</p>") == "정말요? 대박... ^^ ;; (웃음), 100% 1.5배 a-b = c\n")
    }

    /// The renderer links web addresses written in text, as in every post; escaping does not
    /// cut one short at its first escaped character.
    @Test func webAddressesInTextStayWhole() {
        let rendered = markdown(convert("<p>주소: https://example.com/a_b?c=1&amp;d=2 끝</p>"))
        #expect(rendered.contains("href=\"https://example.com/a_b?c=1&amp;d=2\">https://example.com/a_b?c=1&amp;d=2</a> 끝"))
    }

    @Test func koreanTextIsUnchanged() {
        let text = "가나다라 한글 자모 ㅋㅋㅋ ㅠㅠ 똠방각하 갸웃 뷁 — “따옴표” 「괄호」 ①②"
        #expect(convert("<p>\(text)</p>") == text + "\n")
        #expect(Array(convert("<p>\(text)</p>").unicodeScalars.dropLast()) == Array(text.unicodeScalars))
        // The scraper has decoded the page: a <meta charset> in it changes nothing.
        #expect(convert("<meta charset=\"euc-kr\"><p>\(text)</p>") == text + "\n")
    }

    @Test func brokenHTMLIsReadAsBrowsersDo() {
        #expect(convert("<p>하나<p>둘</b></p></p></div>셋") == "하나\n\n둘\n\n셋\n")
        #expect(convert("<ul><li>가<li>나</ul>") == "- 가\n- 나\n")
        #expect(convert("<b>닫히지 않은 <i>태그") == "**닫히지 않은 *태그***\n")
        #expect(convert("<p>3 < 4 &bogus; & 5</p></p><!-- 주석 --></span><p>끝") == "3 \\< 4 \\&bogus; \\& 5\n\n끝\n")
        // Deeper than the parser or this converter follows: the text up to there, no crash.
        let deep = String(repeating: "<div><i>", count: 60) + "깊이<br>다음" + String(repeating: "</i></div>", count: 60)
        #expect(convert(deep) == "*깊이\\\n다음*\n")
        let tooDeep = String(repeating: "<div>", count: 1000) + "깊이"
        #expect(convert("앞" + tooDeep).hasPrefix("앞"))
        let lists = String(repeating: "<ul><li>항목", count: 40)
        #expect(convert(lists).contains("항목"))
    }

    @Test func entitiesAreDecoded() {
        #expect(convert("<p>&amp; &lt; &gt; &quot; &#44397; &#xAD6D; &nbsp;x</p>") == "\\& \\< \\> \" 국 국 \u{A0}x\n")
        #expect(markdown(convert("<p>&amp;lt; &lt;b&gt;</p>")) == "<p>&amp;lt; &lt;b&gt;</p>\n")
    }

    /// A hostile page, through the site's own renderer: nothing of its scripts, handlers or
    /// dangerous URLs reaches the page.
    @Test func hostileHTMLRendersSafely() {
        let html = """
            <p onclick="alert(1)">안녕 <img src=x onerror=alert(1) alt="a"><svg onload=alert(1)></svg></p>
            <script>alert(1)</script><a href="javascript:alert(1)" onmouseover="alert(1)">클릭</a>
            <a href="JaVaScRiPt&colon;alert(1)">둘</a><img src="data:text/html,<script>alert(1)</script>">
            <iframe srcdoc="<script>alert(1)</script>"></iframe><body onload="alert(1)"><div style="x:expression(alert(1))">
            <a href=" java&#x09;script:alert(1)">셋</a><a href="vbscript:msgbox(1)">넷</a><IMG SRC="jav&#x0A;ascript:alert(1)">
            <style>@import "javascript:alert(1)"</style><math><a xlink:href="javascript:alert(1)">다섯</a></math>
            <object data="javascript:alert(1)"></object><embed src="javascript:alert(1)"><p>끝</p>
            <form action="javascript:alert(1)"><input type="image" src="javascript:alert(1)"></form>
            <a href="&#0;javascript:alert(1)">여섯</a><a href="&#x6A;&#x61;vascript:alert(1)">일곱</a>
            """
        let rendered = markdown(convert(html)).lowercased()
        #expect(!rendered.contains("<script"))
        #expect(!rendered.contains("javascript:"))
        #expect(!rendered.contains("vbscript:"))
        #expect(!rendered.contains("data:"))
        #expect(!rendered.contains("<iframe") && !rendered.contains("<svg") && !rendered.contains("<math"))
        #expect(rendered.range(of: #"<[^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil)
        #expect(!rendered.contains("style="))
        #expect(rendered.contains("클릭") && rendered.contains("셋") && rendered.contains("일곱") && rendered.contains("끝"))
    }

    /// Text that reads as an attack is shown as that text.
    @Test func hostileTextRendersAsText() {
        let html = "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1)) <b>**굵게**</b></p>"
        #expect(
            markdown(convert(html))
                == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1)) <strong>**굵게**</strong></p>\n")
    }

    // MARK: Properties

    /// Random text of Markdown punctuation, digits, letters and spaces, broken into lines with
    /// `<br>`, in a paragraph, quote or list item: the renderer shows exactly that text.
    @Test func anyTextRendersAsItself() {
        // Each piece as HTML and as the text it shows (a <br> as a newline).
        let pieces: [(html: String, text: String)] =
            ["\\", "`", "*", "_", "[", "]", "(", ")", ">", "#", "+", "-", ".", "!", "|", "~", "=", ":", "\"", "'", "1", "12", "a", "가",
                " ", "   ", "\u{A0}", "http://x.y/"].map { ($0, $0) }
            + [("&amp;", "&"), ("&lt;", "<"), ("&amp;amp;", "&amp;"), ("&amp;lt;", "&lt;"), ("<br>", "\n"), ("<br>", "\n")]
        let wrappers = [("<p>", "</p>"), ("<blockquote>", "</blockquote>"), ("<ul><li>", "</li></ul>"), ("<ol><li>", "</li></ol>")]
        var random = SplitMix(seed: 20_240_621)
        for _ in 0..<3000 {
            let chosen = (0..<Int.random(in: 1...10, using: &random)).map { _ in pieces.randomElement(using: &random)! }
            let (open, close) = wrappers.randomElement(using: &random)!
            let html = open + chosen.map(\.html).joined() + close
            let converted = convert(html)
            let rendered = markdown(converted)
            #expect(shownText(rendered) == expectedText(chosen.map(\.text).joined()), "\(html) → \(converted) → \(rendered)")
            expectWellFormed(converted)
        }
    }

    /// Random nesting of bold, italic, links and code around words with punctuation: no
    /// marker ever shows, and all text does.
    @Test func anyInlineMarkupRendersWithoutStrayMarkers() {
        var random = SplitMix(seed: 7)
        for _ in 0..<2000 {
            expectTextShown("<p>" + randomInline(depth: 0, using: &random) + "</p>")
        }
    }

    /// Random nesting of paragraphs, quotes, lists, headings, tables and code blocks.
    @Test func anyBlockStructureRendersWithoutStrayMarkers() {
        var random = SplitMix(seed: 11)
        for _ in 0..<1000 {
            expectTextShown(randomBlocks(depth: 0, using: &random))
        }
    }

    /// The text of `html` is all that its Markdown shows: no `*`, backslash, backtick, bracket,
    /// `#` or `>` (there are none in the text), every character of the text (white space
    /// aside), and well-formed Markdown.
    func expectTextShown(_ html: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let converted = convert(html)
        let shown = shownText(markdown(converted))
        #expect(!shown.contains { "*\\`[]#>".contains($0) }, "\(html) → \(converted) → \(shown)", sourceLocation: sourceLocation)
        #expect(
            shown.filter { !$0.isWhitespace } == shownText(html.replacingOccurrences(of: "<br>", with: "")).filter { !$0.isWhitespace },
            "\(html) → \(converted) → \(shown)", sourceLocation: sourceLocation)
        expectWellFormed(converted, sourceLocation: sourceLocation)
    }

    func randomBlocks(depth: Int, using random: inout SplitMix) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let inner = depth < 4 ? randomBlocks(depth: depth + 1, using: &random) : randomInline(depth: 2, using: &random)
            switch Int.random(in: 0..<11, using: &random) {
            case 0: out += "<p>" + randomInline(depth: 2, using: &random) + "</p>"
            case 1: out += "<div>" + inner + "</div>"
            case 2: out += "<blockquote>" + inner + "</blockquote>"
            case 3: out += "<ul><li>" + inner + "</li><li>" + randomInline(depth: 3, using: &random) + "</li></ul>"
            case 4: out += "<ol><li>" + randomInline(depth: 3, using: &random) + "</li><li>" + inner + "</li></ol>"
            case 5: out += "<h2>" + randomInline(depth: 3, using: &random) + "</h2>"
            case 6: out += "<pre>" + randomInline(depth: 3, using: &random) + "</pre>"
            case 7: out += "<table><tr><td>" + inner + "</td><td>" + randomInline(depth: 3, using: &random) + "</td></tr></table>"
            case 8: out += "<b>" + inner + "</b>"
            default: out += randomInline(depth: 2, using: &random)
            }
        }
        return out
    }

    func randomInline(depth: Int, using random: inout SplitMix) -> String {
        let words = ["가", "나다", "a", "\"", "(", ")", ".", "!", "?", "😀", "₩", "1.", " ", " ", "\u{A0}", "_", "&amp;"]
        var out = ""
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<(depth < 4 ? 10 : 4), using: &random) {
            case 0...2: out += words.randomElement(using: &random)!
            case 3: out += "<br>"
            case 4: out += "<b>" + randomInline(depth: depth + 1, using: &random) + "</b>"
            case 5: out += "<i>" + randomInline(depth: depth + 1, using: &random) + "</i>"
            case 6: out += "<a href=\"/x\">" + randomInline(depth: depth + 1, using: &random) + "</a>"
            case 7: out += "<code>" + words.randomElement(using: &random)! + "</code>"
            case 8: out += "<span>" + randomInline(depth: depth + 1, using: &random) + "</span>"
            default: out += "<strong><em>" + randomInline(depth: depth + 1, using: &random) + "</em></strong>"
            }
        }
        return out
    }

    /// Ends with one newline, no spaces at line ends, never two blank lines in a row.
    func expectWellFormed(_ markdown: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard !markdown.isEmpty else { return }
        #expect(markdown.hasSuffix("\n") && !markdown.hasSuffix("\n\n"), "\(markdown)", sourceLocation: sourceLocation)
        #expect(!markdown.contains(" \n") && !markdown.contains("\t\n"), "\(markdown)", sourceLocation: sourceLocation)
        #expect(!markdown.contains("\n\n\n") && !markdown.hasPrefix("\n"), "\(markdown)", sourceLocation: sourceLocation)
    }

    /// The text a browser shows of rendered HTML: tags removed, cmark's entities decoded,
    /// newlines around blocks trimmed.
    func shownText(_ html: String) -> String {
        var text = html.replacingOccurrences(of: #"<[^>]*>"#, with: "", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.trimmingCharacters(in: .newlines)
    }

    /// `text`'s lines, each with spaces collapsed, without empty lines at either end, nor at all
    /// if only no-break spaces are left.
    func expectedText(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if lines.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { return "" }
        return lines.joined(separator: "\n")
    }
}
