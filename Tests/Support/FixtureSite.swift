import Foundation

/// A whole site written as one string, in txtar form, materialised in a fresh temporary folder:
///
///     -- site.yml --
///     title: 테스트
///     -- Content/free/1.md --
///     ---
///     title: 첫 글
///     date: 2024-06-21T14:47:47+09:00
///     ---
///     본문
///
/// `Themes/default` is copied from the repository unless the fixture has a `Themes/` file.
public struct FixtureSite {
    public let root: String

    public init(_ archive: String, theme: Bool = true) throws {
        let base = FileManager.default.temporaryDirectory.path + "/bulletin-fixture-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.root = base
        for (path, text) in Self.parse(archive) {
            try write(path, text)
        }
        if theme && !FileManager.default.fileExists(atPath: base + "/Themes") {
            try FileManager.default.createDirectory(atPath: base + "/Themes", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.repository + "/Themes/default", toPath: base + "/Themes/default")
        }
    }

    /// The repository's root, found from this file's path.
    public static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// Splits a txtar archive into (path, text) pairs.
    public static func parse(_ archive: String) -> [(String, String)] {
        var files: [(String, String)] = []
        var current: String?
        var lines: [Substring] = []
        func flush() {
            if let current { files.append((current, lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"))) }
        }
        for line in archive.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- ") && line.hasSuffix(" --") && line.count > 6 {
                flush()
                current = String(line.dropFirst(3).dropLast(3))
                lines = []
            } else if current != nil {
                lines.append(line)
            }
        }
        flush()
        return files.map { ($0.0, $0.1.hasSuffix("\n\n") ? String($0.1.dropLast()) : $0.1) }
    }

    /// Writes `text` at `path` relative to the site's root.
    public func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    public func write(_ path: String, _ data: Data) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
    }

    /// A file of the site, as text.
    public func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every file below `folder` (relative to the root), by relative path, with its bytes.
    public func tree(_ folder: String) -> [String: Data] {
        Self.tree(atPath: root + "/" + folder)
    }

    /// Every file below the folder at `base` (absolute, or relative to the current folder), by
    /// relative path, with its bytes; empty when there is no such folder.
    public static func tree(atPath base: String) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: base) else { return result }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = FileManager.default.contents(atPath: base + "/" + relative)
            }
        }
        return result
    }

    /// Makes `path` (relative to the root) a symbolic link to `target`.
    public func symlink(_ path: String, to target: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    /// Removes the file or folder at `path` (relative to the root).
    public func delete(_ path: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + path)
    }

    /// Names in the site's folder (hidden ones too).
    public func topLevelNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
