@testable import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Listing orders, the recommended listing, tags, archive days, listing pages and neighbours,
/// computed from models built in memory.
struct SiteIndexTests {
    static func post(
        _ board: String, _ id: String, date: Timestamp, updated: Timestamp? = nil, recommends: Int = 0, notice: Bool = false,
        tags: [String] = []
    ) -> Post {
        Post(
            board: board, id: id, title: "글 \(id)", author: "익명", date: date, updated: updated ?? date, recommends: recommends,
            tags: tags, notice: notice, contentPath: "\(board)/\(id).md", location: BulletinKit.SourceLocation(path: "Content/\(board)/\(id).md"))
    }

    static func site(
        _ boards: [(slug: String, sort: BoardSort, posts: [Post])], perPage: Int = 20, bestThreshold: Int = 10,
        timeZone: String = "Asia/Seoul"
    ) -> Site {
        let config = SiteConfig(title: "테스트", timeZone: TimeZone(identifier: timeZone)!, perPage: perPage, bestThreshold: bestThreshold)
        return Site(
            config: config, boards: boards.map { Board(slug: $0.slug, title: $0.slug, description: "", sort: $0.sort, perPage: perPage, posts: $0.posts) })
    }

    static func ids(_ refs: [PostRef], in site: Site) -> [String] {
        refs.map { site.boards[$0.board].posts[$0.post].id }
    }

    static func day(_ n: Int, _ hour: Int = 12) -> Timestamp { instantUTC(2024, 6, n, hour) }

    // MARK: Listings

    static let mixedPosts = [
        post("free", "1", date: day(1), updated: day(9)),
        post("free", "2", date: day(2)),
        post("free", "3", date: day(3), notice: true),
        post("free", "4", date: day(4), updated: day(5)),
        post("free", "5", date: day(0 + 1, 0), notice: true),
    ]

    @Test func activityListingPutsNoticesFirstThenLastActivity() {
        let site = Self.site([("free", .activity, Self.mixedPosts)])
        let index = SiteIndex(site: site)
        #expect(Self.ids(index.boards[0].listing, in: site) == ["3", "5", "1", "4", "2"])
    }

    @Test func dateListingPutsNoticesFirstThenPostingTime() {
        let site = Self.site([("free", .date, Self.mixedPosts)])
        let index = SiteIndex(site: site)
        #expect(Self.ids(index.boards[0].listing, in: site) == ["3", "5", "4", "2", "1"])
    }

    @Test func tiesAreBrokenByIDWithNumbersComparedAsNumbers() {
        let same = Self.day(10)
        let posts = ["9", "10", "a", "100", "b", "010"].map { Self.post("free", $0, date: same) }
        let site = Self.site([("free", .activity, posts)])
        let index = SiteIndex(site: site)
        // Newest first, so a higher id (posted later on the board) comes first.
        #expect(Self.ids(index.boards[0].listing, in: site) == ["b", "a", "100", "10", "010", "9"])
        #expect(Self.ids(index.boards[0].chronological, in: site) == ["9", "010", "10", "100", "a", "b"])
    }

    @Test func activityTiesFallBackToPostingTime() {
        let posts = [
            Self.post("free", "1", date: Self.day(1), updated: Self.day(9)),
            Self.post("free", "2", date: Self.day(2), updated: Self.day(9)),
        ]
        let site = Self.site([("free", .activity, posts)])
        #expect(Self.ids(SiteIndex(site: site).boards[0].listing, in: site) == ["2", "1"])
    }

    @Test func idOrder() {
        #expect(SiteIndex.idPrecedes("9", "10"))
        #expect(!SiteIndex.idPrecedes("10", "9"))
        #expect(SiteIndex.idPrecedes("812301", "812345"))
        #expect(SiteIndex.idPrecedes("99", "a"))
        #expect(SiteIndex.idPrecedes("a10", "a9"), "not both numbers: by bytes")
        #expect(!SiteIndex.idPrecedes("7", "7"))
        #expect(SiteIndex.idPrecedes("10", "1a"), "numbers before other ids")
    }

    @Test func idOrderIsATotalOrder() {
        let ids = ["9", "10", "1a", "010", "a", "A", "a9", "a10", "0", "00", "812301", "b_1", "b-1"]
        for a in ids {
            #expect(!SiteIndex.idPrecedes(a, a))
            for b in ids where a != b {
                #expect(SiteIndex.idPrecedes(a, b) != SiteIndex.idPrecedes(b, a), "\(a) and \(b) must be ordered one way")
                for c in ids where SiteIndex.idPrecedes(a, b) && SiteIndex.idPrecedes(b, c) {
                    #expect(SiteIndex.idPrecedes(a, c), "\(a) < \(b) < \(c) but not \(a) < \(c)")
                }
            }
        }
    }

