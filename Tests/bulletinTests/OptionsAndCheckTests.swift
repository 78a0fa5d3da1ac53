import BulletinTestSupport
import Foundation
import Testing

/// `--output`, `--base-url`, and `bulletin check`.
@Suite struct OptionsAndCheckTests {
    @Test func outputOptionWritesElsewhereAndNothingInTheSite() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = folder + "/deep/er/site"
        let result = try Binary.run(["build", "--source", site.root, "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasSuffix("→ \(output)\n"))
        #expect(OutputTree(output).isFile("free/101/index.html"))
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
        #expect(stagingLeftovers(beside: output).isEmpty)

        // A relative --output is relative to the current folder, not to --source.
        let relative = try Binary.run(["build", "--source", site.root, "--output", "built/site"], in: folder)
        #expect(relative.status == 0, "stderr: \(relative.stderr)")
        #expect(OutputTree(folder + "/built/site").differences(from: OutputTree(output)) == [])
        #expect(!FileManager.default.fileExists(atPath: site.root + "/built"))
    }

    @Test func baseURLOptionOverridesSiteYml() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try site.bulletin("build", "--base-url", "/other/")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let out = site.published
        let check = LinkCheck(tree: out, base: "/other/")
        #expect(check.broken == [])
        #expect(check.foreign == [])
        #expect(check.unreachable == [])
        let page = HTMLTokens(out.text("free/101/index.html") ?? "")
        #expect(page.urls.contains { $0.tag == "link" && $0.value == "/other/free/101/" })
        #expect(!page.urls.contains { $0.value.hasPrefix("/mirror/") || $0.value.contains("example.org") })
        // Without an absolute URL there is no Sitemap line and feed ids are not URLs.
        #expect(out.text("robots.txt") == "User-agent: *\nAllow: /\n")

        let absolute = try site.bulletin("build", "--base-url", "https://mirror.example.net/board/")
        #expect(absolute.status == 0, "stderr: \(absolute.stderr)")
        let moved = site.published
        #expect(LinkCheck(tree: moved, base: "/board/", baseURL: "https://mirror.example.net/board/").broken == [])
        #expect(HTMLTokens(moved.text("index.html") ?? "").urls.contains { $0.value == "https://mirror.example.net/board/" })
        #expect(moved.text("robots.txt")?.contains("Sitemap: https://mirror.example.net/board/sitemap.xml") == true)
        #expect(moved.text("feed.xml")?.contains("https://example.org") == false)
    }

    @Test func checkWritesNothing() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let before = OutputTree(site.root)
        let result = try site.bulletin("check")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "ok: 3 boards, 10 posts, 6 comments; 0 errors, 0 warnings\n")
        #expect(result.stderr.isEmpty)
        #expect(OutputTree(site.root).differences(from: before) == [])
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))

        // Also with a previous build in place.
        try #require(try site.bulletin("build", "--quiet").status == 0)
        let built = OutputTree(site.root)
        #expect(try site.bulletin("check", "--source", site.root).status == 0)
        #expect(OutputTree(site.root).differences(from: built) == [])
    }

    @Test func checkPrintsJSON() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        // Line 6 of site.yml: a key the format does not know is a warning.
        try site.write("site.yml", (site.read("site.yml") ?? "") + "colour: blue\n")
        let result = try Binary.run(["check", "--source", site.root, "--format", "json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == true)
        let diagnostics = try #require(json["diagnostics"] as? [[String: Any]])
        try #require(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostics[0]["severity"] as? String == "warning")
        #expect(diagnostics[0]["path"] as? String == site.root + "/site.yml")
        #expect(diagnostics[0]["line"] as? Int == 6)
        #expect(diagnostics[0]["column"] as? Int == 1)
        #expect((diagnostics[0]["message"] as? String)?.contains("colour") == true)

        // A broken post: ok is false, the error has its place, and the exit status is 1.
        try site.write("Content/free/102.md", "---\ntitle: 점심\n---\n본문\n")
        let broken = try site.bulletin("check", "--format", "json")
        #expect(broken.status == 1)
        let brokenJSON = try #require(try JSONSerialization.jsonObject(with: Data(broken.stdout.utf8)) as? [String: Any])
        #expect(brokenJSON["ok"] as? Bool == false)
        let errors = try #require(brokenJSON["diagnostics"] as? [[String: Any]]).filter { $0["severity"] as? String == "error" }
        try #require(errors.count == 1, "\(errors)")
        #expect(errors[0]["path"] as? String == "Content/free/102.md")
        #expect(errors[0]["line"] as? Int == 2)
        #expect(errors[0]["column"] as? Int == 1)
        #expect(errors[0]["message"] as? String == "the front matter needs a 'date'")
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
    }
}
