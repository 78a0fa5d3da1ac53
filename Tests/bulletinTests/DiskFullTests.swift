import BulletinTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real full disk: a small tmpfs holds the published site, and the next build does not fit.
/// Mounting needs root (as on CI and the developers' machines); elsewhere the test is skipped.
@Suite struct DiskFullTests {
    static func mountSmallDisk() -> String? {
        guard geteuid() == 0 else { return nil }
        let folder = FileManager.default.temporaryDirectory.path + "/bulletin-disk-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=3m", "tmpfs", folder]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? folder : nil
    }

    static func unmount(_ folder: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [folder]
        try? process.run()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    static let canMount: Bool = {
        guard let folder = mountSmallDisk() else { return false }
        unmount(folder)
        return true
    }()

    @Test(.enabled(if: canMount, "needs root to mount a tmpfs"))
    func fullDiskEndsTheBuildAndKeepsThePublishedSite() throws {
        let disk = try #require(Self.mountSmallDisk())
        defer { Self.unmount(disk) }
        let site = try FixtureSite("-- site.yml --\ntitle: 작은 디스크\n")
        defer { site.remove() }
        try site.write("Content/free/1.md", "---\ntitle: 첫 글\ndate: 2024-06-21T10:00:00+09:00\n---\n짧은 본문\n")
        let output = disk + "/public"
        try #require(try site.bulletin("build", "--quiet", "--output", output).status == 0)
        let before = OutputTree(output)

        // About 4 MB of pages: more than the disk holds.
        let paragraph = String(repeating: "디스크가 가득 찼습니다. ", count: 200) + "\n\n"
        for n in 2...40 {
            try site.write("Content/free/\(n).md", "---\ntitle: 긴 글 \(n)\ndate: 2024-06-21T11:00:00+09:00\n---\n" + String(repeating: paragraph, count: 20))
        }
        let result = try site.bulletin("build", "--output", output)
        #expect(result.status == 1)
        let errors = diagnosticLines(result.stderr)
        #expect(errors.count == 1 && errors[0].hasPrefix(output + ":1:1: error: cannot write the site: "), "\(result.stderr)")
        #expect(errors.first?.hasSuffix("No space left on device") == true)
        #expect(OutputTree(output).differences(from: before) == [])
        #expect(stagingLeftovers(beside: output) == [])
    }

    /// A folder the build may not write to (here a read-only mount: root passes permission checks).
    @Test(.enabled(if: canMount, "needs root to mount a tmpfs"))
    func readOnlyOutputFolderEndsTheBuildAndKeepsThePublishedSite() throws {
        let disk = try #require(Self.mountSmallDisk())
        defer { Self.unmount(disk) }
        let site = try FixtureSite("-- site.yml --\ntitle: 읽기 전용\n")
        defer { site.remove() }
        try site.write("Content/free/1.md", "---\ntitle: 첫 글\ndate: 2024-06-21T10:00:00+09:00\n---\n본문\n")
        let output = disk + "/public"
        try #require(try site.bulletin("build", "--quiet", "--output", output).status == 0)
        let before = OutputTree(output)
        let remount = Process()
        remount.executableURL = URL(fileURLWithPath: "/bin/mount")
        remount.arguments = ["-o", "remount,ro", disk]
        try remount.run()
        remount.waitUntilExit()
        try #require(remount.terminationStatus == 0)

        try site.write("Content/free/2.md", "---\ntitle: 둘째 글\ndate: 2024-06-21T11:00:00+09:00\n---\n본문\n")
        let result = try site.bulletin("build", "--output", output)
        #expect(result.status == 1)
        let errors = diagnosticLines(result.stderr)
        #expect(errors.count == 1 && errors[0].hasPrefix(output + ":1:1: error: cannot write the site: "), "\(result.stderr)")
        #expect(errors.first?.hasSuffix("Read-only file system") == true, "\(errors)")
        #expect(OutputTree(output).differences(from: before) == [])
    }
}