    @Test func newestAcrossBoardsBreaksTiesByBoard() {
        let same = Self.day(10)
        let site = Self.site([
            ("b", .activity, [Self.post("b", "1", date: same)]),
            ("a", .activity, [Self.post("a", "1", date: same), Self.post("a", "2", date: Self.day(11))]),
        ])
        let index = SiteIndex(site: site)
        #expect(index.newest.map { site.boards[$0.board].slug + "/" + site.boards[$0.board].posts[$0.post].id } == ["a/2", "a/1", "b/1"])
    }

    @Test func bestListingNeedsTheThreshold() {
        let posts = [
            Self.post("free", "1", date: Self.day(1), recommends: 9),
            Self.post("free", "2", date: Self.day(2), recommends: 10),
            Self.post("free", "3", date: Self.day(3), recommends: 11, notice: true),
            Self.post("free", "4", date: Self.day(4), recommends: 0),
            Self.post("free", "5", date: Self.day(5), updated: Self.day(1, 13), recommends: 50),
        ]
        let site = Self.site([("free", .activity, posts)], bestThreshold: 10)
        #expect(Self.ids(SiteIndex(site: site).boards[0].best, in: site) == ["3", "2", "5"])
        let everything = Self.site([("free", .activity, posts)], bestThreshold: 0)
        #expect(SiteIndex(site: everything).boards[0].best.count == 5)
    }

    @Test func listingPageOfEachPost() {
        let posts = (1...7).map { Self.post("free", String($0), date: Self.day($0), notice: $0 == 2) }
        let site = Self.site([("free", .date, posts)], perPage: 3)
        let index = SiteIndex(site: site)
        #expect(Self.ids(index.boards[0].listing, in: site) == ["2", "7", "6", "5", "4", "3", "1"])
        // By post, in the board's (file) order: 1…7.
        #expect(index.listingPage[0] == [3, 1, 2, 2, 2, 1, 1])
    }

    @Test func previousAndNextFollowPostingTime() {
        let posts = [
            Self.post("free", "3", date: Self.day(3), updated: Self.day(20)),
            Self.post("free", "1", date: Self.day(1)),
            Self.post("free", "2", date: Self.day(2), notice: true),
        ]
        let site = Self.site([("free", .activity, posts)])
        #expect(Self.ids(SiteIndex(site: site).boards[0].chronological, in: site) == ["1", "2", "3"])
    }

    // MARK: Tags

    @Test func tagsDifferingInCaseAreOneTagNamedByTheMostUsedSpelling() {
        let posts = [
            Self.post("free", "1", date: Self.day(1), tags: ["Swift", "AI"]),
            Self.post("free", "2", date: Self.day(2), tags: ["swift"]),
            Self.post("free", "3", date: Self.day(3), tags: ["swift", "ai"]),
        ]
        let site = Self.site([("free", .activity, posts)])
        let index = SiteIndex(site: site)
        #expect(index.tags.map(\.name) == ["AI", "swift"], "AI and ai tie: the smaller spelling")
        #expect(index.tags.map(\.slug) == ["ai", "swift"])
        #expect(Self.ids(index.tags[1].posts, in: site) == ["3", "2", "1"], "newest first")
        #expect(index.postTagSlugs[0] == [[1, 0], [1], [1, 0]])
    }

    @Test func koreanTagsAreSortedInGanadaOrder() {
        let posts = [Self.post("free", "1", date: Self.day(1), tags: ["하늘", "가전", "다람쥐", "나무", "Zeta", "alpha", "까치", "ㄱ"])]
        let site = Self.site([("free", .activity, posts)])
        #expect(SiteIndex(site: site).tags.map(\.name) == ["alpha", "Zeta", "ㄱ", "가전", "까치", "나무", "다람쥐", "하늘"])
    }

