import BulletinTestSupport
import Foundation
import Testing

@testable import BulletinServer

/// Edits while the server runs: the served pages change and open pages are told to reload.
@Suite(.serialized) struct LiveReloadTests {
    /// Makes a change and waits for the `reload` event it causes.
    private func change(_ server: RunningServer, _ events: EventStreamClient, _ edit: () throws -> Void) async throws {
        let before = events.events.count
        try edit()
        _ = try await events.next("reload", from: before)
    }

    @Test func editingAddingAndDeletingPostsReloadsPages() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()
        let before = try await server.get("/free/102/")
        #expect(before.text.contains("둘째 글의 본문"))

        try await change(server, events) {
            try fixture.save("Content/free/102.md", "---\ntitle: 고친 둘째 글\ndate: 2024-06-22T09:00:00+09:00\n---\n새 본문\n")
        }
        let after = try await server.get("/free/102/")
        #expect(after.text.contains("새 본문"))
        #expect(after.text.contains("고친 둘째 글"))
        #expect(after.header("etag") != before.header("etag"))
        #expect(try await server.get("/free/102/", headers: ["If-None-Match": before.header("etag")!]).status == 200)
        #expect(try await server.get("/free/").text.contains("고친 둘째 글"))

        try await change(server, events) {
            try fixture.save("Content/free/103.md", "---\ntitle: 새 글\ndate: 2024-06-23T09:00:00+09:00\n---\n셋째\n")
        }
        #expect(try await server.get("/free/103/").status == 200)
        #expect(try await server.get("/free/").text.contains("새 글"))

