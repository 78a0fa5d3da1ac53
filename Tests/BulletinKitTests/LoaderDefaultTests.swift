import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// What the loader fills in when the content leaves a key out.
struct LoaderDefaultTests {
    @Test func siteDefaults() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00"]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let config = try #require(result.site?.config)
        #expect(config.title == "테스트")
        #expect(config.description == "")
        #expect(config.baseURL == "/")
        #expect(config.basePath == "/")
        #expect(config.language == "ko")
        #expect(config.timeZone.identifier == "Asia/Seoul")
        #expect(config.theme == "default")
        #expect(config.perPage == 20)
        #expect(config.bestThreshold == 10)
        #expect(config.anonymous == "익명")
        #expect(config.output == "public")
    }

    @Test func siteSettingsAreRead() throws {
        let result = try loadFixture(
            """
            -- site.yml --
            title: 미러
            description: 설명
            base_url: https://example.org/mirror
            language: en-US
            timezone: UTC
            per_page: 7
            best_threshold: 0
            anonymous: ㅇㅇ
            output: out/site
            -- Content/free/1.md --
            ---
            title: 글
            date: 2024-06-21T14:47:47
            ---
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let config = try #require(result.site?.config)
        #expect(config.baseURL == "https://example.org/mirror/")
        #expect(config.basePath == "/mirror/")
        #expect(config.language == "en-US")
        #expect(config.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_718_948_867)) == 0)
        #expect(config.perPage == 7)
        #expect(config.bestThreshold == 0)
        #expect(config.anonymous == "ㅇㅇ")
        #expect(config.output == "out/site")
        // No offset: the site's zone, here UTC.
        #expect(result.post("free", "1")?.date == instantUTC(2024, 6, 21, 14, 47, 47))
    }

    @Test func badSiteSettingsAreErrorsAtTheirValues() throws {
        let result = try loadFixture(
            """
            -- site.yml --
            title: 미러
            base_url: example.org
            timezone: Asia/Nowhere
            per_page: 0
            output: ../elsewhere
            theme: ../other
            language: 한국어
            -- Content/free/1.md --
            ---
            title: 글
            date: 2024-06-21T14:47:47
            ---
            """)
        #expect(
            result.errors == [
                "site.yml:2:11: error: 'base_url' must start with http://, https:// or /",
                "site.yml:3:11: error: unknown time zone 'Asia/Nowhere' (use an IANA name such as 'Asia/Seoul')",
                "site.yml:4:11: error: 'per_page' must be at least 1",
                "site.yml:5:9: error: 'output' must be a folder inside the site's folder, such as 'public'",
                "site.yml:6:8: error: 'theme' must be a folder name under Themes/",
                "site.yml:7:11: error: 'language' must be a language tag such as 'ko' or 'en-US'",
            ])
    }

    @Test(arguments: ["https://example.org/?page=1", "/mirror/#top", "/my mirror/", "https://example.org/\"x"])
    func baseURLWithQueryFragmentOrQuotesIsAnError(_ url: String) throws {
        let result = try loadFixture(
            "-- site.yml --\ntitle: 미러\nbase_url: '\(url)'\n-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"]))
        expectOne(result.errors, "site.yml:2:11: error:", containing: "'base_url' must be a URL or a path")
    }

    @Test func baseURLIsOverriddenFromTheCommandLine() throws {
        let fixture = try FixtureSite("-- site.yml --\ntitle: 미러\nbase_url: /a/\n-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"]))
        defer { fixture.remove() }
        let result = SiteLoader.load(source: fixture.root, display: ".", baseURL: "https://example.org/b", jobs: 1)
        #expect(result.site?.config.baseURL == "https://example.org/b/")
        #expect(result.site?.config.basePath == "/b/")
    }

    @Test func postDefaults() throws {
        let result = try loadFixture(
            """
            -- site.yml --
            title: 테스트
            anonymous: 무명
            -- Content/free/2024/812301.md --
            ---
            title: 글
            date: 2024-06-21T14:47:47+09:00
            ---
            본문
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let post = try #require(result.post("free", "812301"))
        #expect(post.id == "812301", "the file's stem")
        #expect(post.author == "무명", "the site's anonymous")
        #expect(post.views == 0)
        #expect(post.recommends == 0)
        #expect(post.commentCount == 0)
        #expect(post.updated == post.date)
        #expect(post.tags == [])
        #expect(!post.notice)
        #expect(!post.deleted)
        #expect(post.source == nil)
        #expect(post.captured == nil)
        #expect(post.params == [])
        #expect(post.body == "본문\n")
        #expect(post.contentPath == "free/2024/812301.md")
        #expect(post.location.path == "Content/free/2024/812301.md")
    }

    @Test func emptyAuthorIsAnonymous() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "author: ' '", "date: 2024-06-21T14:47:47+09:00"])
                + """
                -- Content/free/1.comments.yml --
                - id: 1
                  author:
                  date: 2024-06-21T14:50:02+09:00
                  body: 댓글
                """)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let post = try #require(result.post("free", "1"))
        #expect(post.author == "익명")
        #expect(post.comments.first?.author == "익명")
    }

    @Test func commentDefaultsAndCounts() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00"]) + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                  body: 첫 댓글
                - id: 2
                  reply_to: 1
                  date: 2024-06-21 15:02:10
                  body: "**동의** 합니다"
                  recommends: 3
                - id: 3
                  date: 2024-06-21T14:55:00+09:00
                  body: 셋째
                """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let post = try #require(result.post("free", "1"))
        #expect(post.comments.map(\.id) == ["1", "2", "3"])
        #expect(post.commentCount == 3, "the number of comments loaded")
        let first = post.comments[0]
        #expect(first.author == "익명")
        #expect(first.recommends == 0)
        #expect(first.replyTo == nil)
        #expect(!first.deleted)
        #expect(post.comments[1].replyTo == "1")
        #expect(post.comments[1].recommends == 3)
        #expect(post.comments[1].body == "**동의** 합니다")
        // The newest comment (15:02:10 in the site's zone), not the last one in the file.
        #expect(post.updated == instantUTC(2024, 6, 21, 6, 2, 10))
    }

    @Test func givenUpdatedWins() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "updated: 2024-06-21T14:48:00+09:00"]) + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T16:00:00+09:00
                  body: 늦은 댓글
                """)
        #expect(result.post("free", "1")?.updated == instantUTC(2024, 6, 21, 5, 48, 0))
    }

    @Test func commentCountOfTheBoard() throws {
        let comments = """
            -- Content/free/1.comments.yml --
            - id: 1
              date: 2024-06-21T14:50:02+09:00
              body: a
            - id: 2
              date: 2024-06-21T14:51:02+09:00
              body: b
            """
        let larger = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "comment_count: 30"])
                + comments)
        #expect(larger.diagnostics.isEmpty)
        #expect(larger.post("free", "1")?.commentCount == 30)

        let smaller = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "comment_count: 1"])
                + comments)
        #expect(smaller.errors.isEmpty)
        #expect(smaller.post("free", "1")?.commentCount == 2)
        #expect(
            smaller.warnings == [
                "Content/free/1.md:4:16: warning: 'comment_count' is 1 but 2 comments were loaded; using 2"
            ])
    }

    @Test func postKeysAreRead() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/a.md --\n"
                + postText([
                    "id: 812345", "title: '  제목  '", "author: 고블린", "date: 2024-06-21T14:47:47+09:00", "views: 116",
                    "recommends: 12", "tags: [AI, 일본, AI, ' ']", "notice: yes", "deleted: true",
                    "source: https://board.example.com/free/812345", "captured: 2024-06-21T15:10:00+09:00", "mood: 맑음",
                    "extra: [1, 2]",
                ]))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings == ["Content/free/a.md:8:7: warning: an empty tag is ignored"])
        let post = try #require(result.post("free", "812345"))
        #expect(post.title == "제목")
        #expect(post.author == "고블린")
        #expect(post.views == 116)
        #expect(post.recommends == 12)
        #expect(post.tags == ["AI", "일본"])
        #expect(post.notice)
        #expect(post.deleted)
        #expect(post.source == "https://board.example.com/free/812345")
        #expect(post.captured == instantUTC(2024, 6, 21, 6, 10, 0))
        #expect(post.params == [Param(key: "mood", value: "맑음"), Param(key: "extra", value: "1, 2")])
    }

    @Test func tagsDifferingOnlyInCaseAreOneTagOfThePost() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "tags: [Swift, swift]"]))
        #expect(result.post("free", "1")?.tags == ["Swift"])
    }

    @Test func sourceThatIsNotAWebURLIsAWarning() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "source: javascript:alert(1)"]))
        #expect(result.errors.isEmpty)
        #expect(result.warnings == ["Content/free/1.md:4:9: warning: 'source' is not an http(s) URL and is not linked"])
        #expect(result.post("free", "1")?.source == nil)
    }

    @Test func boardDefaultsAndSettings() throws {
        let result = try loadFixture(
            """
            -- site.yml --
            title: 테스트
            per_page: 15
            -- Content/free/1.md --
            ---
            title: 글
            date: 2024-06-21T14:47:47+09:00
            ---
            -- Content/game/1.md --
            ---
            title: 글
            date: 2024-06-21T14:47:47+09:00
            ---
            -- Content/game/_board.yml --
            title: 게임 게시판
            description: 게임 이야기
            sort: date
            per_page: 4
            weight: -1
            """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let boards = try #require(result.site?.boards)
        #expect(boards.map(\.slug) == ["game", "free"], "weight first, then the folder name")
        let free = boards[1]
        #expect(free.title == "free")
        #expect(free.description == "")
        #expect(free.sort == .activity)
        #expect(free.perPage == 15)
        let game = boards[0]
        #expect(game.title == "게임 게시판")
        #expect(game.description == "게임 이야기")
        #expect(game.sort == .date)
        #expect(game.perPage == 4)
    }

    @Test func badBoardSettings() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00"]) + """
                -- Content/free/_board.yml --
                sort: newest
                per_page: -1
                """)
        #expect(
            result.errors == [
                "Content/free/_board.yml:1:7: error: 'sort' must be 'activity' or 'date', not 'newest'",
                "Content/free/_board.yml:2:11: error: 'per_page' must be a whole number of 0 or more, not '-1'",
            ])
    }
}

@Suite struct SingleLineFieldTests {
    @Test func controlCharactersInTitlesAuthorsAndTagsBecomeSpaces() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText([#"title: "제목\u0000에\t탭\n줄""#, #"author: "이름\u001B[31m""#, #"tags: ["태\u0085그"]"#, "date: 2024-06-21"]))
        let post = try #require(result.post("free", "1"))
        #expect(post.title == "제목 에 탭 줄")
        #expect(post.author == "이름 [31m")
        #expect(post.tags == ["태 그"])
    }
}

@Suite struct FoldedDateErrorTests {
    /// A date folded from two lines: the error points at the value's start, not past its line.
    @Test func errorInAFoldedDateIsReportedAtTheValue() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "  :x", "views: 1"]))
        expectOne(result.errors, "Content/free/1.md:3:7: error:", containing: "'date' is not a valid date")
    }
}
