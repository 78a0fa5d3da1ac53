import BulletinKit
import Foundation
import Testing

/// One function per output context, each tested on what could break out of it.
struct EscapeContextTests {
    @Test func htmlTextEscapesMarkup() {
        #expect(Escape.html("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(Escape.html("한글 그대로") == "한글 그대로")
    }

    @Test func attributeValuesCannotEndTheAttribute() {
        let value = Escape.attribute("\" onmouseover=\"alert(1)' x='")
        #expect(!value.contains("\"") && !value.contains("'"))
        #expect(value == "&quot; onmouseover=&quot;alert(1)&#39; x=&#39;")
    }

    @Test(arguments: [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
        "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "\u{0}javascript:alert(1)",
    ])
    func urlRefusesDangerousSchemes(_ url: String) {
        #expect(Escape.url(url) == nil)
    }

    @Test func urlKeepsWebLinksAndEncodesWhatCannotStandInOne() {
        #expect(Escape.url("https://example.org/a?b=1#c") == "https://example.org/a?b=1#c")
        #expect(Escape.url("mailto:someone@example.org") == "mailto:someone@example.org")
        #expect(Escape.url("https://ko.wikipedia.org/wiki/한국어") == "https://ko.wikipedia.org/wiki/%ED%95%9C%EA%B5%AD%EC%96%B4")
        #expect(Escape.url("https://x.example/\"><script>") == "https://x.example/%22%3E%3Cscript%3E")
        #expect(Escape.url("../file name.png") == "../file%20name.png")
        #expect(Escape.url("https://x.example/%41") == "https://x.example/%41")
        // An entity is not decoded here: once escaped for the attribute it stays a relative path.
        let relative = try? #require(Escape.url("javascript&colon;alert(1)"))
        #expect(relative.map(Escape.attribute) == "javascript&amp;colon;alert(1)")
    }

    @Test func xmlDropsCharactersXMLForbidsAndEscapesMarkup() {
        #expect(Escape.xml("a\u{0}b\u{1B}c<d>&\u{FFFE}") == "abc&lt;d&gt;&amp;")
        #expect(Escape.xml("줄\n바꿈\t") == "줄\n바꿈\t")
    }

    @Test func jsonIsALiteralThatCannotEndAScriptElement() throws {
        let tricky = "</script><script>alert(1)</script> \"인용\" \\ \n\u{2028}\u{2029}\u{1} & '"
        let literal = Escape.json(tricky)
        #expect(!literal.contains("<") && !literal.contains(">") && !literal.contains("&") && !literal.contains("'"))
        #expect(!literal.contains("\u{2028}") && !literal.contains("\n"))
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(decoded == [tricky])
    }
}
