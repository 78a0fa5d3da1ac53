import BulletinTestSupport
import Foundation
import Testing

@testable import BulletinServer

/// The preview server as a static host, over a real socket.
@Suite(.serialized) struct StaticHostTests {
    @Test func servesPagesWithTypesAndInjectedScript() async throws {
        let fixture = try PreviewFixture.site()
        let server = try await RunningServer.start(fixture, watch: false)
        defer { Task { await server.stop() } }
        #expect(server.url.hasSuffix("/"))

        let home = try await server.get("/")
        #expect(home.status == 200)
        #expect(home.header("content-type") == "text/html; charset=utf-8")
        #expect(home.header("content-length") == String(home.body.count))
        #expect(home.text.contains("첫 글"))
        #expect(home.text.contains("<script src=\"/__bulletin/reload.js\" defer></script></body>"))
        #expect(!home.text.contains("bulletin-overlay"))

        for (path, type) in [
            ("/feed.xml", "application/xml; charset=utf-8"), ("/sitemap.xml", "application/xml; charset=utf-8"),
            ("/robots.txt", "text/plain; charset=utf-8"), ("/css/bulletin.css", "text/css; charset=utf-8"),
            ("/__bulletin/reload.js", "text/javascript; charset=utf-8"), ("/__bulletin/overlay.css", "text/css; charset=utf-8"),
        ] {
            let response = try await server.get(path)
            #expect(response.status == 200, "\(path)")
            #expect(response.header("content-type") == type, "\(path)")
        }
        let feed = try await server.get("/feed.xml")
        #expect(!feed.text.contains("reload.js"))
        let script = try await server.get("/__bulletin/reload.js")
        #expect(script.text.contains("new EventSource(\"/__bulletin/events\")"))
        #expect(!fixture.topLevelNames().contains("public"))
    }

