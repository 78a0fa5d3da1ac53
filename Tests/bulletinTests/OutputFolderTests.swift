import BulletinTestSupport
import Foundation
import Testing

/// The output folder is replaced as a whole, so Bulletin refuses folders it did not build and the
/// site's own folders.
@Suite struct OutputFolderTests {
    @Test func refusesAFolderThatIsNotABuiltSite() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let folder = try temporaryFolder("precious")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("do not delete\n".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        let before = OutputTree(folder)
        let result = try Binary.run(["build", "--source", site.root, "--output", folder])
        #expect(result.status == 1)
        #expect(
            diagnosticLines(result.stderr) == [
                "\(folder):1:1: error: \(folder) holds files that are not a built site (no index.html); refusing to replace it"
            ])
        #expect(OutputTree(folder).differences(from: before) == [])
        #expect(stagingLeftovers(beside: folder) == [])
    }

    @Test func refusesAFile() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try site.write("public", "a file\n")
        let result = try site.bulletin("build")
        #expect(result.status == 1)
        #expect(diagnosticLines(result.stderr) == ["./public:1:1: error: ./public exists and is not a folder"])
        #expect(site.read("public") == "a file\n")
    }

    @Test(arguments: [".", "Content", "Content/free/out", "Themes", "Themes/default/static", ".."])
    func refusesTheSiteItsOwnFolders(_ output: String) throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let before = OutputTree(site.root)
        let result = try site.bulletin("build", "--output", output)
        #expect(result.status == 1)
        let errors = diagnosticLines(result.stderr)
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(errors.first?.hasPrefix("\(output):1:1: error: ") == true, "\(errors)")
        #expect(OutputTree(site.root).differences(from: before) == [])
    }

    @Test func emptyFolderIsFine() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let folder = try temporaryFolder("empty")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Binary.run(["build", "--source", site.root, "--output", folder, "--quiet"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(OutputTree(folder).isFile("index.html"))
        #expect(stagingLeftovers(beside: folder) == [])
    }

    /// Files in the output that the site no longer has are gone after the next build.
    @Test func removedPostsDisappearFromTheOutput() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try #require(try site.bulletin("build", "--quiet").status == 0)
        try site.write("public/stray.txt", "left by hand\n")
        try site.write("public/free/106/notes.txt", "left by hand, deeper\n")
        try site.delete("Content/free/105.md")
        try #require(try site.bulletin("build", "--quiet").status == 0)
        let out = site.published
        #expect(!out.isFile("free/105/index.html"))
        #expect(out.entries["free/105"] == nil)
        #expect(!out.isFile("stray.txt"))
        #expect(!out.isFile("free/106/notes.txt"))
        #expect(out.isFile("free/106/index.html"))
    }
}

extension OutputFolderTests {
    /// `public` linked to the folder a web server serves: the link stays, and the folder it points
    /// to gets the new site.
    @Test func symbolicLinkOutputIsWrittenThrough() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let served = try temporaryFolder("served")
        defer { try? FileManager.default.removeItem(atPath: served) }
        try #require(try Binary.run(["build", "--source", site.root, "--output", served + "/site", "--quiet"]).status == 0)
        try site.symlink("public", to: served + "/site")
        try site.write("Content/free/102.md", "---\ntitle: 오늘 저녁 뭐 먹지\ndate: 2024-06-22T12:00:00+09:00\n---\n새 본문\n")

        let result = try site.bulletin("build", "--quiet")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: site.root + "/public") == served + "/site")
        #expect(HTMLTokens(OutputTree(served + "/site").text("free/102/index.html") ?? "").text.contains("오늘 저녁 뭐 먹지"))
        #expect(stagingLeftovers(beside: served + "/site") == [])
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
    }
}
