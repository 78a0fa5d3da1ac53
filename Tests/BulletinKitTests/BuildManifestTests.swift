@testable import BulletinKit
import Foundation
import Testing

/// The manifest that builds keep between runs, and the hash it is made of.
struct BuildManifestTests {
    static func sample() -> BuildManifest {
        var manifest = BuildManifest(tool: "bulletin 1 2 base_url=-", settings: -42, theme: "기본", output: "/srv/게시판\tmirror")
        manifest.report = .init(posts: 3, comments: 4, pages: 5, bytes: 6, diagnostics: [.warning(SourceLocation(path: "Content/free/1.md", line: 2, column: 3), "줄\n바꿈 \\ 역슬래시")])
        let stamp = FileStamp(size: 10, modified: 1_795_000_000_123_456_789, changed: -1, inode: UInt64.max)
        manifest.inputs["Content/free/탭\t이름.md"] = .init(stamp: stamp, hash: Int.min)
        manifest.inputs["site.yml"] = .init(stamp: stamp, hash: 7)
        manifest.folders["Content"] = stamp
        manifest.folders["Content/free\t탭"] = FileStamp(size: 4096, modified: 1, changed: 2, inode: 3)
        manifest.executable = .init(stamp: stamp, hash: -5)
        manifest.outputs["free/1/index.html"] = .init(
            hash: 99, stamp: stamp,
            page: .init(
                fingerprint: 12, linkTargets: ["free/2.md", "a\u{1F}b"], attachments: ["free/img/고양이.png"],
                diagnostics: [.error(SourceLocation(path: "x"), "e\r")]))
        manifest.outputs["free/empty/index.html"] = .init(hash: 1, stamp: stamp, page: .init(fingerprint: 0, linkTargets: [], attachments: [], diagnostics: []))
        manifest.outputs["feed.xml"] = .init(hash: 2, stamp: stamp)
        return manifest
    }

    @Test func pathsSortedOnTwoThreadsAreSortedAsOnOne() {
        var random = SplitMix(seed: 7)
        var paths: [String] = []
        for i in 0..<20_000 {
            let folder = "board\(random.next() % 5)/\(random.next() % 100_000)/"
            let name = i % 3 == 0 ? "글\(i)" : "index.html\(i)"
            paths.append(folder + name)
        }
        #expect(parallelSorted(paths, jobs: 2, by: BuildManifest.byBytes) == paths.sorted(by: BuildManifest.byBytes))
        #expect(parallelSorted(Array(paths.prefix(100)), jobs: 2, by: BuildManifest.byBytes) == paths.prefix(100).sorted(by: BuildManifest.byBytes))
    }

    @Test func readsBackWhatItWrote() {
        let manifest = Self.sample()
        let bytes = manifest.encoded()
        #expect(BuildManifest.decode(bytes) == manifest)
        // One line per record: the escapes keep tabs and newlines of names inside their field.
        #expect(bytes.split(separator: UInt8(ascii: "\n")).count == 1 + 6 + 1 + 2 + 2 + 3 + 1)
    }

    @Test(arguments: [0, 1, 7, 40, 200])
    func aDamagedManifestIsNoManifest(_ cut: Int) {
        let bytes = Self.sample().encoded()
        #expect(BuildManifest.decode(Array(bytes.dropLast(1 + cut))) == nil)
    }

    @Test func anotherFormatIsNoManifest() {
        var bytes = Self.sample().encoded()
        // The format line's number, one higher.
        bytes[bytes.firstIndex(of: UInt8(ascii: "\n"))! - 1] &+= 1
        #expect(BuildManifest.decode(bytes) == nil)
    }

