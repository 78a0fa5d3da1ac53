import BulletinKit
import BulletinTestSupport
import Testing

/// `unsafe_html: true` keeps raw HTML for trusted snapshots; the default omits it.
struct UnsafeHTMLOptionTests {
    static let markdown = "<b>굵게</b> [링크](javascript:alert(1))\n\n<div class=\"x\">블록</div>\n"

    @Test func rawHTMLIsOmittedByDefault() {
        var links = RecordingResolver()
        let html = Markdown.html(Self.markdown, links: &links)
        #expect(!html.contains("<b>") && !html.contains("<div"))
        #expect(html.contains("<!-- raw HTML omitted -->"))
        #expect(!html.contains("javascript:"))
    }

    @Test func rawHTMLIsKeptWhenTheSiteTrustsItsContentButLinksAreStillFiltered() {
        var links = RecordingResolver()
        let html = Markdown.html(Self.markdown, options: Markdown.Options(unsafeHTML: true), links: &links)
        #expect(html.contains("<b>굵게</b>"))
        #expect(html.contains("<div class=\"x\">블록</div>"))
        #expect(!html.contains("javascript:"), "Markdown links are filtered whatever the setting")
    }

    @Test func siteSettingIsReadAndDefaultsToOff() throws {
        let off = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"]))
        #expect(off.site?.config.unsafeHTML == false)
        let on = try loadFixture("-- site.yml --\ntitle: 테스트\nunsafe_html: true\n-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"]))
        #expect(on.site?.config.unsafeHTML == true)
    }
}
