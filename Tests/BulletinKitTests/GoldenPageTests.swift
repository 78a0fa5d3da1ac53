// Golden pages: a small site built with the repository's default theme, compared byte for byte
// with the files in `Golden/` beside this file.
//
// After an intended change to the theme or the renderer, rewrite the golden files with
//
//     BULLETIN_UPDATE_GOLDEN=1 swift test --filter GoldenPageTests
//
// then read the diff of `Golden/` before committing it: it is the review of the change. A page
// taken out of `pages` leaves its golden file behind: `everyGoldenFileIsCompared` names it, and it
// is deleted by hand. The golden files are found from this file's path (`#filePath`), not as
// bundle resources.

import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

struct GoldenPageTests {
    /// Two boards, eight posts: a notice, a deleted post, a thread with replies and a deleted
    /// comment, Korean and English tags, three rows a page, and a base URL with a path prefix.
    static let fixture = #"""
        -- site.yml --
        title: 골든 <미러> & co
        description: 테스트용 "골든" 사이트
        base_url: https://example.org/mirror/
        per_page: 3
        best_threshold: 5
        -- Content/free/_board.yml --
        title: 자유게시판
        description: 아무 이야기나 <자유롭게>
        -- Content/free/101.md --
        ---
        title: "공지: 이용 안내"
        author: 운영자
        date: 2024-06-01T09:00:00+09:00
        views: 1000
        notice: true
        tags: [공지]
        ---
        게시판 **이용 안내**입니다.
        -- Content/free/102.md --
        ---
        title: 첫 글 <b>태그</b> & "따옴표"
        author: 고블린
        date: 2024-06-20T10:00:00+09:00
        views: 116
        recommends: 7
        tags: [Swift, 일상]
        ---
        본문에 <script>alert(1)</script> 가 있어도 **안전**합니다.

        [오래된 글](105.md) 과 https://example.com/a_b?x=1&y=2 를 보세요.

        ![사진](102/photo.png) [나쁜 링크](javascript:alert(1))
        -- Content/free/102/photo.png --
        not really a png
        -- Content/free/102.comments.yml --
        - id: 1
          author: 나그네
          date: 2024-06-20T10:05:00+09:00
          body: 첫 댓글 <img src=x onerror=alert(1)>
        - id: 2
          reply_to: 1
          author: 고블린
          date: 2024-06-20T10:06:00+09:00
          body: |
            답글입니다
            두 번째 줄
          recommends: 2
        - id: 3
          reply_to: 2
          date: 2024-06-20T10:07:00+09:00
          deleted: true
        - id: 4
          reply_to: 3
          author: "<b>굵은</b> 이름"
          date: 2024-06-20T10:08:00+09:00
          body: 지워진 댓글에 단 답글
        - id: 5
          date: 2024-06-20T11:30:00+09:00
          body: "다른 댓글 https://example.org/x."
        -- Content/free/103.md --
        ---
        title: 삭제된 글
        date: 2024-06-21T23:30:00Z
        deleted: true
        views: 3
        ---
        지워지기 전의 본문.
        -- Content/free/104.md --
        ---
        title: 추천 많은 글
        date: 2024-06-19T08:00:00+09:00
        recommends: 12
        comment_count: 10
        tags: [swift, 게임]
        ---
        추천을 많이 받았습니다.
        -- Content/free/104.comments.json --
        [{"id":1,"date":"2024-06-19T09:00:00+09:00","body":"좋아요"}]
        -- Content/free/105.md --
        ---
        title: 오래된 글
        date: 2024-05-31T23:59:59+09:00
        tags: [일상]
        source: https://board.example.com/free/105
        captured: 2024-06-22T10:00:00+09:00
        mood: 맑음
        ---
        오래된 글입니다.
        -- Content/free/106.md --
        ---
        title: "`코드`와 링크"
        date: 2024-06-21 12:00
        tags: ["C#/.NET"]
        ---
        `https://example.org/code` 는 링크가 아닙니다.
        -- Content/dev/_board.yml --
        title: 개발
        sort: date
        weight: 1
        -- Content/dev/7.md --
        ---
        title: Swift 6 동시성
        date: 2024-06-21T09:00:00+09:00
        recommends: 5
        tags: [swift, concurrency]
        ---
        `Sendable` 이야기.
        -- Content/dev/8.md --
        ---
        title: English post
        author: Alice & Bob
        date: 2024-06-21 10:30
        tags: [English, 일상]
        ---
        Hello, *world*.
        """#

    /// The pages compared, by path in the site.
    static let pages = [
        "index.html",
        "free/index.html",
        "free/page/2/index.html",
        "free/best/index.html",
        "free/102/index.html",
        "free/103/index.html",
        "free/105/index.html",
        "dev/index.html",
        "tags/index.html",
        "tags/swift/index.html",
        "archive/index.html",
        "archive/2024/06/21/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
    ]

    static let update = ProcessInfo.processInfo.environment["BULLETIN_UPDATE_GOLDEN"] == "1"

    static var goldenFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    }

    struct Build: Sendable {
        var output: MemoryOutput
        var report: SiteBuilder.Report
    }

    /// The fixture built once for all the tests of this suite.
    static let built: Result<Build, any Error> = Result(catching: {
        let fixture = try FixtureSite(GoldenPageTests.fixture)
        defer { fixture.remove() }
        let builder = SiteBuilder(options: .init(source: fixture.root, sourceDisplay: ".", jobs: 2))
        let (site, engine, diagnostics) = builder.check()
        guard let site, let engine else { throw LoadFailure(diagnostics: diagnostics) }
        let output = MemoryOutput()
        var report = try builder.write(site: site, engine: engine, to: output)
        report.diagnostics = diagnostics + report.diagnostics
        return Build(output: output, report: report)
    })

    struct LoadFailure: Error, CustomStringConvertible {
        var diagnostics: [Diagnostic]
        var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    @Test func fixtureBuildsWithoutDiagnostics() throws {
        let build = try Self.built.get()
        #expect(build.report.diagnostics.isEmpty, "\(build.report.diagnostics)")
        #expect(build.report.posts == 8)
        #expect(build.report.comments == 6)
        #expect(build.output.files["_files/free/102/photo.png"] == Array("not really a png\n".utf8))
    }

    @Test(arguments: pages)
    func pageMatchesGolden(_ path: String) throws {
        let build = try Self.built.get()
        let actual = try #require(build.output.files[path], "\(path) was not written")
        let goldenPath = Self.goldenFolder + "/" + path
        if Self.update {
            let folder = (goldenPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(actual).write(to: URL(fileURLWithPath: goldenPath))
            return
        }
        let expected = try #require(
            FileManager.default.contents(atPath: goldenPath), "no golden file \(goldenPath); run with BULLETIN_UPDATE_GOLDEN=1")
        if [UInt8](expected) != actual {
            Issue.record("\(path) differs from its golden file:\n\(Self.firstDifference(Array(expected), actual))")
        }
    }

    @Test func everyGoldenFileIsCompared() throws {
        guard !Self.update else { return }
        let walker = try #require(FileManager.default.enumerator(atPath: Self.goldenFolder))
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: Self.goldenFolder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        #expect(files.sorted() == Self.pages.sorted())
    }

    /// The first differing line of two texts, with its number, for a readable failure.
    static func firstDifference(_ expected: [UInt8], _ actual: [UInt8]) -> String {
        let a = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let b = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : "<end of file>"
            let y = i < b.count ? String(b[i]) : "<end of file>"
            if x != y { return "line \(i + 1)\n  golden: \(x)\n  actual: \(y)" }
        }
        return "same lines, different bytes"
    }
}
