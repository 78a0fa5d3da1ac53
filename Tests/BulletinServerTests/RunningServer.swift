import BulletinKit
import BulletinServer
import BulletinTestSupport
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A preview server on a free port of 127.0.0.1, serving a fixture site, for one test.
struct RunningServer: Sendable {
    let server: PreviewServer
    let port: Int
    /// The URL printed for the site (below `base_url`'s path).
    let url: String
    let task: Task<Void, any Error>
    let log: LogLines

    final class LogLines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    static func start(_ fixture: FixtureSite, baseURL: String? = nil, watch: Bool = true) async throws -> RunningServer {
        let log = LogLines()
        let server = PreviewServer(
            configuration: .init(
                build: .init(source: fixture.root, baseURL: baseURL, jobs: 2), host: "127.0.0.1", port: 0, watch: watch,
                quietPeriod: .milliseconds(50), log: { line in log.lines.withLock { $0.append(line) } }))
        let (urls, continuation) = AsyncStream<String>.makeStream()
        let task = Task { try await server.run { url in continuation.yield(url) } }
        var iterator = urls.makeAsyncIterator()
        guard let url = await iterator.next() else { throw RawHTTPError(description: "the server did not start") }
        let port = Int(url.split(separator: ":")[2].prefix { $0.isNumber })!
        return RunningServer(server: server, port: port, url: url, task: task, log: log)
    }

    func get(_ target: String, method: String = "GET", headers: [String: String] = [:]) async throws -> RawResponse {
        try await RawHTTP.get(port, target, method: method, headers: headers)
    }

    func events() async throws -> EventStreamClient {
        let client = try await EventStreamClient(port: port)
        _ = try await client.next("hello", from: 0)
        return client
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// A small board with two posts, comments, a Korean tag and an attachment.
enum PreviewFixture {
    static func site(baseURL: String = "/") throws -> FixtureSite {
        try FixtureSite(
            """
            -- site.yml --
            title: 미리보기
            base_url: \(baseURL)
            -- Content/free/_board.yml --
            title: 자유게시판
            -- Content/free/101.md --
            ---
            title: 첫 글
            date: 2024-06-21T14:47:47+09:00
            tags: [게임, 일상, "wait..what"]
            ---
            첫 글의 본문 ![사진](101/photo.txt)
            -- Content/free/101/photo.txt --
            0123456789abcdefghijklmnopqrstuvwxyz
            -- Content/free/101.comments.yml --
            - id: 1
              date: 2024-06-21T14:50:02+09:00
              body: 첫 댓글
            -- Content/free/102.md --
            ---
            title: 둘째 글
            date: 2024-06-22T09:00:00+09:00
            ---
            둘째 글의 본문
            """)
    }
}

extension FixtureSite {
    /// Writes a file the way editors save: into a hidden file beside it, then renamed over it, so
    /// the watcher never sees it half written.
    func save(_ path: String, _ text: String) throws {
        let full = root + "/" + path
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.bulletin-test-" + UUID().uuidString
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, full) == 0 else { throw RawHTTPError(description: "rename \(path): errno \(errno)") }
    }
}
