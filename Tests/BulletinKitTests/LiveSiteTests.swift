import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Partial rebuilds give exactly the files a full build gives, and render only what changed.
@Suite struct LiveSiteTests {
    /// A site of two boards with small pages (5 posts), so that every change moves rows across
    /// listing, tag and archive pages; posts link to each other and some have comments.
    static func makeSite() throws -> FixtureSite {
        var files = "-- site.yml --\ntitle: 실시간\nper_page: 5\nbest_threshold: 5\n"
        files += "-- Content/free/_board.yml --\ntitle: 자유\nper_page: 5\n-- Content/qna/_board.yml --\ntitle: 질문\nsort: activity\nper_page: 5\n"
        for n in 1...36 {
            let board = n % 3 == 0 ? "qna" : "free"
            files += "-- Content/\(board)/\(n).md --\n" + post(n, title: "글 \(n)", tags: tags(n))
            if n % 4 == 0 {
                files += "-- Content/\(board)/\(n).comments.yml --\n" + comments(n, count: n % 7 + 1)
            }
        }
        return try FixtureSite(files)
    }

    /// The tags post `n` starts with.
    static func tags(_ n: Int) -> [String] {
        let tags = ["가을", "나무", "Swift", "swift", "다람쥐"]
        return [tags[n % 5], tags[(n * 2) % 5]]
    }

    static func post(_ n: Int, title: String, tags: [String], day: Int? = nil, recommends: Int? = nil, body: String? = nil) -> String {
        let day = day ?? (n % 20 + 1)
        let month = n % 3 + 1
        return """
            ---
            title: \(title)
            date: 2024-0\(month)-\(String(format: "%02d", day))T1\(n % 10):00:00+09:00
            recommends: \(recommends ?? n % 9)
            tags: [\(tags.joined(separator: ", "))]
            ---
            \(body ?? "본문 \(n). [앞 글](\(max(1, n - 1)).md) 과 [없는 글](99.md).")

            """
    }

    static func comments(_ n: Int, count: Int) -> String {
        (1...count).map { c in
            "- id: c\(c)\n  author: 손님\(c)\n  date: 2024-05-0\(c % 9 + 1)T10:00:00+09:00\n  body: 댓글 \(n)-\(c)\n" + (c > 1 ? "  reply_to: c1\n" : "")
        }.joined()
    }

    /// Every file of a fresh full build, and its diagnostics.
    static func fullBuild(_ site: FixtureSite) throws -> (files: [String: [UInt8]], diagnostics: [String]) {
        let output = MemoryOutput()
        let live = LiveSite(options: SiteBuilder.Options(source: site.root, sourceDisplay: ".", jobs: 2))
        let update = try live.update(changes: nil, to: output).get()
        #expect(update.full)
        return (output.files, update.report.diagnostics.map(\.description))
    }

    /// A site kept up to date by partial updates, compared with a full build after each change.
    final class Session {
        let site: FixtureSite
        let live: LiveSite
        var files: [String: [UInt8]]

        init(_ site: FixtureSite) throws {
            self.site = site
            live = LiveSite(options: SiteBuilder.Options(source: site.root, sourceDisplay: ".", jobs: 2))
            let output = MemoryOutput()
            _ = try live.update(changes: nil, to: output).get()
            files = output.files
        }

        /// Applies `changes` and returns the update; the served files must equal a full build's.
        @discardableResult
        func update(_ changes: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> LiveSite.Update {
            let output = MemoryOutput()
            let update = try live.update(changes: changes, to: output).get()
            if update.full {
                files = output.files
            } else {
                for path in update.removed { files[path] = nil }
                files.merge(output.files) { _, new in new }
            }
            let (expected, warnings) = try LiveSiteTests.fullBuild(site)
            #expect(update.report.diagnostics.map(\.description) == warnings, sourceLocation: sourceLocation)
            let missing = Set(expected.keys).subtracting(files.keys).sorted()
            let extra = Set(files.keys).subtracting(expected.keys).sorted()
            let differing = expected.keys.filter { files[$0] != nil && files[$0] != expected[$0] }.sorted()
            #expect(missing.isEmpty && extra.isEmpty && differing.isEmpty,
                    "after \(changes): missing \(missing), extra \(extra), different \(differing)", sourceLocation: sourceLocation)
            return update
        }

