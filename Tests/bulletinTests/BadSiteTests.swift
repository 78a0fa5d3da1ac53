import BulletinTestSupport
import Foundation
import Testing

/// Broken input: every error names its file, line and column, every broken file is reported in one
/// run, the exit status is 1, and the previously published site stays exactly as it was.
@Suite struct BadSiteTests {
    /// One error the build must print: `path:line:col: error: message`.
    struct Expected: CustomStringConvertible {
        var path: String
        var line: Int
        var column: Int
        var message: String
        var description: String { "\(path):\(line):\(column): error: \(message)" }
    }

    /// Builds the good site, breaks it with `breakSite`, builds again, and checks that the failed
    /// build printed exactly `expected` (in this order) and left `public/` as it was. `check`
    /// must report the same errors. Returns the failed build's result.
    @discardableResult
    func expectFailure(
        _ expected: [Expected], sourceLocation: SourceLocation = #_sourceLocation, breakSite: (FixtureSite) throws -> Void
    ) throws -> Binary.Result {
        let site = try GoodSite.make()
        defer { site.remove() }
        let first = try site.bulletin("build")
        try #require(first.status == 0, "the good site must build: \(first.stderr)", sourceLocation: sourceLocation)
        let before = site.published
        try #require(before.isFile("index.html"), sourceLocation: sourceLocation)

        try breakSite(site)
        let result = try site.bulletin("build")
        #expect(result.status == 1, "exit status", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        let errors = diagnosticLines(result.stderr)
        #expect(errors.count == expected.count, "stderr:\n\(result.stderr)", sourceLocation: sourceLocation)
        for (line, wanted) in zip(errors, expected) {
            #expect(line == wanted.description, sourceLocation: sourceLocation)
        }
        let n = expected.count
        #expect(
            result.stderr.hasSuffix("build failed: \(n) error\(n == 1 ? "" : "s"), 0 warnings; the output folder was left as it was\n"),
            "stderr:\n\(result.stderr)", sourceLocation: sourceLocation)

        let after = site.published
        #expect(after.differences(from: before) == [], "the output changed", sourceLocation: sourceLocation)
        #expect(stagingLeftovers(beside: site.root + "/public") == [], sourceLocation: sourceLocation)