    /// The published files found as the manifest left them are marked, on two threads, in
    /// chunks: files edited in place, replaced, deleted or turned into folders are not.
    @Test func publishedFilesWithTheirStampsAreMarkedUnchanged() throws {
        let folder = "/tmp/bulletin-published-check-\(getpid())"
        defer { _ = try? FileManager.default.removeItem(atPath: folder) }
        for name in ["게시판", "자유", "자유/2"] { try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true) }
        var manifest = BuildManifest(output: folder)
        // More files than one chunk, so that both threads take some, in several folders (each
        // path is looked up from its first folder, held open while the paths share it), at the
        // top, and with names that the manifest escapes.
        for i in 0..<(StampCheck.chunk * 3 + 5) {
            let path = i % 97 == 0 ? "탭\t\(i).html" : i % 89 == 0 ? "자유/2/역\\\(i).html" : i % 3 == 0 ? "자유/\(i).html" : "게시판/\(i).html"
            try Data("글 \(i)".utf8).write(to: URL(fileURLWithPath: folder + "/" + path))
            let stamp = try #require(FileStamp.of(folder + "/" + path, withChangeTime: false))
            manifest.outputs[path] = .init(hash: i, stamp: stamp)
        }
        let edited = "게시판/7.html", deleted = "게시판/601.html", replaced = "게시판/1000.html", folderNow = "게시판/1501.html"
        try Data("고친 글이 더 깁니다".utf8).write(to: URL(fileURLWithPath: folder + "/" + edited))
        try FileManager.default.removeItem(atPath: folder + "/" + deleted)
        // Same bytes in a new file (another inode: both exist until the rename).
        try Data("글 1000".utf8).write(to: URL(fileURLWithPath: folder + "/new"))
        #expect(rename(folder + "/new", folder + "/" + replaced) == 0)
        try FileManager.default.removeItem(atPath: folder + "/" + folderNow)
        try FileManager.default.createDirectory(atPath: folder + "/" + folderNow, withIntermediateDirectories: false)
        manifest.outputs["never-written.html"] = .init(hash: 0, stamp: FileStamp(size: 1, modified: 2, changed: 0, inode: 3))

