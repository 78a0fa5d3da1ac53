import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A response read off the socket, bytes as sent.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawHTTPError: Error, CustomStringConvertible {
    var description: String
}

/// A minimal HTTP/1.1 client over a plain socket, so that the request line goes out exactly as
/// written (`%2e%2e`, `..`, backslashes: URLSession would normalise some of them). Blocking I/O
/// runs on a thread of its own, never on Swift's concurrency pool, which serves the server too.
enum RawHTTP {
    static func get(_ port: Int, _ target: String, method: String = "GET", headers: [String: String] = [:]) async throws -> RawResponse {
        try await onThread {
            let socket = try connect(port)
            defer { close(socket) }
            var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
            request += "\r\n"
            try send(socket, Array(request.utf8))
            var reader = SocketReader(socket: socket)
            return try reader.response(bodyless: method == "HEAD")
        }
    }

    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    static func connect(_ port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTPError(description: "socket: \(errno)") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw RawHTTPError(description: "connect to port \(port): errno \(errno)")
        }
        return socket
    }

    static func send(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawHTTPError(description: "send: errno \(errno)") }
            offset += n
        }
    }
}

/// Reads HTTP/1.1 responses from a socket: headers, then a body by `Content-Length` or chunks.
struct SocketReader {
    let socket: Int32
    var buffer: [UInt8] = []

    /// Reads more bytes; false at the end of the stream.
    mutating func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw RawHTTPError(description: "recv: errno \(errno)") }
        if n == 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    mutating func line() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 1)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard try fill() else { throw RawHTTPError(description: "connection closed inside a line") }
        }
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw RawHTTPError(description: "connection closed inside a body") }
        }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    mutating func head() throws -> (status: Int, headers: [(name: String, value: String)]) {
        let statusLine = try line()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RawHTTPError(description: "bad status line \(statusLine)") }
        var headers: [(name: String, value: String)] = []
        while true {
            let header = try line()
            if header.isEmpty { break }
            if let colon = header.firstIndex(of: ":") {
                headers.append((String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (status, headers)
    }

    /// The next chunk of a chunked body; empty at its end.
    mutating func chunk() throws -> [UInt8] {
        let sizeLine = try line()
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw RawHTTPError(description: "bad chunk size \(sizeLine)") }
        let data = try bytes(size)
        _ = try line()
        return data
    }

    mutating func response(bodyless: Bool) throws -> RawResponse {
        let (status, headers) = try head()
        var response = RawResponse(status: status, headers: headers, body: [])
        if bodyless || status == 304 || status == 204 || (100..<200).contains(status) { return response }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            while true {
                let data = try chunk()
                if data.isEmpty { break }
                response.body += data
            }
            _ = try? line()
        } else if let length = response.header("content-length").flatMap({ Int($0) }) {
            response.body = try bytes(length)
        } else {
            while try fill() {}
            response.body = buffer
        }
        return response
    }
}

/// A connection to `/__bulletin/events` that collects the events as they arrive.
final class EventStreamClient: Sendable {
    struct Event: Sendable {
        var name: String
        var data: String
    }

    let socket: Int32
    private let received = Mutex<[Event]>([])
    private let ended = Mutex<Bool>(false)

    init(port: Int) async throws {
        let socket = try await RawHTTP.onThread { () throws -> Int32 in
            let socket = try RawHTTP.connect(port)
            try RawHTTP.send(socket, Array("GET /__bulletin/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
            return socket
        }
        self.socket = socket
        let thread = Thread { [self] in self.read() }
        thread.start()
    }

    private func read() {
        var reader = SocketReader(socket: socket)
        defer { ended.withLock { $0 = true } }
        guard let head = try? reader.head(), head.status == 200 else { return }
        var text = ""
        while let data = try? reader.chunk(), !data.isEmpty {
            text += String(decoding: data, as: UTF8.self)
            while let end = text.range(of: "\n\n") {
                let block = text[..<end.lowerBound]
                text = String(text[end.upperBound...])
                var event = Event(name: "message", data: "")
                var hasData = false
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") {
                        event.data = String(line.dropFirst(6))
                        hasData = true
                    }
                }
                if hasData { received.withLock { $0.append(event) } }
            }
        }
    }

    var events: [Event] { received.withLock { $0 } }
    var isEnded: Bool { ended.withLock { $0 } }

    /// Waits for the first event named `name` at index `from` or later; fails after `limit`.
    func next(_ name: String, from: Int, limit: Duration = .seconds(60)) async throws -> (index: Int, event: Event) {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let all = events
            if from < all.count, let index = all[from...].firstIndex(where: { $0.name == name }) { return (index, all[index]) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RawHTTPError(description: "no '\(name)' event after event \(from) within \(limit); got \(events.map(\.name))")
    }

    func close() {
        shutdown(socket, Int32(SHUT_RDWR))
    }

    deinit {
        Glibc.close(socket)
    }
}
