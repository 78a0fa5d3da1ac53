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
        /// No file of the site changed (a file saved as it was, a temporary file that came and went).
        case unchanged
    }

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
            let site: ServedSite
            if let previous, !update.full {
                // A partial build that changed no byte (a file saved as it was) reloads nothing.
                guard let changed = previous.applying(written: output.files, removed: update.removed, date: date) else { return .unchanged }
                site = changed
            } else {
                site = ServedSite(files: output.files, basePath: update.basePath, date: date, previous: previous)
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
