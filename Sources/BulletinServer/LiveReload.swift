import Foundation
import Hummingbird
import NIOCore

/// The server's own files below `/__bulletin/`: the live-reload script, the overlay's style
/// sheet, and the event stream the script listens to.
enum LiveReload {
    static let script = """
        // Bulletin's preview server: reloads the page when the site is rebuilt and shows build errors.
        (function () {
          "use strict";
          var served = null;
          var events = new EventSource("/__bulletin/events");
          function showFailure(text) {
            var overlay = document.getElementById("bulletin-overlay");
            if (!text) { if (overlay) overlay.remove(); return; }
            if (!document.querySelector('link[href="/__bulletin/overlay.css"]')) {
              var link = document.createElement("link");
              link.rel = "stylesheet";
              link.href = "/__bulletin/overlay.css";
              document.head.appendChild(link);
            }
            if (!overlay) {
              overlay = document.createElement("div");
              overlay.id = "bulletin-overlay";
              overlay.setAttribute("role", "alert");
              var title = document.createElement("p");
              title.className = "bulletin-overlay-title";
              title.textContent = "빌드 실패 · The build failed; the last good site is shown until it is fixed.";
              overlay.appendChild(title);
              overlay.appendChild(document.createElement("pre"));
              document.body.appendChild(overlay);
            }
            overlay.querySelector("pre").textContent = text;
          }
          events.addEventListener("hello", function (e) {
            var data = JSON.parse(e.data);
            // After a reconnection (the server restarted or a build happened meanwhile): reload.
            if (served !== null && data.generation !== served) { location.reload(); return; }
            served = data.generation;
            showFailure(data.failure);
          });
          events.addEventListener("reload", function () { location.reload(); });
          events.addEventListener("build-error", function (e) {
            var data = JSON.parse(e.data);
            served = data.generation;
            showFailure(data.diagnostics);
          });
        })();

        """

    static let overlayStyle = """
        #bulletin-overlay { position: fixed; inset: auto 0 0 0; max-height: 60vh; overflow: auto; z-index: 2147483647;
          margin: 0; padding: 1rem 1.25rem; background: #2b0d0d; color: #ffe9e9; border-top: 4px solid #e5484d;
          font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 -8px 24px rgba(0,0,0,.4); }
        #bulletin-overlay .bulletin-overlay-title { margin: 0 0 .5rem; font-weight: bold; color: #ff9592; }
        #bulletin-overlay pre { margin: 0; white-space: pre-wrap; word-break: break-all; }

        """

    /// Adds `/__bulletin/reload.js`, `/__bulletin/overlay.css` and `/__bulletin/events`.
    static func addRoutes<Context: RequestContext>(to router: Router<Context>, store: SiteStore) {
        router.get("/__bulletin/reload.js") { _, _ in
            file(script, type: "text/javascript; charset=utf-8")
        }
        router.get("/__bulletin/overlay.css") { _, _ in
            file(overlayStyle, type: "text/css; charset=utf-8")
        }
        router.get("/__bulletin/events") { _, _ in
            let events = await store.listen()
            let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                    for await event in events {
                        try await writer.write(ByteBuffer(string: event.serverSentEvent))
                    }
                    try await writer.finish(nil)
                })
        }
    }

    private static func file(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
