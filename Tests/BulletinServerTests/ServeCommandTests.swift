import BulletinTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bulletin serve` as a user runs it: the built binary, stopped with Ctrl-C (SIGINT).
@Suite(.serialized) struct ServeCommandTests {
    @Test func servesUntilInterruptedAndWritesNothing() async throws {
        let fixture = try PreviewFixture.site(baseURL: "https://example.org/mirror/")
        let outPath = fixture.root + ".stdout"
        let errPath = fixture.root + ".stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = try Binary.start(["serve", "--source", fixture.root, "--port", "0"], stdout: out, stderr: err)
        defer { if process.isRunning { process.terminate() } }

        var url: String?
        let deadline = ContinuousClock.now + .seconds(120)
        while url == nil && process.isRunning && ContinuousClock.now < deadline {
            let text = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
            url = text.firstMatch(of: /serving at (http:\/\/127\.0\.0\.1:\d+\/mirror\/)/).map { String($0.1) }
            if url == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let served = try #require(url)
        let port = try #require(Int(served.split(separator: ":")[2].prefix { $0.isNumber }))
        let home = try await RawHTTP.get(port, "/mirror/")
        #expect(home.status == 200)
        #expect(home.text.contains("첫 글"))
        let events = try await EventStreamClient(port: port)
        _ = try await events.next("hello", from: 0)

        kill(process.processIdentifier, SIGINT)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let stdout = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        #expect(stdout.hasSuffix("stopped\n"))
        #expect(!fixture.topLevelNames().contains("public"))
    }

    /// `serve` is the executable beside `bulletin`: a copy of `bulletin` alone says so and
    /// exits 1, not as a usage error; `--help` reaches the server's own options.
    @Test func serveIsTheExecutableBesideBulletin() throws {
        let help = try Binary.run(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: bulletin serve"))
        #expect(help.stdout.contains("--port <port>"))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulletin-alone-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Binary.path, toPath: folder + "/bulletin")
        let alone = try Binary.run(["serve", "--port", "0"], executable: folder + "/bulletin")
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("bulletin serve runs bulletin-serve, which cannot be run from \(folder)/bulletin-serve"))
    }
}