        // Read from the manifest's text, as a build reads it.
        let text = try #require(ManifestText(manifest.encoded()))
        let check = StampCheck(source: folder)
        _ = both({ check.read(text) }, { check.help() })
        manifest = try #require(text.decoded(found: check.seen()))
        let changed = Set(manifest.outputs.filter { !$0.value.seenUnchanged }.keys)
        #expect(changed == [edited, deleted, replaced, folderNow, "never-written.html"])
        #expect(manifest.outputs["자유/2/역\\178.html"]?.seenUnchanged == true)
        #expect(manifest.outputs["탭\t194.html"]?.seenUnchanged == true)
        // A marked file is taken as it is without looking at it again; the others are looked at.
        let record = manifest.outputs["게시판/4.html"]!
        #expect(ManifestOutput.stamp(of: "/nonexistent", ifItHolds: record) == record.stamp)
        #expect(ManifestOutput.stamp(of: folder + "/" + deleted, ifItHolds: manifest.outputs[deleted]!) == nil)
    }

    /// `Content/` is listed by one thread, then its files are looked at in chunks by any: the
    /// same files and stamps as a walk gives (hidden names skipped, links to files followed,
    /// links to folders not), compared with the manifest's records on the way.
    @Test func contentFilesAreListedThenLookedAtInChunks() throws {
        let root = "/tmp/bulletin-stamp-check-\(getpid())"
        defer { _ = try? FileManager.default.removeItem(atPath: root) }
        let board = root + "/Content/자유"
        for folder in [board + "/2024/06", board + "/.git", root + "/elsewhere"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        for i in 0..<(StampCheck.chunk * 2 + 7) { try Data("글 \(i)".utf8).write(to: URL(fileURLWithPath: board + "/\(i).md")) }
        for name in ["2024/06/812320.md", ".hidden.md", ".git/HEAD"] { try Data("x".utf8).write(to: URL(fileURLWithPath: board + "/" + name)) }
        try Data("site".utf8).write(to: URL(fileURLWithPath: root + "/Content/_notes.yml"))
        try Data("linked".utf8).write(to: URL(fileURLWithPath: root + "/elsewhere/linked.md"))
        #expect(symlink(root + "/elsewhere/linked.md", board + "/linked.md") == 0)
        #expect(symlink(root + "/elsewhere", board + "/linked-folder") == 0)

        let walked = FileStamp.tree(root, "Content", withChangeTime: true, jobs: 1)
        #expect(walked.count == StampCheck.chunk * 2 + 7 + 3)
        // Only the paths: the same files, and no stamp taken but a linked file's.
        let named = FileStamp.tree(root, "Content", withChangeTime: true, stamped: false, jobs: 2)
        #expect(named.count == walked.count && Set(named.map(\.path)) == Set(walked.map(\.path)))
        #expect(named.filter { $0.stamp != .notTaken }.map(\.path) == ["Content/자유/linked.md"])
        func same(_ files: [(path: String, stamp: FileStamp)]) -> Bool {
            files.count == walked.count && Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.stamp) }) == Dictionary(uniqueKeysWithValues: walked.map { ($0.path, $0.stamp) })
        }
        // No manifest: listed and looked at on two threads, compared with nothing.
        let alone = StampCheck(source: root)
        _ = both({ alone.read(nil) }, { alone.walk() })
        #expect(same(alone.contentFiles().files))
        #expect(!alone.contentFiles().allRecorded)

        // A build that renders everything: a regular file's stamp is left to be taken as it is
        // read (a linked file's is taken at once), and any not read is taken afterwards. The
        // stamps are the same either way, and reading gives the same stamp.
        let reading = StampCheck(source: root, stampsTakenByReading: true)
        _ = both({ reading.read(nil) }, { reading.walk() })
        let deferred = reading.contentFiles().files
        #expect(deferred.filter { $0.stamp != .notTaken }.map(\.path) == ["Content/자유/linked.md"])
        let first = try #require(deferred.first { $0.stamp == .notTaken }).path
        var readStamp: FileStamp?
        #expect((try? readFile(root + "/" + first, limit: .max, stamp: &readStamp).get()) != nil)
        #expect(readStamp == FileStamp.of(root + "/" + first, withChangeTime: true))
        #expect(same(SiteBuilder.takingStamps(of: deferred, read: [first: try #require(readStamp)], source: root)))

        // A manifest that recorded every file: all recorded, until one file changes.
        var manifest = BuildManifest(output: root + "/public")
        for (path, stamp) in walked { manifest.inputs[path] = .init(stamp: stamp, hash: 0) }
        func check(_ manifest: BuildManifest) throws -> (files: [(path: String, stamp: FileStamp)], allRecorded: Bool) {
            let check = StampCheck(source: root)
            check.read(try #require(ManifestText(manifest.encoded())))
            check.list()
            return check.contentFiles()
        }
        #expect(try check(manifest).allRecorded)
        #expect(try same(check(manifest).files))
        var missing = manifest
        missing.inputs["Content/자유/77.md"] = nil
        #expect(try !check(missing).allRecorded)
        try Data("고친 글".utf8).write(to: URL(fileURLWithPath: board + "/513.md"))
        #expect(try !check(manifest).allRecorded)
    }

    /// With the folders' stamps recorded, nothing is listed: every folder and content file is
    /// looked at as the manifest recorded it, and any name added, removed or changed, or any
    /// file changed, sends the build back to listing. A folder with a link is not trusted.
    @Test func recordedFoldersSpareTheListingUntilSomethingChanges() throws {
        let root = "/tmp/bulletin-recorded-folders-\(getpid())"
        defer { _ = try? FileManager.default.removeItem(atPath: root) }
        let board = root + "/Content/자유"
        try FileManager.default.createDirectory(atPath: board + "/2024", withIntermediateDirectories: true)
        for i in 0..<(StampCheck.chunk + 9) { try Data("글 \(i)".utf8).write(to: URL(fileURLWithPath: board + "/\(i).md")) }
        try Data("깊은 글".utf8).write(to: URL(fileURLWithPath: board + "/2024/1.md"))
        // What a build records: the listing's folders and files.
        func recorded() -> BuildManifest {
            let check = StampCheck(source: root)
            _ = both({ check.read(nil) }, { check.walk() })
            var manifest = BuildManifest(output: root + "/public")
            manifest.folders = check.listedFolderStamps()
            for (path, stamp) in check.contentFiles().files { manifest.inputs[path] = .init(stamp: stamp, hash: 0) }
            manifest.inputs["site.yml"] = .init(stamp: FileStamp(size: 0, modified: 0, changed: 0, inode: 0), hash: 0)
            return manifest
        }
        /// Whether a build with `manifest` must list `Content/`, and whether it did not list it.
        func listingNeeded(_ manifest: BuildManifest) throws -> (needed: Bool, spared: Bool) {
            let text = try #require(ManifestText(manifest.encoded()))
            let check = StampCheck(source: root)
            _ = both({ check.read(text) }, { check.walk() })
            return (check.listingNeeded, !check.isListed)
        }
        var manifest = recorded()
        #expect(manifest.folders.keys.sorted() == ["Content", "Content/자유", "Content/자유/2024"])
        #expect(try listingNeeded(manifest) == (false, true))
        // Each change, in a file system tick of its own.
        let changes: [(String, () throws -> Void)] = [
            ("a file added", { try Data("새 글".utf8).write(to: URL(fileURLWithPath: board + "/new.md")) }),
            ("a file edited in place", { try Data("고친 글".utf8).write(to: URL(fileURLWithPath: board + "/7.md")) }),
            ("a file removed", { try FileManager.default.removeItem(atPath: board + "/8.md") }),
            ("a file added deeper", { try Data("더 깊은 글".utf8).write(to: URL(fileURLWithPath: board + "/2024/2.md")) }),
            ("a folder added", { try FileManager.default.createDirectory(atPath: board + "/2025", withIntermediateDirectories: false) }),
            ("a hidden file added", { try Data("x".utf8).write(to: URL(fileURLWithPath: board + "/.hidden")) }),
        ]
        for (change, make) in changes {
            manifest = recorded()
            usleep(20_000)
            try make()
            #expect(try listingNeeded(manifest).needed, "\(change)")
        }
        // A manifest without folders (a link in one): listed every time.
        manifest = recorded()
        #expect(symlink(board + "/1.md", board + "/link.md") == 0)
        let check = StampCheck(source: root)
        _ = both({ check.read(nil) }, { check.walk() })
        #expect(check.folderStamps().isEmpty && !check.listedFolderStamps().isEmpty)
        manifest.folders = [:]
        #expect(try listingNeeded(manifest) == (true, false))
    }

    /// `Content` may itself be a link to a folder kept elsewhere: the listing opens it through the
    /// link, and the recorded stamp of `Content` is looked at through it too, so that nothing
    /// needs listing while nothing changed.
    @Test func aLinkedContentFolderIsRecordedThroughItsLink() throws {
        let root = "/tmp/bulletin-linked-content-\(getpid())"
        defer { _ = try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/kept/자유", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/site", withIntermediateDirectories: true)
        for i in 0..<5 { try Data("글 \(i)".utf8).write(to: URL(fileURLWithPath: root + "/kept/자유/\(i).md")) }
        #expect(symlink(root + "/kept", root + "/site/Content") == 0)
        // Older than the listing's two seconds of doubt.
        usleep(2_100_000)
        let listing = StampCheck(source: root + "/site")
        _ = both({ listing.read(nil) }, { listing.walk() })
        var manifest = BuildManifest(output: root + "/public")
        manifest.folders = listing.folderStamps()
        #expect(manifest.folders.keys.sorted() == ["Content", "Content/자유"])
        for (path, stamp) in listing.contentFiles().files { manifest.inputs[path] = .init(stamp: stamp, hash: 0) }
        let text = try #require(ManifestText(manifest.encoded()))
        let check = StampCheck(source: root + "/site")
        _ = both({ check.read(text) }, { check.walk() })
        #expect(!check.listingNeeded && !check.isListed)
    }

    /// The check that nothing changed finds each input's line in the text without decoding it.
    @Test func inputsAreFoundInTheTextByTheirPaths() throws {
        let manifest = Self.sample()
        let text = try #require(ManifestText(manifest.encoded()))
        #expect(text.header.tool == manifest.tool && text.header.theme == manifest.theme && text.header.report == manifest.report)
        #expect(text.inputLines.count == 2 && text.outputLines.count == 3)
        let stamp = FileStamp(size: 1, modified: 2, changed: 3, inode: 4)
        let files = [("site.yml", stamp), ("Content/free/탭\t이름.md", stamp)]
        let records = try #require(text.inputRecords(for: files))
        #expect(records == [manifest.inputs["site.yml"]!, manifest.inputs["Content/free/탭\t이름.md"]!])
        #expect(text.inputRecords(for: [("Content/free/탭 이름.md", stamp)]) == nil)
        #expect(text.inputRecords(for: [("site.ym", stamp)]) == nil)
        #expect(text.inputRecords(for: []) == [])
        let outputs = try #require(text.outputRecords([0, 2]))
        #expect(outputs.map(\.path) == ["feed.xml", "free/empty/index.html"])
        #expect(outputs[0].record == manifest.outputs["feed.xml"]!)
    }

    /// A big manifest is scanned in two parts, one on each thread of the check: the same lines
    /// as one scan finds. A header that reaches past the cut (a build with many diagnostics) is
    /// scanned whole.
    @Test func aBigManifestIsScannedInTwoParts() throws {
        var manifest = Self.sample()
        let stamp = FileStamp(size: 1, modified: 2, changed: 3, inode: 4)
        for i in 0..<6000 {
            manifest.inputs["Content/free/\(i).md"] = .init(stamp: stamp, hash: i)
            manifest.outputs["free/\(i)/index.html"] = .init(hash: i, stamp: stamp)
        }
        let bytes = ManifestText.Bytes(manifest.encoded())
        let cut = try #require(ManifestText.split(bytes))
        let parts = bytes.withUnsafeBufferPointer { [ManifestText.scan($0, from: 0, to: cut), ManifestText.scan($0, from: cut, to: $0.count)] }
        #expect(parts.allSatisfy { !$0.outputs.isEmpty })
        let one = try #require(ManifestText(bytes))
        let two = try #require(ManifestText(bytes, parts: parts))
        #expect(two.header == one.header && two.folderLines == one.folderLines && two.inputLines == one.inputLines)
        #expect(two.outputLines == one.outputLines && two.contentInputs == one.contentInputs && two.contentInputs.count == 6001)
        #expect(two.decoded() == manifest)
        #expect(two.inputRecords(for: [("site.yml", stamp), ("Content/free/5999.md", stamp)]) == [manifest.inputs["site.yml"]!, manifest.inputs["Content/free/5999.md"]!])

        // As a build reads it: mapped, its second half scanned by the other thread.
        let path = "/tmp/bulletin-two-parts-\(getpid())"
        defer { unlink(path) }
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: path))
        let check = StampCheck(source: "/nonexistent")
        let read = try #require(both({ check.read(mapping: path) }, { check.walk() }).0)
        #expect(read.inputLines == one.inputLines && read.outputLines == one.outputLines && read.header == one.header)

        // Many diagnostics: the second part holds header lines, which one scan of all reads.
        var noisy = BuildManifest(output: "/srv/mirror")
        noisy.report.diagnostics = (0..<20_000).map { .warning(SourceLocation(path: "Content/free/\($0).md"), "경고 \($0)") }
        noisy.inputs["site.yml"] = .init(stamp: stamp, hash: 1)
        let noisyBytes = ManifestText.Bytes(noisy.encoded())
        let noisyCut = try #require(ManifestText.split(noisyBytes))
        let noisyParts = noisyBytes.withUnsafeBufferPointer { [ManifestText.scan($0, from: 0, to: noisyCut), ManifestText.scan($0, from: noisyCut, to: $0.count)] }
        #expect(ManifestText(noisyBytes, parts: noisyParts) == nil)
        #expect(ManifestText(noisyBytes)?.decoded() == noisy)
        try Data(noisy.encoded()).write(to: URL(fileURLWithPath: path))
        let noisyCheck = StampCheck(source: "/nonexistent")
        #expect(both({ noisyCheck.read(mapping: path) }, { noisyCheck.walk() }).0?.decoded() == noisy)
    }

    @Test func integersReadBackExactly() {
        for value in [0, 1, -1, Int.max, Int.min, 1_795_000_000_123_456_789] {
            #expect(BuildManifest.integer(Array(String(value).utf8)[...]) == value)
        }
        for bad in ["", "-", "1x", "99999999999999999999999", " 1"] { #expect(BuildManifest.integer(Array(bad.utf8)[...]) == nil) }
    }

    /// A line's fields are read in one pass (`Numbers`), which must agree with `integer` on every
    /// field, whichever byte ends it, at every length around the ones that can overflow.
    @Test func numbersOfALineAreReadAsIntegersAre() {
        var fields = ["", "-", "0", "-0", "1x", " 1", "+1", "12-3", "1.5", String(Int.max), String(Int.min), "-9223372036854775809"]
        fields += ["18446744073709551615", "18446744073709551616", "99999999999999999999", "100000000000000000000", "000000000000000000001"]
        var random = SplitMix(seed: 7)
        for length in 1...22 {
            for _ in 0..<20 {
                let digits = String((0..<length).map { _ in Character(String(random.next() % 10)) })
                fields += [digits, "-" + digits]
            }
        }
        for field in fields {
            for end in ["\t", "\n", "x"] {
                let line = Array((field + end + "7\n").utf8)
                let expected = end == "x" ? nil : BuildManifest.integer(Array(field.utf8)[...])
                line.withUnsafeBufferPointer { all in
                    var numbers = BuildManifest.Numbers(all: all, at: 0)
                    let value = numbers.next()
                    #expect(value == expected, "\(field)")
                    if value != nil {
                        #expect(numbers.ended == UInt8(ascii: end == "\t" ? "\t" : "\n"))
                        #expect(numbers.next() == 7)
                    }
                }
            }
        }
    }

    /// Pinned: the manifest is read by later runs and versions, so the hash must never change.
    @Test func stableHashIsTheSameInEveryRun() {
        #expect(StableHasher.hash(Array("".utf8)) == StableHasher.hash([UInt8]()))
        #expect(StableHasher.hash(Array("게시판 스냅샷".utf8)) == -4_911_240_101_519_558_868)
        #expect(StableHasher.hash(Array(String(repeating: "게시판 스냅샷 ", count: 9).utf8)) == 901_804_589_747_152_074)
        // Every byte of a long run counts, in every lane and in the tail.
        let long = Array(String(repeating: "게시판 스냅샷 ", count: 9).utf8)
        for i in [0, 8, 16, 24, 31, 32, long.count - 1] {
            var changed = long
            changed[i] ^= 1
            #expect(StableHasher.hash(changed) != StableHasher.hash(long), "byte \(i)")
        }
        var a = StableHasher()
        a.combine("ab")
        a.combine("c")
        var b = StableHasher()
        b.combine("a")
        b.combine("bc")
        #expect(a.finalize() != b.finalize())
        #expect(StableHasher.hash([0]) != StableHasher.hash([0, 0]))
    }
}
