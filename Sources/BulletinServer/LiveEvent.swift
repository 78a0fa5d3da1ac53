import Foundation

/// What the server tells open pages over Server-Sent Events (`/__bulletin/events`).
public enum LiveEvent: Sendable, Equatable {
    /// Sent first on every connection: the build being served, and the current failure if any.
    case hello(generation: Int, failure: String?)
    /// A new build is served: reload.
    case reload(generation: Int)
    /// A build failed; the last good site stays served. The text is the diagnostics.
    case buildFailed(generation: Int, diagnostics: String)
    /// Nothing happened; keeps the connection open and finds closed ones.
    case keepAlive

    /// The event in the `text/event-stream` format.
    var serverSentEvent: String {
        switch self {
        case .hello(let generation, let failure):
            return "event: hello\ndata: " + Self.json(["generation": generation, "failure": failure ?? NSNull()]) + "\n\n"
        case .reload(let generation):
            return "event: reload\ndata: " + Self.json(["generation": generation]) + "\n\n"
        case .buildFailed(let generation, let diagnostics):
            return "event: build-error\ndata: " + Self.json(["generation": generation, "diagnostics": diagnostics]) + "\n\n"
        case .keepAlive:
            return ": keep-alive\n\n"
        }
    }

    private static func json(_ object: [String: Any]) -> String {
        // One line, as an SSE data field must be: JSON escapes every newline.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
