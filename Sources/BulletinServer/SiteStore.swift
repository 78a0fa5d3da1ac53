import Foundation

/// The one piece of shared state of the preview server: the site being served, the failure of
/// the latest build if it failed, and the pages listening for changes.
public actor SiteStore {
    /// What a request sees: one consistent build, and the overlay to show with it.
    public struct State: Sendable {
        public var site: ServedSite
        /// The diagnostics of the latest build when it failed (the site is then the last good one).
        public var failure: String?
        /// Counts the builds swapped in and the failures reported.
        public var generation: Int
        /// When `failure` last changed: HTML pages carry the overlay, so they change with it.
        public var failureChanged: Date
    }

    public private(set) var state: State
    private var listeners: [Int: AsyncStream<LiveEvent>.Continuation] = [:]
    private var nextListener = 0
    private var closed = false

    public init(site: ServedSite = ServedSite()) {
        state = State(site: site, failure: nil, generation: 0, failureChanged: Date(timeIntervalSince1970: 0))
    }

    /// Serves `site` from now on, clears any failure, and tells every page to reload.
    public func publish(_ site: ServedSite) {
        state.site = site
        if state.failure != nil {
            state.failure = nil
            state.failureChanged = Date()
        }
        state.generation += 1
        broadcast(.reload(generation: state.generation))
    }

    /// Keeps the current site, shows `diagnostics` on its pages, and tells every page.
    public func fail(_ diagnostics: String) {
        state.failure = diagnostics
        state.failureChanged = Date()
        state.generation += 1
        broadcast(.buildFailed(generation: state.generation, diagnostics: diagnostics))
    }

    /// A stream of events for one page, starting with `.hello`. It ends when the store closes.
    public func listen() -> AsyncStream<LiveEvent> {
        let (stream, continuation) = AsyncStream<LiveEvent>.makeStream(bufferingPolicy: .bufferingNewest(16))
        continuation.yield(.hello(generation: state.generation, failure: state.failure))
        if closed {
            continuation.finish()
            return stream
        }
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        continuation.onTermination = { _ in Task { await self.stopListening(id) } }
        return stream
    }

    /// The number of pages listening.
    public var listenerCount: Int { listeners.count }

    /// Sends a keep-alive comment, which also finds connections that were closed.
    public func keepAlive() {
        broadcast(.keepAlive)
    }

    /// Ends every event stream (at shutdown, so that open pages do not hold the server up).
    public func close() {
        closed = true
        for continuation in listeners.values { continuation.finish() }
        listeners = [:]
    }

    private func stopListening(_ id: Int) {
        listeners[id] = nil
    }

    private func broadcast(_ event: LiveEvent) {
        for (id, continuation) in listeners {
            if case .terminated = continuation.yield(event) { listeners[id] = nil }
        }
    }
}
