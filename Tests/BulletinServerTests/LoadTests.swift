import BulletinTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The server under load: 64 keep-alive connections at once, 10,048 requests, no error.
@Suite struct LoadTests {
    @Test func sixtyFourConnectionsTenThousandRequests() async throws {
        let fixture = try PreviewFixture.site()
        defer { fixture.remove() }
        let server = try await RunningServer.start(fixture, watch: false)
        defer { Task { await server.stop() } }
        let paths = ["/", "/free/102/", "/tags/", "/feed.xml", "/css/bulletin.css", "/free/"]
        let port = server.port
        let connections = 64
        let perConnection = 157
        let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for c in 0..<connections {
                group.addTask {
                    try await RawHTTP.onThread {
                        let socket = try RawHTTP.connect(port)
                        defer { close(socket) }
                        var reader = SocketReader(socket: socket)
                        var counts: [Int: Int] = [:]
                        for r in 0..<perConnection {
                            let path = paths[(c + r) % paths.count]
                            try RawHTTP.send(socket, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
                            let response = try reader.response(bodyless: false)
                            counts[response.status, default: 0] += 1
                            if response.status == 200 && response.body.isEmpty { counts[-1, default: 0] += 1 }
                        }
                        return counts
                    }
                }
            }
            var all: [Int: Int] = [:]
            for try await counts in group { all.merge(counts, uniquingKeysWith: +) }
            return all
        }
        #expect(statuses == [200: connections * perConnection], "\(statuses)")
    }
}
