@testable import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bulletin build` keeps a manifest and, the next time, renders and writes only what changed.
/// After every kind of change the incremental output must equal a clean build's, file by file;
/// files whose bytes did not change keep their inode and date; a build with no change writes nothing.
@Suite struct IncrementalBuildTests {
    /// (inode, modification time in ns) of every file of an output folder.
    static func stamps(_ root: String) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (path, _) in FixtureSite.tree(atPath: root) {
            var info = stat()
            guard stat(root + "/" + path, &info) == 0 else { continue }
            result[path] = [Int(info.st_ino), info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec]
        }
        return result
    }

    struct Step: CustomStringConvertible, Sendable {
        var description: String
        var change: @Sendable (FixtureSite) throws -> Void
    }

    static let steps: [Step] = [
        Step(description: "edit a post's body") { site in
            try site.write("Content/free/gen/g3.md", site.read("Content/free/gen/g3.md")!.replacingOccurrences(of: "본문입니다", with: "고친 본문입니다"))
        },
        Step(description: "edit a post's title") { site in
            try site.write("Content/humor/gen/g4.md", site.read("Content/humor/gen/g4.md")!.replacingOccurrences(of: "생성된 글 4번", with: "제목을 바꾼 글"))
        },
        Step(description: "add a post") { site in
            try site.write(
                "Content/qna/gen/new.md", "---\ntitle: 새로 올라온 질문\ndate: 2022-05-05 10:00\ntags: [질문, 공통]\n---\n[앞 글](g2.md)을 보세요.\n")
        },
        Step(description: "add comments to a post") { site in
            try site.write("Content/qna/gen/new.comments.yml", "- id: c1\n  date: 2023-02-01T00:00:00Z\n  body: 답입니다\n")
        },
        Step(description: "reply to a comment") { site in
            try site.write(
                "Content/qna/gen/new.comments.yml",
                "- id: c1\n  date: 2023-02-01T00:00:00Z\n  body: 답입니다\n- id: c2\n  reply_to: c1\n  date: 2023-02-02T00:00:00Z\n  body: 고맙습니다\n")
        },
        Step(description: "delete a comment file") { site in try site.delete("Content/free/gen/g0.comments.yml") },
        Step(description: "change a post's tags and date") { site in
            let text = site.read("Content/free/gen/g6.md")!
            try site.write(
                "Content/free/gen/g6.md",
                text.replacingOccurrences(of: "tags: [태그1, 공통]", with: "tags: [새태그]").replacingOccurrences(of: "date: 2022-01-07", with: "date: 2021-12-31"))
        },
        Step(description: "delete a post that another links to") { site in try site.delete("Content/qna/gen/g2.md") },
        Step(description: "drop an attachment") { site in try site.delete("Content/humor/gen/files/7.png") },
        Step(description: "add an attachment back") { site in try site.write("Content/humor/gen/files/7.png", Data([1, 2, 3])) },
        Step(description: "touch a file without changing it") { site in
            try site.write("Content/free/gen/g9.md", site.read("Content/free/gen/g9.md")!)
        },
        Step(description: "edit a template") { site in
            let template = site.read("Themes/default/templates/post.mustache")!
            try site.write("Themes/default/templates/post.mustache", template.replacingOccurrences(of: "</article>", with: "<p>틀 바뀜</p></article>"))
        },
        Step(description: "edit a static file") { site in
            let css = try #require(FixtureSite.tree(atPath: site.root + "/Themes/default/static").keys.first { $0.hasSuffix(".css") })
            try site.write("Themes/default/static/" + css, site.read("Themes/default/static/" + css)! + "\n/* 바뀜 */\n")
        },
        Step(description: "edit the settings") { site in
            try site.write("site.yml", site.read("site.yml")!.replacingOccurrences(of: "title: 테스트 미러", with: "title: 새 이름 미러"))
        },
        Step(description: "delete a whole folder of posts") { site in try site.delete("Content/humor/gen") },
    ]

    /// With the default choice between in place and staged, and with each forced.
    @Test(arguments: [nil, "0", "1000000"])
    func everyKindOfChangeGivesWhatACleanBuildGives(inPlaceLimit: String?) throws {
        let limit = inPlaceLimit.map { ["--in-place-limit", $0] } ?? []
        let site = try DeterminismTests.makeSite()
        defer { site.remove() }
        let folder = try temporaryFolder("incremental")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/out"
        let first = try site.bulletin("build", "--output", out)
        try #require(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("wrote"))
        try assertNothingChanges(site, out: out, after: "the first build")

        for (n, step) in Self.steps.enumerated() {
            let before = FixtureSite.tree(atPath: out)
            let beforeStamps = Self.stamps(out)
            try step.change(site)
            let incremental = try Binary.run(["build", "--output", out] + limit, in: site.root)
            try #require(incremental.status == 0, "\(step): \(incremental.stderr)")
            let clean = try site.bulletin("build", "--output", folder + "/clean\(n)", "--clean", "--manifest", folder + "/manifest\(n)")
            try #require(clean.status == 0, "\(step): \(clean.stderr)")
            #expect(incremental.stderr == clean.stderr, "\(step)")
            #expect(OutputTree(out).differences(from: OutputTree(folder + "/clean\(n)")) == [], "\(step)")

            // Files with the same bytes were not written; the others were.
            let after = FixtureSite.tree(atPath: out)
            let afterStamps = Self.stamps(out)
            var written = 0
            for (path, bytes) in after {
                if before[path] == bytes {
                    #expect(afterStamps[path] == beforeStamps[path], "\(step): \(path) was written with the same bytes")
                } else {
                    written += 1
                }
            }
            let removed = before.keys.filter { after[$0] == nil }.count
            if written == 0 && removed == 0 {
                #expect(incremental.stdout.contains("nothing written") || incremental.stdout.contains("wrote 0, removed 0"), "\(step): \(incremental.stdout)")
            } else {
                #expect(incremental.stdout.contains("wrote \(written), removed \(removed) →"), "\(step): \(incremental.stdout)")
            }
            try assertNothingChanges(site, out: out, after: step.description)
        }
    }

    /// A build right after a build says so and touches no file.
    func assertNothingChanges(_ site: FixtureSite, out: String, after step: String) throws {
        let stamps = Self.stamps(out)
        let again = try site.bulletin("build", "--output", out)
        #expect(again.status == 0, "\(step): \(again.stderr)")
        #expect(again.stdout.contains("; nothing changed, nothing written →"), "\(step): \(again.stdout)")
        #expect(Self.stamps(out) == stamps, "after \(step), a build with no change touched files")
        #expect(stagingLeftovers(beside: out) == [])
    }

    /// The generated site, built once into a fresh folder.
    struct Built {
        let site: FixtureSite
        let folder: String
        var out: String { folder + "/out" }

        init() throws {
            site = try DeterminismTests.makeSite()
            folder = try temporaryFolder("incremental")
            let first = try site.bulletin("build", "--output", folder + "/out")
            try #require(first.status == 0, "stderr: \(first.stderr)")
        }

        func remove() {
            site.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// Folders that have not changed for a while are recorded with their stamps; a build that
    /// finds them and every file as recorded lists nothing. A post added to such a folder, or
    /// one edited in place, is still seen.
    @Test func recordedFoldersAreNotListedYetEveryChangeIsSeen() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, folder, out) = (built.site, built.folder, built.out)
        let manifest = folder + "/.out.bulletin-manifest"
        let changes: [(String, () throws -> Void)] = [
            ("a post added", { try site.write("Content/qna/gen/added.md", "---\ntitle: 나중에 온 질문\ndate: 2022-05-06 10:00\n---\n본문\n") }),
            ("a post edited", {
                let fd = open(site.root + "/Content/free/gen/g3.md", O_WRONLY | O_APPEND)
                #expect(fd >= 0)
                _ = "\n덧붙인 줄\n".withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }),
        ]
        for (n, (change, make)) in changes.enumerated() {
            // Folders changed within the last two seconds are not trusted.
            usleep(2_200_000)
            let recording = try site.bulletin("build", "--output", out)
            #expect(recording.stdout.contains("nothing written"), "\(change): \(recording.stdout)")
            #expect(try String(contentsOfFile: manifest, encoding: .utf8).contains("\ndir\tContent/qna/gen\t"), "\(change)")
            let quick = try Binary.run(["build", "--output", out], in: site.root, environment: ["BULLETIN_STEPS": "1"])
            #expect(quick.stdout.contains("nothing written") && quick.stderr.contains("the folders and files it recorded"), "\(change): \(quick.stderr)")
            try make()
            let incremental = try site.bulletin("build", "--output", out)
            #expect(incremental.status == 0 && !incremental.stdout.contains("nothing"), "\(change): \(incremental.stdout)")
            let clean = try site.bulletin("build", "--output", folder + "/clean\(n)", "--clean", "--manifest", folder + "/manifest\(n)")
            try #require(clean.status == 0)
            #expect(OutputTree(out).differences(from: OutputTree(folder + "/clean\(n)")) == [], "\(change)")
        }
    }

    @Test func aFileChangedBehindTheBuildsBackIsWrittenAgain() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, out) = (built.site, built.out)
        let page = try #require(FixtureSite.tree(atPath: out).keys.first { $0.hasPrefix("free/") && $0.hasSuffix("/index.html") })
        let original = try String(contentsOfFile: out + "/" + page, encoding: .utf8)
        try "망가뜨림".write(toFile: out + "/" + page, atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: out + "/feed.xml")
        let again = try site.bulletin("build", "--output", out)
        #expect(again.status == 0)
        #expect(again.stdout.contains("wrote 2, removed 0"), "\(again.stdout)")
        #expect(try String(contentsOfFile: out + "/" + page, encoding: .utf8) == original)
        #expect(FileManager.default.fileExists(atPath: out + "/feed.xml"))
    }

    /// CI restores the last output from a cache: new inodes and dates, the same bytes.
    @Test func aRestoredCopyOfTheOutputIsRecognisedByItsBytes() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, folder, out) = (built.site, built.folder, built.out)
        try FileManager.default.copyItem(atPath: out, toPath: folder + "/copy")
        try FileManager.default.removeItem(atPath: out)
        try FileManager.default.moveItem(atPath: folder + "/copy", toPath: out)
        let stamps = Self.stamps(out)
        let same = try site.bulletin("build", "--output", out)
        #expect(same.stdout.contains("nothing written"), "\(same.stdout)")
        #expect(Self.stamps(out) == stamps)
        try site.write("Content/free/gen/g3.md", site.read("Content/free/gen/g3.md")!.replacingOccurrences(of: "본문입니다", with: "고친 본문입니다"))
        let edited = try site.bulletin("build", "--output", out)
        // The post's page, the feeds that show the post, and the search index's files that hold its words.
        let changed = Self.stamps(out).filter { stamps[$0.key] != $0.value }.keys.sorted()
        let pages = changed.filter { !$0.hasPrefix("search/") }
        #expect(pages.count == 2 && pages.allSatisfy { $0.hasSuffix("feed.xml") || $0.hasSuffix("/index.html") }, "\(changed)")
        #expect(changed.contains { $0.hasPrefix("search/s/") } && changed.contains { $0.hasPrefix("search/d/") }, "\(changed)")
        #expect(edited.stdout.contains("rendered 1, wrote \(changed.count), removed 0"), "\(edited.stdout)")
    }

    /// CI builds Bulletin again on every run: a new file with the same program is the same tool,
    /// and one with another program renders every page again (writing only what changed).
    @Test func bulletinIsKnownByItsProgramNotItsFile() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, folder, out) = (built.site, built.folder, built.out)
        let stamps = Self.stamps(out)
        let copy = folder + "/bulletin-copy"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Binary.path)))
        let sections = try #require(ExecutableIdentity.sections(of: bytes))
        // What two builds of the same source differ in does not count.
        for name in [".swift_modhash", ".debug_info"] {
            let section = try #require(sections.first { $0.name == name && $0.size > 0 }, "\(name)")
            bytes[section.offset] ^= 0xFF
        }
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        chmod(copy, 0o755)
        let same = try Binary.run(["build", "--output", out], in: site.root, executable: copy)
        #expect(same.stdout.contains("nothing changed, nothing written"), "\(same.stdout) \(same.stderr)")
        let again = try Binary.run(["build", "--output", out], in: site.root, executable: copy)
        #expect(again.stdout.contains("nothing changed, nothing written"), "\(again.stdout)")
        // Another compiler (its name is in .comment, which is not loaded): another Bulletin.
        let comment = try #require(sections.first { $0.name == ".comment" && $0.size > 0 })
        bytes[comment.offset] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        let other = try Binary.run(["build", "--output", out], in: site.root, executable: copy)
        #expect(other.status == 0, "\(other.stderr)")
        #expect(other.stdout.contains("wrote 0, removed 0") && !other.stdout.contains("rendered 0,"), "\(other.stdout)")
        #expect(Self.stamps(out) == stamps)
    }

    /// A `--clean` build renders everything, yet takes Bulletin's identity from the last
    /// manifest's header when the executable has the stamp recorded there, instead of hashing
    /// the executable again: a hash planted in the header is what the next manifest records.
    @Test func aCleanBuildTakesTheIdentityFromTheLastManifest() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, folder, out) = (built.site, built.folder, built.out)
        let manifest = folder + "/.out.bulletin-manifest"
        func header(_ tag: String) throws -> [Substring] {
            let text = try String(contentsOfFile: manifest, encoding: .utf8)
            return try #require(text.split(separator: "\n").first { $0.hasPrefix(tag + "\t") }).split(separator: "\t")
        }
        let exe = try header("exe")
        let real = String(try #require(exe.last))
        let planted = "1234567"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try (text.replacingOccurrences(of: exe.joined(separator: "\t"), with: (exe.dropLast() + [Substring(planted)]).joined(separator: "\t")))
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let clean = try site.bulletin("build", "--output", out, "--clean")
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(try header("exe").last == Substring(planted))
        #expect(try header("tool")[1].hasPrefix("bulletin \(planted) "))
        // Without a manifest, the executable is hashed.
        try FileManager.default.removeItem(atPath: manifest)
        let fresh = try site.bulletin("build", "--output", out, "--clean")
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try header("exe").last == Substring(real))
    }

    @Test func aBrokenEditLeavesThePublishedSiteAndTheNextBuildCatchesUp() throws {
        let built = try Built()
        defer { built.remove() }
        let (site, folder, out) = (built.site, built.folder, built.out)
        let stamps = Self.stamps(out)
        let good = try #require(site.read("Content/free/gen/g3.md"))
        try site.write("Content/free/gen/g3.md", "---\ntitle: [깨진\n---\n")
        let broken = try site.bulletin("build", "--output", out)
        #expect(broken.status != 0)
        #expect(Self.stamps(out) == stamps)
        try site.write("Content/free/gen/g3.md", good.replacingOccurrences(of: "본문", with: "고친 본문"))
        let fixed = try site.bulletin("build", "--output", out)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let clean = try site.bulletin("build", "--output", folder + "/clean", "--clean", "--manifest", folder + "/manifest")
        #expect(clean.status == 0)
        #expect(OutputTree(out).differences(from: OutputTree(folder + "/clean")) == [])
    }
}
