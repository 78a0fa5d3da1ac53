import BulletinKit
import Foundation

/// Builds the site into memory, for the preview server: in full the first time, then only what
/// the changed paths affect (see ``LiveSite``).
public struct SiteRebuild: Sendable {
    /// What a build gave.
    public enum Outcome: Sendable {
        /// The new site, and what the build did (warnings included).
        case built(ServedSite, SiteBuilder.Report, rendered: Int, steps: [(name: String, seconds: Double)])
        /// The build failed: every diagnostic, errors and warnings.
        case failed([Diagnostic])
        /// Nothing the site shows changed (a temporary file came and went).
        case unchanged
    }

    public var options: SiteBuilder.Options { live.options }
    private let live: LiveSite

    public init(options: SiteBuilder.Options) {
        live = LiveSite(options: options)
    }

    /// Builds the site, dating the files that differ from `previous` with `date`.
    /// - Parameter changes: paths below the site's folder that changed since `previous` was
    ///   built; `nil` rebuilds everything.
    public func build(previous: ServedSite?, changes: [String]? = nil, date: Date = Date()) -> Outcome {
        let start = ContinuousClock.now
        let output = MemoryOutput()
        switch live.update(changes: previous == nil ? nil : changes, to: output) {
        case .failure(let list):
            return .failed(list.diagnostics)
        case .success(let update):
            if !update.full && update.removed.isEmpty && output.files.isEmpty { return .unchanged }
            let site =
                if update.full || previous == nil {
                    ServedSite(files: output.files, basePath: update.basePath, date: date, previous: previous)
                } else {
                    previous!.applying(written: output.files, removed: update.removed, date: date)
                }
            var steps = update.steps
            steps.append(("serve", (ContinuousClock.now - start).seconds - steps.reduce(0) { $0 + $1.seconds }))
            return .built(site, update.report, rendered: update.rendered, steps: steps)
        }
    }

    /// Runs `build` on a thread of its own (it is long and blocking, and renders on all cores
    /// itself), so that no thread of Swift's concurrency pool waits for it.
    public func buildOffPool(previous: ServedSite?, changes: [String]? = nil, date: Date = Date()) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: build(previous: previous, changes: changes, date: date))
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
