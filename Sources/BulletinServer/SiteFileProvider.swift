import Foundation
import Hummingbird
import NIOCore

/// Hummingbird's `FileProvider` over one in-memory build, so that `FileMiddleware` does the HTTP
/// work (HEAD, `ETag`/`Last-Modified` and 304s, ranges, `Content-Type`, `index.html`).
///
/// HTML files are served with the ``PageInjection`` markup in them; their size and date include it.
struct SiteFileProvider: FileProvider {
    struct FileAttributes: FileMiddlewareFileAttributes, Sendable {
        var isFolder: Bool
        var size: Int
        var modificationDate: Date
    }

    /// A path below the site's root, without a leading `/`.
    typealias FileIdentifier = String

    let state: SiteStore.State
    let injection: PageInjection
    /// The file this request resolved to, when the caller resolved it (see ``SiteMiddleware``).
    let target: String?

    init(state: SiteStore.State, target: String? = nil) {
        self.state = state
        self.target = target
        injection = PageInjection(failure: state.failure)
    }

    func getFileIdentifier(_ path: String) -> String? {
        if let target { return target }
        var path = Substring(path)
        while path.first == "/" { path = path.dropFirst() }
        return String(path).precomposedStringWithCanonicalMapping
    }

    func getAttributes(id: String) async throws -> FileAttributes? {
        attributes(of: id)
    }

    func attributes(of id: String) -> FileAttributes? {
        if let file = state.site.files[id] {
            var size = file.bytes.readableBytes
            var date = file.modified
            if file.injectionOffset != nil {
                size += injection.markup.utf8.count
                date = max(date, state.failureChanged)
            }
            return FileAttributes(isFolder: false, size: size, modificationDate: date)
        }
        let folder = id.hasSuffix("/") ? String(id.dropLast()) : id
        if state.site.folders.contains(folder) {
            return FileAttributes(isFolder: true, size: 0, modificationDate: Date(timeIntervalSince1970: 0))
        }
        return nil
    }

    func loadFile(id: String, context: some RequestContext) async throws -> ResponseBody {
        guard let bytes = bytes(of: id) else { throw HTTPError(.notFound) }
        return ResponseBody(byteBuffer: bytes)
    }

    func loadFile(id: String, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        guard let bytes = bytes(of: id) else { throw HTTPError(.notFound) }
        let lower = max(range.lowerBound, 0)
        let upper = min(range.upperBound, bytes.readableBytes - 1)
        guard lower <= upper, let slice = bytes.getSlice(at: bytes.readerIndex + lower, length: upper - lower + 1) else {
            throw HTTPError(.rangeNotSatisfiable)
        }
        return ResponseBody(byteBuffer: slice)
    }

    /// The bytes served for a file: HTML with the injected markup.
    func bytes(of id: String) -> ByteBuffer? {
        guard let file = state.site.files[id] else { return nil }
        return served(file)
    }

    func served(_ file: ServedSite.File) -> ByteBuffer {
        guard let offset = file.injectionOffset else { return file.bytes }
        var out = ByteBuffer()
        out.reserveCapacity(file.bytes.readableBytes + injection.markup.utf8.count)
        var head = file.bytes.getSlice(at: file.bytes.readerIndex, length: offset)!
        var tail = file.bytes.getSlice(at: file.bytes.readerIndex + offset, length: file.bytes.readableBytes - offset)!
        out.writeBuffer(&head)
        out.writeString(injection.markup)
        out.writeBuffer(&tail)
        return out
    }
}
