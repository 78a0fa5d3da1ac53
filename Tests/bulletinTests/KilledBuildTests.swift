import BulletinTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A build killed while it writes leaves the published site as it was, and the next build
/// succeeds and cleans up after it.
@Suite struct KilledBuildTests {
    static let posts = 3000

    @Test func previousOutputSurvivesSIGKILL() throws {
        let site = try FixtureSite(
            """
            -- site.yml --
            title: 큰 게시판
            base_url: /
            -- Content/free/0.md --
            ---
            title: 처음 글
            date: 2019-12-31T12:00:00+09:00
            tags: [처음]
            ---
            첫 본문
            """)
        defer { site.remove() }
        let output = site.root + "/public"
        let first = try site.bulletin("build", "--quiet")
        try #require(first.status == 0, "stderr: \(first.stderr)")
        let before = site.published
        try #require(before.isFile("free/0/index.html"))

        for n in 1...Self.posts {
            let month = 1 + n % 12
            let day = 1 + n % 28
            try site.write(
                "Content/free/\(n / 100)/\(n).md",
                "---\ntitle: 글 \(n)번\ndate: 2020-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) 12:00\ntags: [태그\(n % 30)]\n---\n본문 \(n)\n")
        }

        // Kill the build once its staging folder has files in it, that is, while it writes.
        let process = try Binary.start(["build", "--jobs", "1"], in: site.root)
        var staging: String?
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning && ContinuousClock.now < deadline {
            if let name = stagingLeftovers(beside: output).first(where: { $0.contains("staging") }),
                let entries = try? FileManager.default.contentsOfDirectory(atPath: site.root + "/" + name), !entries.isEmpty
            {
                staging = name
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(500)
        }
        process.waitUntilExit()
        try #require(staging != nil, "the build ended before it could be killed while writing; give it more posts")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)

        // The killed build left its staging folder, and nothing else changed.
        #expect(stagingLeftovers(beside: output) == [staging!])
        let after = site.published
        #expect(after.differences(from: before) == [])

        // The next build succeeds, removes the abandoned staging folder, and publishes everything.
        let again = try site.bulletin("build")
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect(again.stdout.hasPrefix("built \(Self.posts + 1) posts, 0 comments: "))
        #expect(stagingLeftovers(beside: output) == [])
        let published = site.published
        #expect(published.isFile("free/\(Self.posts)/index.html"))
        #expect(published.isFile("free/0/index.html"))
        #expect(published.isFile("free/page/151/index.html"))
        #expect(!published.isFile("free/page/152/index.html"))
    }

    /// A build killed between its two renames left the published site as `.public.bulletin-old-PID`
    /// and no `public/`, and its staging folder: the next build cleans both up and publishes.
    @Test func abandonedFoldersOfADeadBuildAreCleanedUp() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try #require(try site.bulletin("build", "--quiet").status == 0)
        let before = site.published
        // No process has this id (it is above any pid_max), so the build that left these is gone.
        let dead = 2_000_000_000
        try FileManager.default.moveItem(atPath: site.root + "/public", toPath: site.root + "/.public.bulletin-old-\(dead)")
        try site.write(".public.bulletin-staging-\(dead)/free/index.html", "half written")

        let result = try site.bulletin("build", "--quiet")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
        #expect(site.published.differences(from: before) == [])
    }

    /// The same, when the next build fails on its content: the old site is put back all the same.
    @Test func siteLeftAsideIsPutBackEvenWhenTheNextBuildFails() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try #require(try site.bulletin("build", "--quiet").status == 0)
        let before = site.published
        let dead = 2_000_000_001
        try FileManager.default.moveItem(atPath: site.root + "/public", toPath: site.root + "/.public.bulletin-old-\(dead)")
        try site.write("Content/free/broken.md", "---\ntitle: [\n---\n")

        let result = try site.bulletin("build", "--quiet")
        #expect(result.status == 1)
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
        #expect(site.published.differences(from: before) == [])
    }

    /// Killed at any moment, from start-up to the swap and the removal of the old site, a build
    /// leaves the published folder complete: the old site or the new one, never a mixture or none.
    @Test func killedAtAnyMomentTheOutputIsTheOldSiteOrTheNewOne() throws {
        let site = try FixtureSite("-- site.yml --\ntitle: 큰 게시판\n")
        defer { site.remove() }
        for n in 1...300 { try site.write("Content/free/\(n).md", "---\ntitle: 옛 글 \(n)\ndate: 2024-06-01 12:00\n---\n본문\n") }
        try #require(try site.bulletin("build", "--quiet").status == 0)
        let old = site.published
        for n in 301...600 { try site.write("Content/free/\(n).md", "---\ntitle: 새 글 \(n)\ndate: 2024-06-02 12:00\n---\n본문\n") }
        // The new site, built elsewhere once, to compare with; its time spaces the kills out.
        let started = ContinuousClock.now
        try #require(try site.bulletin("build", "--quiet", "--output", "reference").status == 0)
        let duration = ContinuousClock.now - started
        let new = OutputTree(site.root + "/reference")
        try #require(new != old)

        try FileManager.default.copyItem(atPath: site.root + "/public", toPath: site.root + "/old-copy")
        var sawOld = false
        var sawNew = false
        // From at once until a build gets to publish: through loading, writing, the swap and the
        // removal of the old site, in steps of an eighth of a build.
        var delay = Duration.zero
        while !sawNew && delay < duration * 20 {
            defer { delay += duration / 8 }
            let process = try Binary.start(["build", "--quiet"], in: site.root)
            usleep(useconds_t(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = site.published
            let isOld = now.differences(from: old).isEmpty
            let isNew = now.differences(from: new).isEmpty
            #expect(isOld || isNew, "killed after \(delay), public/ is neither the old site nor the new one")
            sawOld = sawOld || isOld
            sawNew = sawNew || isNew
            if isNew {
                // Put the old site back, so that the next kill can interrupt a swap again.
                try FileManager.default.removeItem(atPath: site.root + "/public")
                try FileManager.default.copyItem(atPath: site.root + "/old-copy", toPath: site.root + "/public")
            }
        }
        #expect(sawOld, "no kill interrupted a build")
        #expect(sawNew, "no build got to publish before its kill")
        let final = try site.bulletin("build", "--quiet")
        #expect(final.status == 0)
        #expect(site.published.differences(from: new).isEmpty)
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
    }
}