        try await change(server, events) { try fixture.delete("Content/free/103.md") }
        #expect(try await server.get("/free/103/").status == 404)
        #expect(!(try await server.get("/free/").text.contains("새 글")))
        #expect(!fixture.topLevelNames().contains("public"))
    }

    @Test func foldersCreatedLaterAreWatched() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()

        try await change(server, events) {
            try fixture.save("Content/free/2024/06/104.md", "---\ntitle: 깊은 글\ndate: 2024-06-24T09:00:00+09:00\n---\n깊은 곳\n")
        }
        #expect(try await server.get("/free/104/").text.contains("깊은 곳"))
        // The new folder is watched now: an edit inside it is seen.
        try await change(server, events) {
            try fixture.save("Content/free/2024/06/104.md", "---\ntitle: 깊은 글\ndate: 2024-06-24T09:00:00+09:00\n---\n더 깊은 곳\n")
        }
        #expect(try await server.get("/free/104/").text.contains("더 깊은 곳"))

        try await change(server, events) {
            try fixture.save("Content/news/1.md", "---\ntitle: 새 게시판의 글\ndate: 2024-06-25T09:00:00+09:00\n---\n소식\n")
        }
        // Making the folder and writing the file are two changes: on a busy machine they can come
        // further apart than the quiet period, and the first rebuild sees an empty board.
        var status = try await server.get("/news/1/").status
        for _ in 0..<100 where status != 200 {
            try await Task.sleep(for: .milliseconds(50))
            status = try await server.get("/news/1/").status
        }
        #expect(status == 200)
        try await change(server, events) { try fixture.delete("Content/news") }
        #expect(try await server.get("/news/1/").status == 404)
    }

    @Test func unchangedFilesKeepTheirValidators() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()
        let css = try await server.get("/css/bulletin.css")
        let etag = try #require(css.header("etag"))
        try await change(server, events) {
            try fixture.save("Content/free/102.md", "---\ntitle: 둘째 글\ndate: 2024-06-22T09:00:00+09:00\n---\n바뀐 본문\n")
        }
        #expect(try await server.get("/css/bulletin.css", headers: ["If-None-Match": etag]).status == 304)
    }

    @Test func editingCommentsAndTemplatesReloadsPages() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()

        try await change(server, events) {
            try fixture.save(
                "Content/free/101.comments.yml",
                "- id: 1\n  date: 2024-06-21T14:50:02+09:00\n  body: 첫 댓글\n- id: 2\n  reply_to: 1\n  date: 2024-06-21T14:51:00+09:00\n  body: 새로 단 답글\n")
        }
        #expect(try await server.get("/free/101/").text.contains("새로 단 답글"))

        try await change(server, events) { try fixture.save("Content/free/102.comments.json", #"[{"id": 1, "date": "2024-06-22T10:00:00+09:00", "body": "JSON 댓글"}]"#) }
        #expect(try await server.get("/free/102/").text.contains("JSON 댓글"))

        try await change(server, events) { try fixture.delete("Content/free/101.comments.yml") }
        #expect(!(try await server.get("/free/101/").text.contains("첫 댓글")))

        let template = try #require(fixture.read("Themes/default/templates/404.mustache"))
        try await change(server, events) { try fixture.save("Themes/default/templates/404.mustache", template.replacingOccurrences(of: "</section>", with: "<p>템플릿 바뀜</p></section>")) }
        let notFound = try await server.get("/nothing/")
        #expect(notFound.status == 404)
        #expect(notFound.text.contains("템플릿 바뀜"))

        // site.yml: a new title everywhere, and a new base path to serve below.
        try await change(server, events) { try fixture.save("site.yml", "title: 새 사이트 이름\nbase_url: /mirror/\n") }
        #expect(try await server.get("/mirror/").text.contains("새 사이트 이름"))
        #expect(try await server.get("/").header("location") == "/mirror/")
    }

    @Test func aBrokenEditKeepsTheLastGoodSiteAndReportsIt() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()
        let good = try await server.get("/free/101/")

        let before = events.events.count
        try fixture.save("Content/free/101.md", "---\ntitle: [고장\ndate: 2024-06-21T14:47:47+09:00\n---\n고장 난 본문\n")
        let failure = try await events.next("build-error", from: before)
        #expect(failure.event.data.contains("101.md:3:"))

        let stale = try await server.get("/free/101/")
        #expect(stale.status == 200)
        #expect(stale.text.contains("첫 글의 본문"))
        #expect(!stale.text.contains("고장 난 본문"))
        #expect(stale.text.contains("id=\"bulletin-overlay\""))
        #expect(stale.text.contains("/__bulletin/overlay.css"))
        #expect(stale.text.contains("101.md:3:"))
        #expect(stale.header("etag") != good.header("etag"))
        #expect(server.log.all.contains { $0.contains("101.md:3:") && $0.contains("error") })
        #expect(server.log.all.contains { $0.contains("still serving the last good site") })
        // A page opened now learns of the failure too.
        let late = try await server.events()
        #expect(late.events[0].data.contains("101.md:3:"))

        // A broken template as well.
        try fixture.save("Themes/default/templates/post.mustache", "{{#post}}unclosed")
        _ = try await events.next("build-error", from: failure.index + 1)
        #expect(try await server.get("/free/101/").text.contains("첫 글의 본문"))

        let fixed = events.events.count
        try fixture.save("Content/free/101.md", "---\ntitle: 고친 글\ndate: 2024-06-21T14:47:47+09:00\n---\n고친 본문\n")
        try fixture.save("Themes/default/templates/post.mustache", try #require(FixtureSite.readRepository("Themes/default/templates/post.mustache")))
        _ = try await events.next("reload", from: fixed)
        let page = try await server.get("/free/101/")
        #expect(page.text.contains("고친 본문"))
        #expect(!page.text.contains("bulletin-overlay"))
    }

    @Test func undoingABrokenEditClearsTheOverlay() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()
        let original = try #require(fixture.read("Content/free/102.md"))
        let before = events.events.count
        try fixture.save("Content/free/102.md", "---\ntitle: [고장\n---\n")
        _ = try await events.next("build-error", from: before)
        #expect(try await server.get("/free/102/").text.contains("bulletin-overlay"))
        // Back to the very bytes of the last good build: no page changes, but the overlay goes.
        let undone = events.events.count
        try fixture.save("Content/free/102.md", original)
        _ = try await events.next("reload", from: undone)
        #expect(!(try await server.get("/free/102/").text.contains("bulletin-overlay")))
    }

    @Test func savingAFileUnchangedReloadsNothing() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture)
        defer { Task { await server.stop() } }
        let events = try await server.events()
        let original = try #require(fixture.read("Content/free/102.md"))
        let before = events.events.count
        try fixture.save("Content/free/102.md", original)
        // Well past the quiet period and a rebuild of this small site.
        try await Task.sleep(for: .milliseconds(500))
        #expect(!events.events[before...].contains { $0.name == "reload" })
        // The watcher is still listening: a real change reloads.
        let changed = events.events.count
        try fixture.save("Content/free/102.md", original + "\n추가\n")
        _ = try await events.next("reload", from: changed)
    }

    @Test func shutdownEndsOpenEventStreams() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site())
        let events = try await server.events()
        #expect(await server.server.store.listenerCount == 1)
        await server.stop()
        let deadline = ContinuousClock.now + .seconds(30)
        while !events.isEnded && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(events.isEnded)
    }
}

extension FixtureSite {
    static func readRepository(_ path: String) -> String? {
        FileManager.default.contents(atPath: repository + "/" + path).map { String(decoding: $0, as: UTF8.self) }
    }
}