        let check = try site.bulletin("check")
        #expect(check.status == 1, sourceLocation: sourceLocation)
        #expect(diagnosticLines(check.stderr) == errors, sourceLocation: sourceLocation)
        #expect(site.published.differences(from: before) == [], sourceLocation: sourceLocation)
        return result
    }

    @Test func badYAML() throws {
        // Column 10 counts Unicode scalars: `title: 점심` is 9 of them, 15 bytes.
        try expectFailure([Expected(path: "Content/free/102.md", line: 2, column: 10, message: "mapping values are not allowed in this context")]) {
            try $0.write("Content/free/102.md", "---\ntitle: 점심: 뭐 먹지\ndate: 2024-06-22T12:00:00+09:00\n---\n본문\n")
        }
    }

    @Test func badYAMLInAComment() throws {
        try expectFailure([Expected(path: "Content/free/101.comments.yml", line: 4, column: 2, message: "did not find expected '-' indicator while parsing a block collection")]) {
            try $0.write("Content/free/101.comments.yml", "- id: 1\n  date: 2024-07-03T10:00:00+09:00\n  body: ok\n wrong: indentation\n")
        }
    }

    @Test func missingTitle() throws {
        try expectFailure([Expected(path: "Content/free/105.md", line: 2, column: 1, message: "the front matter needs a 'title'")]) {
            try $0.write("Content/free/105.md", "---\ndate: 2024-07-01T20:00:00+09:00\nrecommends: 5\n---\n주말에는 쉽니다.\n")
        }
    }

    @Test func missingDate() throws {
        try expectFailure([Expected(path: "Content/free/106.md", line: 2, column: 1, message: "the front matter needs a 'date'")]) {
            try $0.write("Content/free/106.md", "---\ntitle: 질문 있어요\nrecommends: 10\n---\n본문\n")
        }
    }

    @Test func badDate() throws {
        // The date's value starts at column 7; the quote, then `2024-06-` put the day at column 16.
        try expectFailure([
            Expected(path: "Content/free/104.md", line: 3, column: 16, message: "'date' is not a valid date (day 31 is out of range): '2024-06-31 10:00'")
        ]) {
            try $0.write("Content/free/104.md", "---\ntitle: 일본 여행 후기\ndate: \"2024-06-31 10:00\"\n---\n본문\n")
        }
    }

    @Test func duplicateIDs() throws {
        // `2024/` comes after `102.md` in byte order, so the copy in it is the duplicate.
        try expectFailure([
            Expected(
                path: "Content/free/2024/06/102.md", line: 1, column: 1,
                message: "duplicate post id '102' in board 'free' (also in Content/free/102.md)")
        ]) {
            try $0.write("Content/free/2024/06/102.md", try #require($0.read("Content/free/102.md")))
        }
    }

    @Test func notUTF8() throws {
        // A title saved in CP949 (EUC-KR) instead of UTF-8: its first byte is at column 8.
        try expectFailure([Expected(path: "Content/free/102.md", line: 2, column: 8, message: "the file is not valid UTF-8 (save it as UTF-8)")]) {
            var bytes = Data("---\ntitle: ".utf8)
            bytes.append(contentsOf: [0xC1, 0xA1, 0xBD, 0xC9])
            bytes.append(Data("\ndate: 2024-06-22T12:00:00+09:00\n---\n본문\n".utf8))
            try $0.write("Content/free/102.md", bytes)
        }
    }

    @Test func idLeavingTheBoard() throws {
        let outside = try temporaryFolder("escape")
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try expectFailure([
            Expected(
                path: "Content/free/105.md", line: 2, column: 5,
                message: "'id' must be letters, digits, '_' or '-' (starting with a letter or digit), not '../../../escape'")
        ]) {
            try $0.write("Content/free/105.md", "---\nid: ../../../escape\ntitle: 주말 계획\ndate: 2024-07-01T20:00:00+09:00\n---\n본문\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }

    @Test func symlinkOutOfTheSite() throws {
        let outside = try temporaryFolder("secret")
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try Data("---\ntitle: 비밀\ndate: 2024-06-22\n---\nsecret\n".utf8).write(to: URL(fileURLWithPath: outside + "/secret.md"))
        try expectFailure([
            Expected(path: "Content/free/2024/leak.md", line: 1, column: 1, message: "symbolic link points outside Content/; refused"),
            Expected(path: "Content/stolen", line: 1, column: 1, message: "symbolic link points outside Content/; refused"),
        ]) {
            try $0.symlink("Content/free/2024/leak.md", to: outside + "/secret.md")
            try $0.symlink("Content/stolen", to: outside)
        }
    }

    @Test func reservedBoardName() throws {
        try expectFailure([Expected(path: "Content/tags", line: 1, column: 1, message: "a board cannot be named 'tags': /tags/ is one of the site's own paths")]) {
            try $0.write("Content/tags/1.md", "---\ntitle: 태그\ndate: 2024-06-22\n---\n본문\n")
        }
    }

    @Test func templateSyntaxError() throws {
        // Line 32 closes `post.has_tags` with another name; the column is that name's.
        try expectFailure([
            Expected(
                path: "Themes/default/templates/post.mustache", line: 32, column: 4,
                message: "template syntax: a section is closed with another name than it was opened with")
        ]) { site in
            let template = try #require(site.read("Themes/default/templates/post.mustache"))
            let lines = template.split(separator: "\n", omittingEmptySubsequences: false)
            try #require(lines[31] == "{{/post.has_tags}}")
            try site.write("Themes/default/templates/post.mustache", template.replacingOccurrences(of: "{{/post.has_tags}}", with: "{{/post.tags}}"))
        }
    }

    @Test func everyBrokenFileIsReportedInOneRun() throws {
        try expectFailure([
            Expected(path: "Content/archive", line: 1, column: 1, message: "a board cannot be named 'archive': /archive/ is one of the site's own paths"),
            Expected(path: "Content/free/102.md", line: 2, column: 10, message: "mapping values are not allowed in this context"),
            Expected(path: "Content/free/105.md", line: 2, column: 1, message: "the front matter needs a 'title'"),
            Expected(path: "Content/free/config.md", line: 1, column: 1, message: "symbolic link points outside Content/; refused"),
            Expected(path: "Content/humor/7.md", line: 4, column: 12, message: "'date' is not a valid date (month 13 is out of range): '2024-13-01'"),
            Expected(path: "Content/qna/1.comments.json", line: 3, column: 44, message: "the file is not valid UTF-8 (save it as UTF-8)"),
            Expected(path: "Themes/default/templates/home.mustache", line: 2, column: 23, message: "template syntax: a tag is not closed with '}}'"),
        ]) { site in
            try site.write("Content/archive/1.md", "---\ntitle: 보관\ndate: 2024-06-22\n---\n본문\n")
            try site.write("Content/free/102.md", "---\ntitle: 점심: 뭐 먹지\ndate: 2024-06-22T12:00:00+09:00\n---\n본문\n")
            try site.write("Content/free/105.md", "---\ndate: 2024-07-01T20:00:00+09:00\n---\n본문\n")
            try site.symlink("Content/free/config.md", to: "../../site.yml")
            try site.write("Content/humor/7.md", "---\ntitle: 웃긴 이야기\n# 날짜\ndate: 2024-13-01\n---\n하하하\n")
            var json = Data("[\n  {\"id\": 1, \"date\": \"2024-07-02T09:30:00+09:00\", \"body\": \"ok\"},\n  {\"id\": 2, \"date\": \"2024-07-02\", \"body\": \"".utf8)
            json.append(contentsOf: [0xB0, 0xA8, 0xBB, 0xE7])
            json.append(Data("\"}\n]\n".utf8))
            try site.write("Content/qna/1.comments.json", json)
            let home = try #require(site.read("Themes/default/templates/home.mustache"))
            var lines = home.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            try #require(lines[1] == "{{$title}}{{site.title}}{{/title}}")
            lines[1] = "{{$title}}{{site.title{{/title}}"
            try site.write("Themes/default/templates/home.mustache", lines.joined(separator: "\n"))
        }
    }

    /// A failure after the staging folder was filled: files may not grow past 4 KiB, as on a full disk.
    @Test func failureWhileWritingLeavesThePreviousOutput() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try #require(try site.bulletin("build").status == 0)
        let before = site.published
        // New content, so that pages written before the failure would differ from the published ones.
        try site.write("Content/free/102.md", "---\ntitle: 오늘 저녁 뭐 먹지\ndate: 2024-06-22T12:00:00+09:00\n---\n새 본문\n")
        let result = try Binary.run(["build", "--source", site.root], fileSizeLimit: 4)
        #expect(result.status == 1)
        let errors = diagnosticLines(result.stderr)
        try #require(errors.count == 1, "stderr:\n\(result.stderr)")
        #expect(errors[0].hasPrefix(site.root + "/public:1:1: error: cannot write the site: "))
        #expect(errors[0].hasSuffix(": File too large"))
        #expect(site.published.differences(from: before) == [])
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
    }

    /// A theme's static file may not take the place of a page Bulletin writes.
    @Test func staticFileNamedLikeAPageIsRefused() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try site.write("Themes/default/static/tags", "not a folder\n")
        try site.write("Themes/default/static/feed.xml", "<feed/>\n")
        let result = try site.bulletin("build")
        #expect(result.status == 1)
        let errors = diagnosticLines(result.stderr)
        #expect(errors == [
            "Themes/default/static/feed.xml:1:1: error: 'feed.xml' is written by Bulletin itself; a theme's static file may not take its place",
            "Themes/default/static/tags:1:1: error: 'tags' is written by Bulletin itself; a theme's static file may not take its place",
        ])
    }

    @Test func errorsNameFilesAsGivenWithSource() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        try site.write("Content/free/105.md", "---\ndate: 2024-07-01T20:00:00+09:00\n---\n본문\n")
        let result = try Binary.run(["build", "--source", site.root + "/"])
        #expect(result.status == 1)
        #expect(diagnosticLines(result.stderr) == [site.root + "/Content/free/105.md:2:1: error: the front matter needs a 'title'"])
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
    }
}
