import BulletinKit
import Foundation
import Hummingbird
import NIOCore

/// Serves the site held by a ``SiteStore`` the way a production static host would.
///
/// The HTTP work on files is Hummingbird's `FileMiddleware`, over a ``SiteFileProvider`` bound to
/// one build for the whole request. This middleware does what `FileMiddleware` cannot, in front of
/// it:
/// - refuses paths that could leave the site (see ``RequestPath``), which `FileMiddleware` would
///   decode first, turning `%2f` into a folder separator;
/// - serves the site below `base_url`'s path, and redirects `/x` to `/x/` for folders with that
///   path and the query kept, percent-encoded (`FileMiddleware` redirects to the path with the
///   prefix removed, and not encoded);
/// - answers unsatisfiable ranges with 416 and suffix ranges (`bytes=-500`) with the file's last
///   bytes (`FileMiddleware` reads `-500` as `0-500`), and ignores multi-range requests;
/// - serves the site's `404.html` with status 404;
/// - serves names that contain `..` (a tag `wait..what`), which `FileMiddleware` refuses;
/// - adds `charset=utf-8` to text types and `Cache-Control: no-cache`, so a reloaded page always
///   revalidates (and gets 304s for what did not change).
struct SiteMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: SiteStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let raw = request.uri.path
        if raw == "/__bulletin" || raw.hasPrefix("/__bulletin/") { return try await next(request, context) }
        guard request.method == .get || request.method == .head else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        guard let path = RequestPath.parse(raw) else {
            return Response(status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "bad request path\n")))
        }
        let state = await store.state
        let provider = SiteFileProvider(state: state)
        let base = state.site.basePath.split(separator: "/").map(String.init)
        let query = request.uri.query.map { "?" + $0 } ?? ""

        guard path.segments.starts(with: base) else {
            if path.segments.isEmpty { return redirect(to: URLSafety.encodePath(state.site.basePath) + query) }
            return notFound(request, provider: provider)
        }
        let relative = path.segments.dropFirst(base.count).joined(separator: "/")
        let target: String
        if !relative.isEmpty, !path.trailingSlash, state.site.files[relative] != nil {
            target = relative
        } else if state.site.folders.contains(relative) {
            if !path.trailingSlash {
                return redirect(to: URLSafety.encodePath(relative.isEmpty ? state.site.basePath : state.site.basePath + relative + "/") + query)
            }
            target = relative.isEmpty ? "index.html" : relative + "/index.html"
        } else {
            return notFound(request, provider: provider)
        }
        guard let attributes = provider.attributes(of: target), !attributes.isFolder else { return notFound(request, provider: provider) }

        var head = request.head
        // FileMiddleware refuses any path containing "..", also inside a name (a tag `wait..what`):
        // the path it sees only carries the extension, and the provider is bound to the file.
        head.path = "/" + URLSafety.encodePath(target.replacingOccurrences(of: "..", with: "._"))
        if let range = request.headers[.range] {
            switch ByteRange.normalize(range, size: attributes.size) {
            case .whole: head.headerFields[.range] = nil
            case .range(let normalized): head.headerFields[.range] = normalized
            case .unsatisfiable:
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(attributes.size)", .contentLength: "0"])
            }
        }
        let files = FileMiddleware<Context, SiteFileProvider>(fileProvider: SiteFileProvider(state: state, target: target), searchForIndexHtml: true)
            .withAdditionalMediaTypes(forFileExtensions: TextMediaTypes.byExtension)
        do {
            var response = try await files.handle(Request(head: head, body: request.body), context: context) { _, _ in
                throw HTTPError(.notFound)
            }
            response.headers[.cacheControl] = "no-cache"
            return response
        } catch let error as HTTPError where error.status == .notFound {
            return notFound(request, provider: provider)
        }
    }

    private func redirect(to location: String) -> Response {
        Response(status: .movedPermanently, headers: [.location: location, .contentLength: "0"])
    }

    /// The site's `404.html` (with the injected markup), or a small page when it has none.
    private func notFound(_ request: Request, provider: SiteFileProvider) -> Response {
        let page = provider.state.site.files["404.html"] ?? ServedSite.fallbackNotFound
        let bytes = provider.served(page)
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentLength: String(bytes.readableBytes), .cacheControl: "no-cache",
        ]
        return Response(status: .notFound, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: bytes))
    }
}

extension ServedSite {
    /// Served for a missing page when the site has no `404.html` (before its first good build).
    static let fallbackNotFound: File = {
        let html = "<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>404</title></head><body><h1>404</h1></body></html>\n"
        return File(bytes: ByteBuffer(string: html), modified: Date(timeIntervalSince1970: 0), injectionOffset: injectionOffset(Array(html.utf8)))
    }()
}

/// Text types served with `charset=utf-8` (Hummingbird's own table has no charset).
enum TextMediaTypes {
    static let byExtension: [String: MediaType] = {
        [
            "html": MediaType(type: .text, subType: "html", parameter: ("charset", "utf-8")),
            "htm": MediaType(type: .text, subType: "html", parameter: ("charset", "utf-8")),
            "xml": MediaType(type: .application, subType: "xml", parameter: ("charset", "utf-8")),
            "json": MediaType(type: .application, subType: "json", parameter: ("charset", "utf-8")),
            "css": MediaType(type: .text, subType: "css", parameter: ("charset", "utf-8")),
            "js": MediaType(type: .text, subType: "javascript", parameter: ("charset", "utf-8")),
            "mjs": MediaType(type: .text, subType: "javascript", parameter: ("charset", "utf-8")),
            "txt": MediaType(type: .text, subType: "plain", parameter: ("charset", "utf-8")),
            "svg": MediaType(type: .image, subType: "svg+xml", parameter: ("charset", "utf-8")),
            "webmanifest": MediaType(type: .application, subType: "manifest+json", parameter: ("charset", "utf-8")),
        ]
    }()
}
