import BulletinTestSupport
import Foundation
import Testing

/// `bulletin import` run as a user runs it: the captures merged, the site built, a broken
/// capture refused with `path:line:col` and nothing changed.
@Suite struct ImportCommandTests {
    static let fixtures = FixtureSite.repository + "/Tests/BulletinKitTests/ImportFixtures"

    func site() throws -> String {
        let root = try temporaryFolder() + "/site"
        try FileManager.default.copyItem(atPath: Self.fixtures + "/site", toPath: root)
        try FileManager.default.copyItem(atPath: FixtureSite.repository + "/Themes", toPath: root + "/Themes")
        return root
    }

    @Test func importsCapturesAndTheSiteBuilds() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let captures = ["day1", "day2.jsonl", "day3-cp949.jsonl", "day4-euckr.jsonl"].map { Self.fixtures + "/captures/" + $0 }
        let dry = try Binary.run(["import", "--source", root, "--dry-run"] + captures)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("would add Content/free/500.md") && dry.stdout.hasSuffix("would write 15 files\n"))
        #expect(!FileManager.default.fileExists(atPath: root + "/Content/free/500.md"))

        let result = try Binary.run(["import", "--source", root] + captures)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasSuffix("7 posts from 4 captures: wrote 15 files\n"))
        let again = try Binary.run(["import", "--source", root] + captures.reversed())
        #expect(again.stdout.hasSuffix("wrote 0 files\n"))

        let build = try Binary.run(["build", "--source", root, "--output", root + "/public"])
        // Two images were not captured: a placeholder stands in for each, with a warning.
        let warnings = build.stderr.split(separator: "\n")
        #expect(build.status == 0 && warnings.count == 2, "stderr: \(build.stderr)")
        #expect(warnings.last?.hasSuffix("Content/free/503.md:1:1: warning: image 'x.png' names no file in Content/; dropped") == true)
        let scraped = try String(contentsOfFile: root + "/public/free/503/index.html", encoding: .utf8)
        #expect(scraped.contains("<p><em>[그림 없음: 그림]</em> 나쁜 링크 *별표* 그대로</p>") && !scraped.contains("alert(") && !scraped.contains("<iframe"))
        // The captured picture is published once and shown.
        let stored = try FileManager.default.contentsOfDirectory(atPath: root + "/Content/free/attachments")
        #expect(stored.count == 1 && FileManager.default.fileExists(atPath: root + "/public/_files/free/attachments/" + stored[0]))
        let page = try String(contentsOfFile: root + "/public/free/500/index.html", encoding: .utf8)
        #expect(page.contains("src=\"/_files/free/attachments/\(stored[0])\" alt=\"점심 사진\""))
        #expect(page.contains("badge-edited") && page.contains("이전 판") && page.contains("점심 메뉴 추천 받습니다</span>"))
        #expect(page.contains("삭제된 댓글입니다") && page.contains("거기 줄 길던데요") && page.contains("똠방각하"))
        let gone = try String(contentsOfFile: root + "/public/free/501/index.html", encoding: .utf8)
        #expect(gone.contains("게시판에서 삭제된 글입니다") && gone.contains("이 글은 다음 수집 전에 사라집니다"))
    }

    @Test func aBrokenCaptureChangesNothing() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let broken = Self.fixtures + "/captures/broken.jsonl"
        let result = try Binary.run(["import", "--source", root, Self.fixtures + "/captures/day2.jsonl", broken])
        #expect(result.status == 1)
        #expect(result.stderr.contains(broken + ":3:1: error: this line is not a JSON object"))
        #expect(result.stderr.contains("Content/ was not changed"))
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/Content/free")
        #expect(names == ["400.md"])
    }
}
