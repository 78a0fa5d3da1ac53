import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Everything below a folder, as it is on disk: folders, files with their bytes, and symbolic
/// links with their targets, by path relative to the folder. Two equal trees are byte-identical.
struct OutputTree: Equatable {
    enum Entry: Equatable {
        case folder
        case file(Data)
        case link(String)
    }

    let root: String
    let entries: [String: Entry]

    init(_ root: String) {
        self.root = root
        var entries: [String: Entry] = [:]
        func walk(_ relative: String) {
            let folder = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + path
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    entries[path] = .folder
                    walk(path)
                case S_IFLNK:
                    entries[path] = .link((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")
                default:
                    entries[path] = .file(FileManager.default.contents(atPath: full) ?? Data())
                }
            }
        }
        walk("")
        self.entries = entries
    }

    static func == (a: OutputTree, b: OutputTree) -> Bool { a.entries == b.entries }

    var exists: Bool { FileManager.default.fileExists(atPath: root) }

    /// Paths of the files, sorted.
    var files: [String] {
        entries.compactMap { if case .file = $0.value { return $0.key } else { return nil } }.sorted()
    }

    func data(_ path: String) -> Data? {
        if case .file(let data) = entries[path] { return data }
        return nil
    }

    func text(_ path: String) -> String? {
        data(path).map { String(decoding: $0, as: UTF8.self) }
    }

    func isFile(_ path: String) -> Bool { data(path) != nil }

    /// The first few paths where two trees differ, for a readable failure message.
    func differences(from other: OutputTree, limit: Int = 10) -> [String] {
        var result: [String] = []
        for path in Set(entries.keys).union(other.entries.keys).sorted() where entries[path] != other.entries[path] {
            let mine = entries[path].map(Self.describe) ?? "missing"
            let theirs = other.entries[path].map(Self.describe) ?? "missing"
            result.append("\(path): \(mine) vs \(theirs)")
            if result.count == limit { break }
        }
        return result
    }

    private static func describe(_ entry: Entry) -> String {
        switch entry {
        case .folder: "folder"
        case .file(let data): "file of \(data.count) bytes"
        case .link(let target): "link to \(target)"
        }
    }
}