        func failure(_ changes: [String]) -> [Diagnostic] {
            switch live.update(changes: changes, to: MemoryOutput()) {
            case .success: return []
            case .failure(let list): return list.diagnostics
            }
        }
    }

    @Test func editingABodyRendersOnlyThatPostsPages() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        try site.write("Content/free/10.md", Self.post(10, title: "글 10", tags: ["가을", "가을"], body: "고친 본문"))
        let update = try session.update(["Content/free/10.md"])
        #expect(!update.full)
        #expect(update.rendered == 1)
        #expect(String(decoding: session.files["free/10/index.html"]!, as: UTF8.self).contains("고친 본문"))
    }

    @Test func editingATitleRendersTheListingsThatShowIt() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        try site.write("Content/free/10.md", Self.post(10, title: "새 제목", tags: ["다람쥐", "가을"]))
        let update = try session.update(["Content/free/10.md"])
        #expect(!update.full)
        // The post, its two neighbours, its board, tag and archive pages: far from all of them.
        #expect(update.rendered > 3 && update.rendered < update.report.pages / 3, "\(update.rendered) of \(update.report.pages)")
    }

    @Test func everyKindOfPostChangeMatchesAFullBuild() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        // Titles and bodies only: the indexes of the last build are reused.
        try site.write("Content/free/5.md", Self.post(5, title: "제목만 바뀐 글", tags: Self.tags(5)))
        try session.update(["Content/free/5.md"])
        try site.write("Content/free/5.md", Self.post(5, title: "제목만 바뀐 글", tags: Self.tags(5), body: "[뒤 글](7.md)만 남은 본문"))
        try site.write("Content/qna/6.md", Self.post(6, title: "질문 제목", tags: Self.tags(6)))
        try session.update(["Content/free/5.md", "Content/qna/6.md"])
        // The date moves the post across listing, archive and neighbour pages.
        try site.write("Content/free/7.md", Self.post(7, title: "글 7", tags: ["나무"], day: 28))
        try session.update(["Content/free/7.md"])
        // Recommends move it into the best listing; a new tag makes a tag page.
        try site.write("Content/free/8.md", Self.post(8, title: "글 8", tags: ["새태그", "SWIFT"], recommends: 40))
        try session.update(["Content/free/8.md"])
        // Comments: edited, added, removed.
        try site.write("Content/free/4.comments.yml", Self.comments(4, count: 9))
        try session.update(["Content/free/4.comments.yml"])
        try site.write("Content/qna/3.comments.yml", Self.comments(3, count: 2))
        try session.update(["Content/qna/3.comments.yml"])
        try site.delete("Content/free/4.comments.yml")
        try session.update(["Content/free/4.comments.yml"])
        // A new post (the one other posts link to as 99.md), and a new page of the listing.
        try site.write("Content/free/99.md", Self.post(99, title: "글 99", tags: ["가을"]))
        try session.update(["Content/free/99.md"])
        // Deleting posts: one that others link to, and the only one of a tag.
        try site.delete("Content/free/1.md")
        try session.update(["Content/free/1.md"])
        try site.delete("Content/free/8.md")
        try session.update(["Content/free/8.md"])
        // Posts in a new folder inside a board, then the folder moved.
        try site.write("Content/qna/2024/500.md", Self.post(500, title: "글 500", tags: ["나무"]))
        try session.update(["Content/qna/2024"])
        try FileManager.default.moveItem(atPath: site.root + "/Content/qna/2024", toPath: site.root + "/Content/qna/2025")
        try session.update(["Content/qna/2024", "Content/qna/2025"])
        // A comment file without its post: a warning, and a second comment file for a post.
        try site.write("Content/free/외톨이.comments.yml", Self.comments(1, count: 1))
        try session.update(["Content/free/외톨이.comments.yml"])
        try site.write("Content/free/10.comments.json", "[]")
        try session.update(["Content/free/10.comments.json"])
        try site.delete("Content/free/외톨이.comments.yml")
        try session.update(["Content/free/외톨이.comments.yml"])
        // A temporary file that came and went (sed -i, editors) changes nothing.
        let nothing = try session.update(["Content/free/sedX1y2Z3"])
        #expect(!nothing.full && nothing.rendered == 0)
        // A burst of changes at once.
        for n in [11, 13, 14] { try site.write("Content/free/\(n).md", Self.post(n, title: "묶음 \(n)", tags: ["다람쥐"], day: 2)) }
        try session.update(["Content/free/11.md", "Content/free/13.md", "Content/free/14.md"])
    }

    @Test func aBrokenEditFailsAndItsFixBuildsFromTheLastGoodSite() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        try site.write("Content/free/10.md", "---\ntitle: [깨진\n---\n본문\n")
        try site.write("Content/free/11.md", Self.post(11, title: "같이 고친 글", tags: ["나무"]))
        let errors = session.failure(["Content/free/10.md", "Content/free/11.md"]).filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.description.hasPrefix("Content/free/10.md:3:1: error:") == true)
        // Another edit while 10.md is broken still fails.
        try site.write("Content/free/13.md", Self.post(13, title: "또 고친 글", tags: ["나무"]))
        #expect(!session.failure(["Content/free/13.md"]).isEmpty)
        try site.write("Content/free/10.md", Self.post(10, title: "다시 고친 글", tags: ["가을"]))
        let update = try session.update(["Content/free/10.md"])
        #expect(!update.full)
        #expect(String(decoding: session.files["free/11/index.html"]!, as: UTF8.self).contains("같이 고친 글"))
    }

    @Test func settingsThemesAndAttachmentsRebuildEverything() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        try site.write("site.yml", "title: 새 이름\nper_page: 4\n")
        #expect(try session.update(["site.yml"]).full)
        let template = site.root + "/Themes/default/templates/404.mustache"
        try (String(contentsOfFile: template, encoding: .utf8) + "<!-- 바뀜 -->\n").write(toFile: template, atomically: true, encoding: .utf8)
        #expect(try session.update(["Themes/default/templates/404.mustache"]).full)
        try site.write("Content/free/그림.txt", "첨부")
        #expect(try session.update(["Content/free/그림.txt"]).full)
        try site.write("Content/free/_board.yml", "title: 자유게시판\n")
        #expect(try session.update(["Content/free/_board.yml"]).full)
        // After a broken theme, a content change rebuilds everything (the theme is read again).
        try (String(contentsOfFile: template, encoding: .utf8) + "{{#broken}}\n").write(toFile: template, atomically: true, encoding: .utf8)
        #expect(!session.failure(["Themes/default/templates/404.mustache"]).isEmpty)
        try site.write("Themes/default/templates/404.mustache", "<p>없음</p>\n")
        try site.write("Content/free/10.md", Self.post(10, title: "글 10", tags: ["가을"], body: "테마를 고친 뒤"))
        #expect(try session.update(["Content/free/10.md"]).full)
    }

    /// Random edits, seeded: after each, the partially updated site equals a full build.
    @Test(arguments: [1, 2, 3]) func randomEditsMatchAFullBuild(seed: UInt64) throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let session = try Session(site)
        var random = SplitMix(seed: seed)
        let tags = ["가을", "나무", "Swift", "swift", "다람쥐", "겨울", "ㄱ"]
        var present = Set(1...36)
        for step in 0..<30 {
            let n = Int(random.next() % 45) + 1
            let board = n % 3 == 0 ? "qna" : "free"
            let path = "Content/\(board)/\(n).md"
            var changes = [path]
            switch random.next() % 6 {
            case 0 where present.contains(n):
                try site.delete(path)
                if FileManager.default.fileExists(atPath: site.root + "/Content/\(board)/\(n).comments.yml") {
                    try site.delete("Content/\(board)/\(n).comments.yml")
                    changes.append("Content/\(board)/\(n).comments.yml")
                }
                present.remove(n)
            case 1 where present.contains(n):
                try site.write("Content/\(board)/\(n).comments.yml", Self.comments(n, count: Int(random.next() % 6) + 1))
                changes = ["Content/\(board)/\(n).comments.yml"]
            default:
                let picked = (0..<Int(random.next() % 3)).map { _ in tags[Int(random.next() % UInt64(tags.count))] }
                try site.write(
                    path,
                    Self.post(
                        n, title: random.next() % 2 == 0 ? "글 \(n)" : "바뀐 글 \(n)-\(step)", tags: picked, day: Int(random.next() % 28) + 1,
                        recommends: Int(random.next() % 12), body: random.next() % 2 == 0 ? nil : "본문 \(step) [글](\(random.next() % 45 + 1).md)"))
                present.insert(n)
            }
            try session.update(changes)
        }
    }
}

/// A small seeded generator (SplitMix64), so that random tests repeat.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
