@testable import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// `bulletin import`: captures in every format merged into `Content/`, in any order, any number
/// of times, to the same files; a failed import changes nothing.
struct ImportTests {
    static let fixtures = FixtureSite.repository + "/Tests/BulletinKitTests/ImportFixtures"
    static let captures = fixtures + "/captures"
    static let all = ["day1", "day2.jsonl", "day3-cp949.jsonl", "day4-euckr.jsonl"].map { captures + "/" + $0 }

    /// A fresh copy of the fixture site; removed by the caller.
    func site() throws -> String {
        let root = FileManager.default.temporaryDirectory.path + "/bulletin-import-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: Self.fixtures + "/site", toPath: root)
        return root
    }

    /// Every file below `folder`, by relative path.
    func tree(_ folder: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder)! {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = Array(FileManager.default.contents(atPath: folder + "/" + path)!)
            }
        }
        return files
    }

    /// The same files with the same bytes; a difference is named by its path.
    func expectSame(_ tree: [String: [UInt8]], _ expected: [String: [UInt8]], _ comment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(tree.keys.sorted() == expected.keys.sorted(), "\(comment)", sourceLocation: sourceLocation)
        for (path, bytes) in expected where tree[path] != nil && tree[path] != bytes {
            Issue.record("\(comment): \(path) differs:\n\(String(decoding: tree[path]!, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    func run(_ captures: [String], in root: String, dryRun: Bool = false) -> Importer.Report {
        Importer(options: .init(source: root, dryRun: dryRun)).run(captures)
    }

    /// The fixture captures (a folder, JSON Lines in UTF-8, CP949 and EUC-KR) merged in three
    /// orders, one of them imported twice, give the expected `Content/`, byte for byte.
    @Test func capturesInAnyOrderGiveTheExpectedContent() throws {
        let expected = tree(Self.fixtures + "/expected-Content")
        #expect(expected.count == 16)
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
            let root = try site()
            defer { try? FileManager.default.removeItem(atPath: root) }
            for i in order {
                let report = run([Self.all[i]], in: root)
                #expect(!report.failed, "\(report.diagnostics)")
            }
            expectSame(tree(root + "/Content"), expected, "order \(order)")
            // Again, all at once: nothing changes.
            let again = run(Self.all, in: root)
            #expect(again.changes.isEmpty && !again.failed)
            expectSame(tree(root + "/Content"), expected, "again")
            // The merged site builds without a warning.
            let loaded = SiteLoader.load(source: root, display: ".")
            #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
            let post = try #require(loaded.post("free", "500"))
            #expect(post.title == "점심 메뉴 추천 받습니다 (해결)" && post.views == 90 && post.edited != nil)
            #expect(post.versions.map(\.title) == ["점심 메뉴 추천 받습니다"])
            // Comment 2 was missing from the whole thread of the second capture; 3 came in CP949.
            #expect(post.comments.map(\.id) == ["1", "2", "3"] && post.comments.map(\.deleted) == [false, true, false])
            #expect(post.comments[1].body == "거기 줄 길던데요" && post.comments[2].author == "똠방각하")
            let gone = try #require(loaded.post("free", "501"))
            #expect(gone.deleted && gone.deletedAt == instantUTC(2024, 6, 21, 3) && gone.body.contains("사라집니다"))
            #expect(loaded.post("notice", "1")?.title == "공지 사항입니다")
            // A scraper's HTML, as Markdown: structure kept, the script and the javascript: link gone.
            let html = try #require(loaded.post("free", "503"))
            #expect(html.body.contains("**굵게**") && html.body.contains("- 둘 [링크](https://example.com/a)") && html.body.contains("> 인용문"))
            #expect(!html.body.contains("alert") && !html.body.contains("javascript") && html.body.contains("\\*별표\\*"))
            #expect(html.comments.first?.body == "좋네요\\\n**정말** \\& 고마워요\n")
            // The picture two captures linked (under two names, the same bytes) is stored once, by
            // its hash; both versions of the post link to it. A missing one keeps its link.
            let stored = expected.keys.filter { $0.hasPrefix("free/attachments/") }
            #expect(stored.count == 1)
            #expect(post.body.contains("](/\(stored[0]))") && post.versions[0].body.contains("](/\(stored[0]))"))
            #expect(loaded.post("free", "502")?.body.contains("](missing.png)") == true)
        }
    }

    /// A post that no capture covers keeps its file as it was written.
    @Test func contentNoCaptureCoversIsLeftAlone() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = FileManager.default.contents(atPath: root + "/Content/free/400.md")
        _ = run(Self.all, in: root)
        #expect(FileManager.default.contents(atPath: root + "/Content/free/400.md") == before)
        #expect(!FileManager.default.fileExists(atPath: root + "/Content/free/400.history.json"))
    }

    /// A bad line anywhere fails the whole import: every error is reported with its line, and
    /// `Content/` stays byte for byte as it was.
    @Test func aFailedImportLeavesContentAsItWas() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = run([Self.all[0]], in: root)
        let before = tree(root + "/Content")
        let report = run([Self.all[1], Self.captures + "/broken.jsonl"], in: root)
        #expect(report.failed)
        #expect(report.diagnostics.map(\.description).contains { $0.hasPrefix(Self.captures + "/broken.jsonl:3:1: error:") })
        #expect(tree(root + "/Content") == before)
    }

    @Test func dryRunTellsAndWritesNothing() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = tree(root + "/Content")
        let report = run(Self.all, in: root, dryRun: true)
        #expect(report.changes.count == 15 && report.changes.allSatisfy(\.isNew))
        #expect(tree(root + "/Content") == before)
    }

    @Test func legacyEncodingsAreDetectedOrGiven() throws {
        // 한국 in EUC-KR (and CP949); 똠 exists only in CP949.
        let hangul: [UInt8] = [0xC7, 0xD1, 0xB1, 0xB9]
        #expect(try CaptureEncoding.decode(hangul, given: nil).get() == "한국")
        #expect(try CaptureEncoding.decode(hangul, given: .eucKR).get() == "한국")
        let cp949 = Array(FileManager.default.contents(atPath: Self.captures + "/day3-cp949.jsonl")!)
        #expect(try CaptureEncoding.decode(cp949, given: nil).get().contains("똠방각하"))
        // Read as EUC-KR, CP949's extra syllables are lost.
        #expect(try !CaptureEncoding.decode(cp949, given: .eucKR).get().contains("똠"))
        // Given UTF-8, a legacy file fails at its first non-ASCII byte.
        let failure = CaptureEncoding.decode(Array("ab".utf8) + hangul, given: .utf8)
        guard case .failure(let f) = failure else {
            Issue.record("decoded")
            return
        }
        #expect(f.offset == 2)
        // Decomposed Hangul becomes NFC.
        #expect(try CaptureEncoding.decode(Array("한".decomposedStringWithCanonicalMapping.utf8), given: nil).get().unicodeScalars.count == 1)
    }

    /// A folder capture in EUC-KR is read from a UTF-8 copy; one given as UTF-8 that is not
    /// fails at the byte.
    @Test func aFolderCaptureInALegacyEncoding() throws {
        let root = try site()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let capture = root + "-capture"
        defer { try? FileManager.default.removeItem(atPath: capture) }
        try FileManager.default.createDirectory(atPath: capture + "/Content/notice", withIntermediateDirectories: true)
        try Data("title: 옛 수집\n".utf8).write(to: URL(fileURLWithPath: capture + "/site.yml"))
        // 공지 and 한국 in EUC-KR.
        let post = Array("---\ntitle: ".utf8) + [0xB0, 0xF8, 0xC1, 0xF6] + Array("\ndate: 2024-06-25 10:00\ncaptured: 2024-06-25 12:00\n---\n".utf8) + [0xC7, 0xD1, 0xB1, 0xB9, 0x0A]
        try Data(post).write(to: URL(fileURLWithPath: capture + "/Content/notice/7.md"))
        let failed = Importer(options: .init(source: root, encoding: .utf8)).run([capture])
        #expect(failed.failed && failed.diagnostics.map(\.description).contains { $0.contains("notice/7.md:2:8: error:") })
        let report = run([capture], in: root)
        #expect(!report.failed, "\(report.diagnostics)")
        let loaded = SiteLoader.load(source: root, display: ".")
        #expect(loaded.post("notice", "7")?.title == "공지" && loaded.post("notice", "7")?.body == "한국\n")
    }

    /// The merge is a join: random captures of a few posts (edits, posts and comments that come
    /// and go, threads captured whole or not, coverage), merged in two random orders, and once
    /// more, give the same history and the same files.
    @Test func mergingIsOrderIndependentAndIdempotent() {
        var random = SplitMix(seed: 7)
        let writer = ContentWriter(clock: seoul)
        for _ in 0..<300 {
            var observations: [PostObservation] = []
            var coverage: [Coverage] = []
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let time = Timestamp(seconds: 1_700_000_000 + Int64(Int.random(in: 0...5, using: &random)) * 3600)
                if Int.random(in: 0...2, using: &random) > 0 { coverage.append(Coverage(board: "b", captured: time, from: Int.random(in: 0...1, using: &random) == 0 ? nil : 1, to: 2)) }
                for id in ["1", "2", "3"] where Int.random(in: 0...3, using: &random) > 0 {
                    let deleted = Int.random(in: 0...5, using: &random) == 0
                    let comments = (1...4).compactMap { c -> CommentObservation? in
                        guard Int.random(in: 0...2, using: &random) > 0 else { return nil }
                        return CommentObservation(
                            id: "c\(c)", body: ["좋아요", "별로", ""][Int.random(in: 0...2, using: &random)],
                            fields: CommentFields(author: "익명", date: Timestamp(seconds: 1_699_990_000 + Int64(c)), recommends: Int.random(in: 0...2, using: &random), deletedOnBoard: Int.random(in: 0...4, using: &random) == 0))
                    }
                    observations.append(
                        PostObservation(
                            board: "b", id: id, captured: time, title: ["제목", "고친 제목"][Int.random(in: 0...1, using: &random)], body: deleted ? "" : ["본문", "고친 본문"][Int.random(in: 0...1, using: &random)],
                            fields: PostFields(author: "익명", date: Timestamp(seconds: 1_699_000_000), views: Int.random(in: 0...100, using: &random), deletedOnBoard: deleted),
                            comments: Int.random(in: 0...3, using: &random) == 0 ? nil : comments, fullThread: Int.random(in: 0...1, using: &random) == 0))
                }
            }
            func merged(_ list: [PostObservation]) -> [String] {
                var histories: [String: PostHistory] = [:]
                for o in list {
                    if histories[o.id] == nil { histories[o.id] = PostHistory(o) } else { histories[o.id]!.merge(PostHistory(o)) }
                }
                let covered = Array(Set(coverage)).sorted(by: Coverage.order)
                return histories.keys.sorted().map { id in
                    let h = histories[id]!
                    return String(decoding: HistoryFile.encode(h) + writer.post(h, stem: id, coverage: covered) + (writer.comments(h) ?? []), as: UTF8.self)
                }
            }
            let first = merged(observations)
            #expect(merged(observations.shuffled(using: &random)) == first)
            #expect(merged(observations + observations.shuffled(using: &random)) == first)
            // A history read back from its file merges as the original does.
            for o in observations.prefix(1) {
                let h = PostHistory(o)
                #expect((try? HistoryFile.decode(HistoryFile.encode(h))) == h)
            }
        }
    }
}
