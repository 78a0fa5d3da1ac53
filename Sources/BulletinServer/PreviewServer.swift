import BulletinKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `bulletin serve`: builds the site into memory, serves it over HTTP, and rebuilds it and
/// reloads open pages whenever `site.yml`, `Content/` or `Themes/` change.
public struct PreviewServer: Sendable {
    public struct Configuration: Sendable {
        /// How to build the site (source folder, `--base-url`, jobs). The output folder is never used.
        public var build: SiteBuilder.Options
        public var host: String
        /// 0 picks a free port; the one bound is passed to `onRunning`.
        public var port: Int
        /// Whether to watch the sources and rebuild on changes.
        public var watch: Bool
        /// How long the sources must stay unchanged before a rebuild starts (coalesces bursts).
        public var quietPeriod: Duration
        /// Whether each rebuild's message gives the time of its steps (`BULLETIN_STEPS=1`).
        public var showSteps = ProcessInfo.processInfo.environment["BULLETIN_STEPS"] == "1"
        /// Receives the server's messages for the terminal (rebuilds, diagnostics).
        public var log: @Sendable (String) -> Void

        public init(
            build: SiteBuilder.Options, host: String = "127.0.0.1", port: Int = 8080, watch: Bool = true,
            quietPeriod: Duration = .milliseconds(10), log: @escaping @Sendable (String) -> Void = { _ in }
        ) {
            self.build = build
            self.host = host
            self.port = port
            self.watch = watch
            self.quietPeriod = quietPeriod
            self.log = log
        }
    }

    public let configuration: Configuration
    /// The site being served; tests and the command line read it.
    public let store = SiteStore()

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Builds the site once and serves it until the task is cancelled or, with `stopOnSignals`,
    /// SIGINT or SIGTERM arrives (then open event streams are ended and the server shuts down
    /// cleanly).
    /// - Parameter onRunning: called with the URL of the site (below `base_url`'s path) once the
    ///   server listens.
    public func run(stopOnSignals: Bool = false, onRunning: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        let rebuild = SiteRebuild(options: configuration.build)
        let watcher = configuration.watch ? SourceWatcher(root: configuration.build.source) : nil
        if configuration.watch && watcher == nil { configuration.log("warning: cannot watch \(configuration.build.source) (inotify failed); changes need a restart") }
        await rebuildAndPublish(rebuild, previous: nil, changes: nil)

        let router = Router()
        router.add(middleware: SiteMiddleware(store: store))
        LiveReload.addRoutes(to: router, store: store)
        var logger = Logger(label: "bulletin.serve")
        logger.logLevel = .critical
        let host = configuration.host
        let store = store
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "bulletin"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shownHost = host.contains(":") ? "[\(host)]" : host
                let basePath = await store.state.site.basePath
                await onRunning("http://\(shownHost):\(port)\(URLSafety.encodePath(basePath))")
            },
            logger: logger
        )
        let live = LiveService(server: self, rebuild: rebuild, watcher: watcher)
        let group = ServiceGroup(
            configuration: .init(services: [app, live], gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [], logger: logger))
        try await group.run()
    }

    /// Builds, then swaps the new site in or reports the failure; prints what happened.
    func rebuildAndPublish(_ rebuild: SiteRebuild, previous: ServedSite?, changes: [String]?) async {
        let start = ContinuousClock.now
        let outcome = await rebuild.buildOffPool(previous: previous, changes: changes)
        let seconds = (ContinuousClock.now - start).seconds
        switch outcome {
        case .built(let site, let report, let rendered, let steps):
            for diagnostic in report.diagnostics { configuration.log(diagnostic.description) }
            await store.publish(site)
            let what = previous == nil ? "built" : "rebuilt"
            let pages = rendered == report.pages ? "\(report.pages) pages" : "\(rendered) of \(report.pages) pages"
            var line = "\(what) \(report.posts) posts: \(pages), \(report.files) files in \(fixedPoint(seconds, places: 3)) s"
            if configuration.showSteps { line += " (" + steps.map { "\($0.name) \(fixedPoint($0.seconds * 1000, places: 1)) ms" }.joined(separator: ", ") + ")" }
            configuration.log(line)
        case .unchanged:
            // The sources are back to the last good build's (an undone broken edit): clear the overlay.
            if let previous, await store.state.failure != nil { await store.publish(previous) }
        case .failed(let diagnostics):
            for diagnostic in diagnostics { configuration.log(diagnostic.description) }
            let errors = diagnostics.filter { $0.severity == .error }
            await store.fail(errors.map(\.description).joined(separator: "\n"))
            configuration.log(
                "build failed (\(errors.count) error\(errors.count == 1 ? "" : "s")); "
                    + (previous == nil ? "nothing to serve until it is fixed" : "still serving the last good site"))
        }
    }
}

/// Rebuilds on changes and keeps the event streams alive; at shutdown, ends the event streams
/// first so that open pages do not hold the HTTP server up.
struct LiveService: Service {
    let server: PreviewServer
    let rebuild: SiteRebuild
    let watcher: SourceWatcher?

    func run() async throws {
        let store = server.store
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(15))
                        await store.keepAlive()
                    }
                }
                if let watcher {
                    group.addTask { await watch(watcher) }
                }
            }
        }
        watcher?.stop()
        await store.close()
    }

    private func watch(_ watcher: SourceWatcher) async {
        let quiet = server.configuration.quietPeriod
        for await _ in watcher.signals {
            if Task.isCancelled { return }
            while let wait = watcher.timeUntilQuiet(for: quiet) {
                try? await Task.sleep(for: wait)
                if Task.isCancelled { return }
            }
            let changes = watcher.takeChanges()
            if changes.isEmpty { continue }
            let previous = await server.store.state.site
            await server.rebuildAndPublish(rebuild, previous: previous, changes: changes)
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
