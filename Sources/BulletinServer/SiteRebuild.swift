import BulletinKit
import Foundation

/// Builds the site into memory, for the preview server.
///
/// This is a full build every time: load, validate, render every page. The changed paths are
/// passed in so that an incremental build (one post re-rendered with the pages that list it) can
/// take this type's place without changing its callers.
public struct SiteRebuild: Sendable {
    /// What a build gave.
    public enum Outcome: Sendable {
        /// The new site, and what the build did (warnings included).
        case built(ServedSite, SiteBuilder.Report)
        /// The build failed: every diagnostic, errors and warnings.
        case failed([Diagnostic])
    }

    public let options: SiteBuilder.Options

    public init(options: SiteBuilder.Options) {
        self.options = options
    }

    /// Builds the site, dating the files that differ from `previous` with `date`.
    /// - Parameter changes: paths below the site's folder that changed since `previous` was built.
    public func build(previous: ServedSite?, changes: [String] = [], date: Date = Date()) -> Outcome {
        let builder = SiteBuilder(options: options)
        let (site, engine, diagnostics) = builder.check()
        guard let site, let engine, !diagnostics.hasErrors else { return .failed(diagnostics) }
        let output = MemoryOutput()
        do {
            var report = try builder.write(site: site, engine: engine, to: output)
            report.diagnostics = (diagnostics + report.diagnostics).sortedForReport()
            guard report.succeeded else { return .failed(report.diagnostics) }
            return .built(ServedSite(files: output.files, basePath: site.config.basePath, date: date, previous: previous), report)
        } catch {
            return .failed(diagnostics + [.error(SourceLocation(path: options.sourceDisplay), "cannot build the site: \(error)")])
        }
    }

    /// Runs `build` on a thread of its own (it is long and blocking, and renders on all cores
    /// itself), so that no thread of Swift's concurrency pool waits for it.
    public func buildOffPool(previous: ServedSite?, changes: [String] = [], date: Date = Date()) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: build(previous: previous, changes: changes, date: date))
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
