import BulletinKit
import Foundation

/// The markup the server adds to every HTML page it serves: the live-reload script and, while
/// the latest build has failed, the overlay with its diagnostics.
///
/// The theme's Content-Security-Policy allows neither inline script nor inline style, so both
/// are files served by the server itself (`/__bulletin/reload.js`, `/__bulletin/overlay.css`).
struct PageInjection: Sendable {
    static let script = "<script src=\"/__bulletin/reload.js\" defer></script>"

    /// The markup, inserted before `</body>`.
    let markup: String

    init(failure: String?) {
        var markup = Self.script
        if let failure { markup += Self.overlay(failure) }
        self.markup = markup
    }

    /// The overlay's markup; reload.js builds the same one when a failure arrives over SSE.
    static func overlay(_ diagnostics: String) -> String {
        "<link rel=\"stylesheet\" href=\"/__bulletin/overlay.css\">"
            + "<div id=\"bulletin-overlay\" role=\"alert\"><p class=\"bulletin-overlay-title\">"
            + "빌드 실패 · The build failed; the last good site is shown until it is fixed.</p>"
            + "<pre>" + Escape.html(diagnostics) + "</pre></div>"
    }
}
