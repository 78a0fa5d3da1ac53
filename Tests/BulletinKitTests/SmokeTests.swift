import BulletinKit
import BulletinTestSupport
import Testing

@Test func buildsAFixtureSiteInMemory() throws {
    let fixture = try FixtureSite(
        """
        -- site.yml --
        title: 테스트
        -- Content/free/1.md --
        ---
        title: 첫 글
        date: 2024-06-21T14:47:47+09:00
        ---
        본문
        """)
    defer { fixture.remove() }
    let builder = SiteBuilder(options: .init(source: fixture.root))
    let (site, engine, diagnostics) = builder.check()
    #expect(!diagnostics.hasErrors)
    let output = MemoryOutput()
    _ = try builder.write(site: try #require(site), engine: try #require(engine), to: output)
    let page = try #require(output.text("free/1/index.html"))
    #expect(page.contains("첫 글"))
}