    @Test func tagsInNFDAndNFCAreOneTag() throws {
        let nfd = "\u{1100}\u{1166}\u{110B}\u{1175}\u{11B7}"  // 게임, decomposed
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: a", "date: 2024-06-21", "tags: [\(nfd), SWIFT]"])
                + "-- Content/free/2.md --\n" + postText(["title: b", "date: 2024-06-22", "tags: [게임, swift]"]))
        let site = try #require(result.site)
        let index = SiteIndex(site: site)
        #expect(index.tags.map(\.slug) == ["swift", "게임"])
        #expect(index.tags.map(\.posts.count) == [2, 2])
        #expect(index.tags[1].name.unicodeScalars.count == 2)
    }

    @Test(arguments: [
        ("swift", "swift"),
        ("게임", "게임"),
        ("a/b", "a-b"),
        ("a\\b", "a-b"),
        ("..", "tag"),
        (".", "tag"),
        ("../../etc/passwd", "-..-etc-passwd"),
        (".hidden", "hidden"),
        ("c# 언어", "c-언어"),
        ("100%", "100"),
        ("what?", "what"),
        ("a?b#c%d", "a-b-c-d"),
        ("  공백  많은   태그 ", "공백-많은-태그"),
        ("탭\t줄\n바꿈", "탭-줄-바꿈"),
        ("<script>", "script"),
        ("a&b", "a-b"),
        ("///", "tag"),
        ("v1.0.", "v1.0"),
    ])
    func tagSlugs(_ folded: String, _ slug: String) {
        #expect(SiteIndex.tagSlug(folded) == slug)
    }

    @Test func tagSlugIsOnePathSegmentOfAtMost120Bytes() {
        let long = SiteIndex.tagSlug(String(repeating: "가", count: 100))
        #expect(long.utf8.count <= 120)
        #expect(long == String(repeating: "가", count: 40))
        for tag in ["../x", "a/../../b", "..\\..", "/abs", "x/."] {
            let slug = SiteIndex.tagSlug(tag)
            #expect(!slug.contains("/") && !slug.contains("\\") && slug != "." && slug != ".." && !slug.isEmpty, "\(tag) → \(slug)")
        }
    }

    @Test func tagsWhoseSlugsCollideGetNumberedSlugs() {
        let posts = [Self.post("free", "1", date: Self.day(1), tags: ["a/b", "a?b", "a b"])]
        let site = Self.site([("free", .activity, posts)])
        let index = SiteIndex(site: site)
        #expect(index.tags.map(\.name) == ["a b", "a/b", "a?b"])
        #expect(index.tags.map(\.slug) == ["a-b", "a-b-2", "a-b-3"])
    }

    // MARK: Archive

    @Test func archiveDaysAreLocalDaysOfTheSiteZone() {
        let late = instantUTC(2024, 6, 21, 23, 30)
        let posts = [Self.post("free", "1", date: late)]
        let seoul = SiteIndex(site: Self.site([("free", .activity, posts)]))
        #expect(seoul.days[0][0] == SiteIndex.Day(year: 2024, month: 6, day: 22))
        let london = SiteIndex(site: Self.site([("free", .activity, posts)], timeZone: "UTC"))
        #expect(london.days[0][0] == SiteIndex.Day(year: 2024, month: 6, day: 21))
        let newYork = SiteIndex(site: Self.site([("free", .activity, [Self.post("free", "1", date: instantUTC(2024, 1, 1, 3))])], timeZone: "America/New_York"))
        #expect(newYork.days[0][0] == SiteIndex.Day(year: 2023, month: 12, day: 31))
    }

    @Test func archiveGroupsByYearMonthAndDayNewestFirst() {
        let posts = [
            Self.post("free", "1", date: instantUTC(2023, 12, 31, 14, 59)),  // 2023-12-31 23:59 in Seoul
            Self.post("free", "2", date: instantUTC(2023, 12, 31, 15, 0)),  // 2024-01-01 00:00 in Seoul
            Self.post("free", "3", date: instantUTC(2024, 6, 21, 1)),
            Self.post("free", "4", date: instantUTC(2024, 6, 21, 2)),
            Self.post("free", "5", date: instantUTC(2024, 6, 21, 23, 30)),  // June 22 in Seoul
        ]
        let site = Self.site([("free", .activity, posts)])
        let archive = Archive(index: SiteIndex(site: site))
        #expect(archive.years.map(\.year) == [2024, 2023])
        #expect(archive.years.map(\.posts.count) == [4, 1])
        let y2024 = archive.years[0]
        #expect(y2024.months.map(\.month) == [6, 1])
        #expect(y2024.months[0].days.map(\.day) == [22, 21])
        #expect(Self.ids(y2024.months[0].days[1].posts, in: site) == ["4", "3"])
        #expect(Self.ids(y2024.months[1].posts, in: site) == ["2"])
        #expect(archive.years[1].months.map(\.month) == [12])
        #expect(archive.years[1].months[0].days.map(\.day) == [31])
    }

    @Test func archiveFolders() {
        #expect(Archive.folder(year: 2024) == "archive/2024/")
        #expect(Archive.folder(year: 2024, month: 6) == "archive/2024/06/")
        #expect(Archive.folder(year: 2024, month: 6, day: 9) == "archive/2024/06/09/")
        #expect(Archive.folder(year: 999, month: 12, day: 31) == "archive/0999/12/31/")
    }

    @Test func emptySiteHasNoTagsAndNoArchive() {
        let site = Self.site([("free", .activity, [])])
        let index = SiteIndex(site: site)
        #expect(index.tags.isEmpty)
        #expect(index.newest.isEmpty)
        #expect(index.boards[0].listing.isEmpty)
        #expect(Archive(index: index).years.isEmpty)
    }
}
