@testable import BulletinKit
import Testing

/// The manifest that builds keep between runs, and the hash it is made of.
struct BuildManifestTests {
    static func sample() -> BuildManifest {
        var manifest = BuildManifest(tool: "bulletin 1 2 base_url=-", settings: -42, theme: "기본", output: "/srv/게시판\tmirror")
        manifest.report = .init(posts: 3, comments: 4, pages: 5, bytes: 6, diagnostics: [.warning(SourceLocation(path: "Content/free/1.md", line: 2, column: 3), "줄\n바꿈 \\ 역슬래시")])
        let stamp = FileStamp(size: 10, modified: 1_795_000_000_123_456_789, changed: -1, inode: UInt64.max)
        manifest.inputs["Content/free/탭\t이름.md"] = .init(stamp: stamp, hash: Int.min)
        manifest.inputs["site.yml"] = .init(stamp: stamp, hash: 7)
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
        #expect(bytes.split(separator: UInt8(ascii: "\n")).count == 1 + 6 + 1 + 2 + 3 + 1)
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

    @Test func integersReadBackExactly() {
        for value in [0, 1, -1, Int.max, Int.min, 1_795_000_000_123_456_789] {
            #expect(BuildManifest.integer(Array(String(value).utf8)[...]) == value)
        }
        for bad in ["", "-", "1x", "99999999999999999999999", " 1"] { #expect(BuildManifest.integer(Array(bad.utf8)[...]) == nil) }
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
