import BulletinTestSupport
import Foundation
import Testing

/// Mistakes on the command line exit with status 2 and write nothing; help exits with 0.
@Suite struct UsageTests {
    @Test(arguments: [
        ["build", "--frobnicate"],
        ["--frobnicate"],
        ["build", "--jobs", "0"],
        ["build", "--jobs", "-3"],
        ["build", "--jobs", "many"],
        ["build", "--base-url", "ftp://example.org/"],
        ["check", "--format", "xml"],
        ["build", "--output"],
        ["publish"],
    ])
    func usageErrorsExitWithTwo(_ arguments: [String]) throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let before = OutputTree(site.root)
        let result = try Binary.run(arguments, in: site.root)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(result.stdout.isEmpty)
        #expect(OutputTree(site.root).differences(from: before) == [])
    }

    @Test func sourceThatIsNotAFolder() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        for command in ["build", "check"] {
            let missing = try Binary.run([command, "--source", site.root + "/nowhere"])
            #expect(missing.status == 2, "\(command): \(missing.stderr)")
            #expect(missing.stderr.contains("nowhere"))
            let file = try Binary.run([command, "--source", site.root + "/site.yml"])
            #expect(file.status == 2, "\(command): \(file.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: site.root + "/public"))
    }

    @Test func folderWithoutASiteIsAContentError() throws {
        let folder = try temporaryFolder("empty")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Binary.run(["build"], in: folder)
        #expect(result.status == 1)
        #expect(diagnosticLines(result.stderr) == ["site.yml:1:1: error: no site.yml here: run bulletin in a site's folder or pass --source"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test(arguments: [["--help"], ["build", "--help"], ["check", "--help"], ["help", "build"]])
    func helpExitsWithZero(_ arguments: [String]) throws {
        let result = try Binary.run(arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("USAGE:"))
        #expect(result.stdout.contains(arguments == ["--help"] ? "build" : "--source"))
    }

    @Test func buildHelpNamesItsOptions() throws {
        let result = try Binary.run(["build", "--help"])
        for option in ["--source", "--output", "--base-url", "--jobs", "--quiet"] {
            #expect(result.stdout.contains(option), "\(option)")
        }
        let check = try Binary.run(["check", "--help"])
        #expect(check.stdout.contains("--format"))
    }

    @Test func buildIsTheDefaultCommand() throws {
        let site = try GoodSite.make()
        defer { site.remove() }
        let result = try Binary.run(["--source", site.root, "--quiet"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(site.published.isFile("index.html"))
    }
}

extension UsageTests {
    /// mimalloc takes the place of the C library's allocator in the binary: the dynamic linker
    /// binds `malloc` and `free` to it (it says so with `LD_DEBUG=bindings`), also those that the
    /// C library and the other libraries call.
    @Test func mallocIsMimalloc() throws {
        #if os(Linux)
        let result = try Binary.run(["--help"], environment: ["LD_DEBUG": "bindings"])
        #expect(result.status == 0)
        for symbol in ["malloc", "free"] {
            let bindings = result.stderr.split(separator: "\n").filter { $0.hasSuffix("normal symbol `\(symbol)' [GLIBC_2.2.5]") }
            #expect(!bindings.isEmpty, "no binding of \(symbol)")
            #expect(bindings.allSatisfy { $0.contains("/libmimalloc.so") }, "\(bindings.prefix(3))")
        }
        #endif
    }

    /// libxml2 is not linked into the binary (its start would load it with ICU, zlib and
    /// liblzma): the dynamic linker loads libyaml and no libxml2 for a command that reads no HTML
    /// (`LD_DEBUG=files` lists what it loads).
    @Test func libxml2IsNotLoadedAtStart() throws {
        #if os(Linux)
        let result = try Binary.run(["--help"], environment: ["LD_DEBUG": "files"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("libyaml-0.so"))
        #expect(!result.stderr.contains("libxml2"))
        #endif
    }

    /// The tests run the binary of their own build (`--scratch-path` included), not another one.
    @Test func binaryIsTheOneBesideTheTests() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Binary.path))
        #if os(Linux)
        guard ProcessInfo.processInfo.environment["BULLETIN_BINARY"] == nil else { return }
        let tests = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #expect(URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path == URL(fileURLWithPath: tests).deletingLastPathComponent().path)
        #endif
    }
}