    @Test func redirectsFoldersAndServesTheirIndex() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let redirect = try await server.get("/free/101?x=1")
        #expect(redirect.status == 301)
        #expect(redirect.header("location") == "/free/101/?x=1")
        let post = try await server.get("/free/101/")
        #expect(post.status == 200)
        #expect(post.text.contains("첫 글의 본문"))
        let index = try await server.get("/free/101/index.html")
        #expect(index.body == post.body)
        // A file asked for as a folder, and a folder without an index.
        #expect(try await server.get("/robots.txt/").status == 404)
        #expect(try await server.get("/_files/").status == 404)
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let get = try await server.get("/free/")
        let head = try await server.get("/free/", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("content-length") == String(get.body.count))
        #expect(head.header("etag") == get.header("etag"))
        #expect(head.header("content-type") == get.header("content-type"))
        #expect(try await server.get("/free/", method: "POST").status == 405)
    }

    @Test func conditionalRequestsGet304() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let page = try await server.get("/free/102/")
        let etag = try #require(page.header("etag"))
        let modified = try #require(page.header("last-modified"))
        #expect(try await server.get("/free/102/", headers: ["If-None-Match": etag]).status == 304)
        #expect(try await server.get("/free/102/", headers: ["If-None-Match": "W/\"other\""]).status == 200)
        #expect(try await server.get("/free/102/", headers: ["If-Modified-Since": modified]).status == 304)
        #expect(try await server.get("/free/102/", headers: ["If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"]).status == 200)
    }

    @Test func rangeRequests() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let whole = try await server.get("/_files/free/101/photo.txt")
        #expect(whole.text == "0123456789abcdefghijklmnopqrstuvwxyz\n")
        #expect(whole.header("accept-ranges") == "bytes")
        let size = whole.body.count

        let first = try await server.get("/_files/free/101/photo.txt", headers: ["Range": "bytes=0-9"])
        #expect(first.status == 206)
        #expect(first.text == "0123456789")
        #expect(first.header("content-range") == "bytes 0-9/\(size)")

        let suffix = try await server.get("/_files/free/101/photo.txt", headers: ["Range": "bytes=-4"])
        #expect(suffix.status == 206)
        #expect(suffix.text == "xyz\n")
        #expect(suffix.header("content-range") == "bytes \(size - 4)-\(size - 1)/\(size)")

        let open = try await server.get("/_files/free/101/photo.txt", headers: ["Range": "bytes=30-"])
        #expect(open.text == "uvwxyz\n")

        let outside = try await server.get("/_files/free/101/photo.txt", headers: ["Range": "bytes=1000-"])
        #expect(outside.status == 416)
        #expect(outside.header("content-range") == "bytes */\(size)")

        let several = try await server.get("/_files/free/101/photo.txt", headers: ["Range": "bytes=0-1,4-5"])
        #expect(several.status == 200)
        #expect(several.body == whole.body)

        // A range of an HTML page counts the injected script.
        let page = try await server.get("/")
        let tail = try await server.get("/", headers: ["Range": "bytes=-20"])
        #expect(tail.status == 206)
        #expect(tail.body == Array(page.body.suffix(20)))
    }

    @Test func missingPagesGetTheSites404Page() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let notFound = try await server.get("/free/999/")
        #expect(notFound.status == 404)
        #expect(notFound.header("content-type") == "text/html; charset=utf-8")
        let page404 = try #require(fixture404(await server.get("/404.html")))
        #expect(notFound.text == page404)
        #expect(notFound.text.contains("reload.js"))
        let head = try await server.get("/nothing", method: "HEAD")
        #expect(head.status == 404)
        #expect(head.body.isEmpty)
    }

    private func fixture404(_ response: RawResponse) -> String? {
        response.status == 200 ? response.text : nil
    }

    @Test func koreanPathsAreDecodedAndNormalised() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(), watch: false)
        defer { Task { await server.stop() } }
        let tag = try await server.get("/tags/%EA%B2%8C%EC%9E%84/")
        #expect(tag.status == 200)
        #expect(tag.text.contains("첫 글"))
        let decomposed = "게임".decomposedStringWithCanonicalMapping.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined()
        let nfd = try await server.get("/tags/\(decomposed)/")
        #expect(nfd.status == 200)
        #expect(nfd.body == tag.body)
        let redirect = try await server.get("/tags/%EA%B2%8C%EC%9E%84")
        #expect(redirect.status == 301)
        #expect(redirect.header("location") == "/tags/%EA%B2%8C%EC%9E%84/")
        // A name with ".." inside is a name, not a way out.
        let tags = try await server.get("/tags/")
        #expect(tags.text.contains("href=\"/tags/wait..what/\""))
        let dotted = try await server.get("/tags/wait..what/")
        #expect(dotted.status == 200)
        #expect(dotted.text.contains("첫 글"))
        // Raw UTF-8 in the request line is not HTTP (browsers percent-encode): NIO's parser refuses it.
        #expect(try await server.get("/tags/게임/").status == 400)
    }

    @Test func servesTheSiteBelowBaseURLsPath() async throws {
        let server = try await RunningServer.start(try PreviewFixture.site(baseURL: "https://example.org/mirror/"), watch: false)
        defer { Task { await server.stop() } }
        #expect(server.url.hasSuffix("/mirror/"))
        let root = try await server.get("/")
        #expect(root.status == 301)
        #expect(root.header("location") == "/mirror/")
        let bare = try await server.get("/mirror")
        #expect(bare.status == 301)
        #expect(bare.header("location") == "/mirror/")
        let home = try await server.get("/mirror/")
        #expect(home.status == 200)
        #expect(home.text.contains("href=\"/mirror/free/\""))
        let board = try await server.get("/mirror/free")
        #expect(board.status == 301)
        #expect(board.header("location") == "/mirror/free/")
        #expect(try await server.get("/mirror/free/101/").status == 200)
        #expect(try await server.get("/mirror/css/bulletin.css").status == 200)
        let outside = try await server.get("/free/")
        #expect(outside.status == 404)
        #expect(outside.text.contains("reload.js"))
        #expect(try await server.get("/mirrorx/").status == 404)
        #expect(try await server.get("/__bulletin/reload.js").status == 200)
    }

    @Test func refusesEveryWayOutOfTheSite() async throws {
        let fixture = try PreviewFixture.site()
        try fixture.write("secret.txt", "TOP-SECRET")
        let server = try await RunningServer.start(fixture, watch: false)
        defer { Task { await server.stop() } }
        let attempts = [
            "/../secret.txt", "/free/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/etc/passwd", "/free/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt", "/free%2f..%2f..%2fsecret.txt", "/%5c..%5csecret.txt", "/..\\secret.txt", "//etc/passwd",
            "/etc/passwd", "/free/%00", "/site.yml", "/Content/free/101.md", "/secret.txt", "/%2fetc%2fpasswd",
            "/_files/../secret.txt", "/_files/%2e%2e/%2e%2e/secret.txt", "/..", "/.", "/free/..",
        ]
        for target in attempts {
            let response = try await server.get(target)
            #expect([400, 404].contains(response.status), "\(target): \(response.status)")
            #expect(!response.text.contains("TOP-SECRET"), "\(target)")
            #expect(!response.text.contains("root:x:0:0"), "\(target)")
        }
    }
}
