import BulletinKit
import Foundation
import NIOCore

/// One built site as the preview server serves it: every file in memory, by its path below the
/// site's root, with the date its content last changed.
///
/// A value: a rebuild makes a new one and the ``SiteStore`` swaps it in whole, so a request
/// always sees one build from start to end.
public struct ServedSite: Sendable {
    /// A file of the site.
    public struct File: Sendable {
        public var bytes: ByteBuffer
        /// When this content first appeared in a build: unchanged files keep their date across
        /// rebuilds, so their `ETag` and `Last-Modified` stay valid.
        public var modified: Date
        /// For HTML, where the live-reload markup goes: before the last `</body>`, else the end.
        var injectionOffset: Int?

        /// The file at `path`: HTML gets its injection offset.
        init(path: String, bytes: [UInt8], modified: Date) {
            self.init(bytes: ByteBuffer(bytes: bytes), modified: modified, injectionOffset: ServedSite.isHTML(path) ? ServedSite.injectionOffset(bytes) : nil)
        }

        init(bytes: ByteBuffer, modified: Date, injectionOffset: Int?) {
            self.bytes = bytes
            self.modified = modified
            self.injectionOffset = injectionOffset
        }
    }

    /// Files by path below the root (`index.html`, `free/102/index.html`, `css/site.css`).
    public private(set) var files: [String: File]
    /// Every folder that holds a file, by path below the root (`""` is the root).
    public private(set) var folders: Set<String>
    /// `base_url`'s path, starting and ending with `/`: the site is served below it.
    public var basePath: String

    /// An empty site (before the first build succeeded).
    public init(basePath: String = "/") {
        files = [:]
        folders = [""]
        self.basePath = basePath
    }

    /// The files a build wrote, dated `date` unless `previous` had the same bytes at that path.
    public init(files written: [String: [UInt8]], basePath: String, date: Date, previous: ServedSite?) {
        var files: [String: File] = [:]
        files.reserveCapacity(written.count)
        for (path, bytes) in written {
            var modified = date
            if let old = previous?.files[path], Self.same(old.bytes, bytes) { modified = old.modified }
            files[path] = File(path: path, bytes: bytes, modified: modified)
        }
        self.files = files
        self.folders = Self.folders(of: files.keys)
        self.basePath = basePath
    }

    /// This site with the files of a partial build: `written` replace or add files (dated `date`
    /// unless their bytes are the same), `removed` are gone. Nil when no file changed.
    public func applying(written: [String: [UInt8]], removed: [String], date: Date) -> ServedSite? {
        let removed = removed.filter { files[$0] != nil }
        let changed = written.filter { path, bytes in files[path].map { !Self.same($0.bytes, bytes) } ?? true }
        if changed.isEmpty && removed.isEmpty { return nil }
        var site = self
        for path in removed { site.files[path] = nil }
        var added = !removed.isEmpty
        for (path, bytes) in changed {
            if files[path] == nil { added = true }
            site.files[path] = File(path: path, bytes: bytes, modified: date)
        }
        if added { site.folders = Self.folders(of: site.files.keys) }
        return site
    }

    static func same(_ buffer: ByteBuffer, _ bytes: [UInt8]) -> Bool {
        buffer.readableBytes == bytes.count
            && buffer.withUnsafeReadableBytes { a in bytes.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    /// Every folder holding one of `paths`, and the root.
    static func folders(of paths: some Sequence<String>) -> Set<String> {
        var folders: Set<String> = [""]
        for path in paths {
            var folder = path
            while let parent = folder.splitAtLastSlash?.folder {
                folder = parent
                if !folders.insert(folder).inserted { break }
            }
        }
        return folders
    }

    static func isHTML(_ path: String) -> Bool {
        path.hasSuffix(".html") || path.hasSuffix(".htm")
    }

    /// The offset of the last `</body>` (any case), or the end.
    static func injectionOffset(_ bytes: [UInt8]) -> Int {
        let tag = Array("</body>".utf8)
        var i = bytes.count - tag.count
        while i >= 0 {
            if bytes[i] == UInt8(ascii: "<") {
                var matches = true
                for k in 1..<tag.count where bytes[i + k] | 0x20 != tag[k] | 0x20 {
                    matches = false
                    break
                }
                if matches { return i }
            }
            i -= 1
        }
        return bytes.count
    }
}
