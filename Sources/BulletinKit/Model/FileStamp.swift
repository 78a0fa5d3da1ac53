#if canImport(Glibc)
import Glibc
#endif

/// What `stat` says of a file, enough to tell that it has not been touched since: a file whose
/// stamp is unchanged is taken to hold the same bytes. Times are in nanoseconds.
struct FileStamp: Sendable, Hashable {
    var size: Int64
    var modified: Int64
    /// The status change time, which nothing can set back (for inputs; outputs keep 0, since
    /// linking a published file into the next build changes it).
    var changed: Int64
    var inode: UInt64

    /// In place of a stamp not taken yet: a file listed by a build that has no manifest to
    /// compare stamps with gets the stamp its reading takes (``SiteBuilder/build()``).
    static let notTaken = FileStamp(size: -1, modified: 0, changed: 0, inode: 0)

    init(size: Int64, modified: Int64, changed: Int64, inode: UInt64) {
        self.size = size
        self.modified = modified
        self.changed = changed
        self.inode = inode
    }

    init(_ info: stat, withChangeTime: Bool) {
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = withChangeTime ? Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec) : 0
        inode = UInt64(info.st_ino)
    }

    /// The stamp of the regular file at `path` (following a symbolic link), or nil.
    static func of(_ path: String, withChangeTime: Bool) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileStamp(info, withChangeTime: withChangeTime)
    }
}

/// Reads a whole file, or nil.
func readFile(_ path: String) -> [UInt8]? {
    try? readFile(path, limit: .max).get()
}

enum ReadFailure: Error {
    case unreadable
    /// Larger than the limit: refused without reading it.
    case tooLarge
}

/// Reads a whole file of at most `limit` bytes (by its size when opened).
func readFile(_ path: String, limit: Int) -> Result<[UInt8], ReadFailure> {
    var stamp: FileStamp?
    return readFile(path, limit: limit, stamp: &stamp)
}

/// Reads a whole file of at most `limit` bytes (by its size when opened); `stamp` is set to the
/// file's stamp as it was opened, before a byte was read.
func readFile(_ path: String, limit: Int, stamp: inout FileStamp?) -> Result<[UInt8], ReadFailure> {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(.unreadable) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(.unreadable) }
    if info.st_mode & S_IFMT == S_IFREG { stamp = FileStamp(info, withChangeTime: true) }
    if Int(info.st_size) > limit { return .failure(.tooLarge) }
    // Read the size the file has, and one byte more, into an array: a read that stops short of
    // that byte met the end, which then costs no second read. A file that grew is read on
    // through a small buffer until the end (files in /proc say 0).
    let size = max(0, Int(info.st_size))
    var total = 0
    var failed = false
    var ended = false
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
        while total <= size {
            let n = read(fd, buffer.baseAddress! + total, size + 1 - total)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failed = true }
            if n <= 0 {
                ended = true
                break
            }
            total += n
            // Exactly the size it had, one byte short of what was asked: the end of the file.
            if total == size {
                ended = true
                break
            }
        }
        count = total
    }
    if failed { return .failure(.unreadable) }
    if ended { return .success(bytes) }
    if bytes.count > limit { return .failure(.tooLarge) }
    var more = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = more.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return .failure(.unreadable)
        }
        if n == 0 { break }
        if bytes.count + n > limit { return .failure(.tooLarge) }
        bytes.append(contentsOf: more[..<n])
    }
    return .success(bytes)
}

/// The name and type (`DT_REG`, `DT_DIR`, …) of an entry that `readdir` gave, read from the
/// entry's own bytes. An entry is only as long as its name needs: copying the whole `dirent`
/// (`entry.pointee`) can read past the end of the listing's buffer, which crashed a listing of a
/// million-post snapshot.
func directoryEntry(_ entry: UnsafeMutablePointer<dirent>) -> (name: String, type: UInt8) {
    let raw = UnsafeRawPointer(entry)
    let type = raw.load(fromByteOffset: MemoryLayout<dirent>.offset(of: \dirent.d_type)!, as: UInt8.self)
    let name = String(cString: (raw + MemoryLayout<dirent>.offset(of: \dirent.d_name)!).assumingMemoryBound(to: CChar.self))
    return (name, type)
}
