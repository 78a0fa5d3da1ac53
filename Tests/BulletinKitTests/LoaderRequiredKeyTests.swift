import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Every required key of site.yml, posts and comments, missing or broken, is an error at the
/// exact `path:line:col`.
struct LoaderRequiredKeyTests {
    static let post = "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00"])

    @Test func siteWithoutTitle() throws {
        let result = try loadFixture("-- site.yml --\nper_page: 5\n" + Self.post)
        #expect(result.site == nil)
        #expect(result.errors == ["site.yml:1:1: error: site.yml needs a 'title'"])
    }

    @Test func siteWithEmptyTitle() throws {
        let result = try loadFixture("-- site.yml --\nper_page: 5\ntitle: \"  \"\n" + Self.post)
        #expect(result.errors == ["site.yml:2:8: error: 'title' is empty"])
    }

    @Test func siteWithoutTitleAndAnotherErrorReportsBoth() throws {
        let result = try loadFixture("-- site.yml --\nper_page: zero\n" + Self.post)
        #expect(result.site == nil)
        expectOne(result.errors, "site.yml:1:11: error:", containing: "'per_page' must be a whole number")
        expectOne(result.errors, "site.yml:1:1: error:", containing: "needs a 'title'")
    }

    @Test func brokenSiteFileStillLetsContentBeChecked() throws {
        let result = try loadFixture(
            "-- site.yml --\nper_page: 5\n-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-32"]))
        #expect(result.site == nil)
        #expect(
            result.errors == [
                "Content/free/1.md:3:15: error: 'date' is not a valid date (day 32 is out of range): '2024-06-32'",
                "site.yml:1:1: error: site.yml needs a 'title'",
            ])
    }

    @Test func emptySiteFile() throws {
        let result = try loadFixture("-- site.yml --\n" + Self.post)
        #expect(result.errors.count == 1)
        expectOne(result.errors, "site.yml:1:1: error:", containing: "title")
    }

    @Test func missingSiteFile() throws {
        let result = try loadFixture(Self.post)
        #expect(result.errors == ["site.yml:1:1: error: no site.yml here: run bulletin in a site's folder or pass --source"])
    }

    @Test func postWithoutTitle() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + postText(["date: 2024-06-21T14:47:47+09:00"]))
        #expect(result.site == nil)
        #expect(result.errors == ["Content/free/1.md:2:1: error: the front matter needs a 'title'"])
    }

    @Test func postWithoutDate() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + postText(["views: 3", "title: 글"]))
        #expect(result.errors == ["Content/free/1.md:2:1: error: the front matter needs a 'date'"])
    }

    @Test func postWithoutTitleAndDateGetsBothErrors() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + postText(["views: 3"]))
        #expect(
            result.errors == [
                "Content/free/1.md:2:1: error: the front matter needs a 'date'",
                "Content/free/1.md:2:1: error: the front matter needs a 'title'",
            ])
    }

    @Test func postWithEmptyTitleIsAnErrorAtTheValue() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["date: 2024-06-21T14:47:47+09:00", "title: ''"]))
        #expect(result.errors == ["Content/free/1.md:3:8: error: 'title' is empty"])
    }

    @Test func postWithEmptyFrontMatter() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n---\n---\n본문\n")
        #expect(result.errors.count == 1)
        expectOne(result.errors, "Content/free/1.md:2:1: error:", containing: "the front matter is empty")
    }

    @Test func postWithNonMappingFrontMatter() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n---\n- a\n- b\n---\n")
        #expect(result.errors == ["Content/free/1.md:2:1: error: the front matter must be a mapping of keys to values"])
    }

    @Test func commentWithoutID() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                  body: 첫 댓글
                - date: 2024-06-21T14:51:00+09:00
                  body: 둘째
                """)
        #expect(result.site == nil)
        #expect(result.errors == ["Content/free/1.comments.yml:4:3: error: a comment needs an 'id'"])
    }

    @Test func commentWithoutDate() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                - id: 1
                  body: 첫 댓글
                """)
        #expect(result.errors == ["Content/free/1.comments.yml:1:3: error: a comment needs a 'date'"])
    }

    @Test func commentWithoutBody() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                """)
        #expect(result.errors == ["Content/free/1.comments.yml:1:3: error: a comment needs a 'body' unless it is deleted"])
    }

    @Test func deletedCommentNeedsNoBody() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                  deleted: true
                """)
        #expect(result.errors.isEmpty)
        let comment = try #require(result.post("free", "1")?.comments.first)
        #expect(comment.deleted)
        #expect(comment.body == "")
    }

    @Test func commentFileThatIsNotAList() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                id: 1
                """)
        #expect(result.errors == ["Content/free/1.comments.yml:1:1: error: a comment file must be a list of comments"])
    }

    @Test func duplicateCommentID() throws {
        let result = try loadFixture(
            minimalSiteYML + Self.post + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                  body: a
                - id: 1
                  date: 2024-06-21T14:51:02+09:00
                  body: b
                """)
        #expect(result.errors == ["Content/free/1.comments.yml:4:7: error: duplicate comment id '1'"])
    }

    @Test func wrongTypesAreErrorsAtTheirValues() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText([
                    "title: [a, b]", "date: 2024-06-21T14:47:47+09:00", "views: -3", "recommends: many", "notice: maybe",
                    "tags: {a: 1}",
                ]))
        #expect(
            result.errors == [
                "Content/free/1.md:2:8: error: 'title' must be text, not a list or mapping",
                "Content/free/1.md:4:8: error: 'views' must be a whole number of 0 or more, not '-3'",
                "Content/free/1.md:5:13: error: 'recommends' must be a whole number of 0 or more, not 'many'",
                "Content/free/1.md:6:9: error: 'notice' must be true or false, not 'maybe'",
                "Content/free/1.md:7:7: error: 'tags' must be a list of texts",
            ])
    }
}
