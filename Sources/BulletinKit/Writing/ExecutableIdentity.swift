#if canImport(Glibc)
import Glibc
#endif

/// What identifies a build of Bulletin: the hash of the sections of its executable that make up
/// the program, leaving out those that differ between two builds of the same source (the debug
/// information, Swift's module hashes and the GNU build ID, which hashes them). Two `swift build`
/// runs of the same code on the same toolchain give the same identity; any change of code, data
/// or compiler (`.comment` names it) gives another.
enum ExecutableIdentity {
    static let ignoredSections: Set<String> = [".swift_modhash", ".note.gnu.build-id"]

    struct Section {
        var name: String
        var type: Int
        /// Where its bytes are in the file (none for NOBITS sections such as `.bss`).
        var offset: Int
        var size: Int
        var hasBytes: Bool { type != 8 }
    }

    /// Section bytes are hashed in pieces of this size.
    static let piece = 1 << 20

    /// The identity of the executable at `path`. Its section table is read through a mapping;
    /// its program sections (about 20 of a dynamically linked Bulletin's 48 MB, 90 of a
    /// statically linked one's 120; the rest is debug information) through one small buffer,
    /// so that their pages never count in the process's memory as the mapping's would.
    static func hash(file path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, let map = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED
        else { return readFile(path).map(hash) }
        defer { munmap(map, Int(info.st_size)) }
        let raw = UnsafeRawBufferPointer(start: map, count: Int(info.st_size))
        guard let sections = sections(of: raw) else { return StableHasher.hash(bytes: raw) }
        var buffer = [UInt8](repeating: 0, count: piece)
        return hash(sections) { offset, count in
            buffer.withUnsafeMutableBytes { out -> UnsafeRawBufferPointer? in
                var done = 0
                while done < count {
                    let n = pread(fd, out.baseAddress! + done, count - done, off_t(offset + done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return nil }
                    done += n
                }
                return UnsafeRawBufferPointer(rebasing: out[0..<count])
            }
        }
    }

    /// The identity of an executable's bytes: its ELF sections, or all its bytes when it is not a
    /// 64-bit little-endian ELF file or its section table does not read.
    static func hash(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { hash($0) }
    }

    static func hash(_ raw: UnsafeRawBufferPointer) -> Int {
        guard let sections = sections(of: raw) else { return StableHasher.hash(bytes: raw) }
        return hash(sections) { offset, count in UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]) }!
    }

    /// The hash of `sections`, whose bytes `read(offset, count)` gives, at most `piece` at a time.
    /// Nil when a read fails (the file changed while it was read).
    private static func hash(_ sections: [Section], read: (Int, Int) -> UnsafeRawBufferPointer?) -> Int? {
        var hasher = StableHasher()
        for section in sections where !section.name.hasPrefix(".debug") && !ignoredSections.contains(section.name) {
            hasher.combine(section.name)
            hasher.combine(section.type)
            hasher.combine(section.size)
            guard section.hasBytes else { continue }
            var offset = section.offset
            while offset < section.offset + section.size {
                let count = min(piece, section.offset + section.size - offset)
                guard let bytes = read(offset, count) else { return nil }
                hasher.combine(bytes: bytes)
                offset += count
            }
        }
        return hasher.finalize()
    }

    /// The sections of a 64-bit little-endian ELF file, or nil.
    static func sections(of bytes: [UInt8]) -> [Section]? {
        bytes.withUnsafeBytes { sections(of: $0) }
    }

    static func sections(of raw: UnsafeRawBufferPointer) -> [Section]? {
        func u16(_ at: Int) -> Int? { at >= 0 && at + 2 <= raw.count ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))) : nil }
        func u32(_ at: Int) -> Int? { at >= 0 && at + 4 <= raw.count ? Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))) : nil }
        func u64(_ at: Int) -> Int? {
            guard at >= 0, at + 8 <= raw.count else { return nil }
            let value = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            return value <= UInt64(Int32.max) ? Int(value) : nil
        }
        guard raw.count >= 64, raw[0] == 0x7F, raw[1] == UInt8(ascii: "E"), raw[2] == UInt8(ascii: "L"), raw[3] == UInt8(ascii: "F"),
            raw[4] == 2, raw[5] == 1,
            let tableOffset = u64(0x28), let entrySize = u16(0x3A), let count = u16(0x3C), let namesIndex = u16(0x3E),
            entrySize >= 64, count > 0, namesIndex < count,
            let namesOffset = u64(tableOffset + namesIndex * entrySize + 24)
        else { return nil }
        var sections: [Section] = []
        for index in 0..<count {
            let header = tableOffset + index * entrySize
            guard let nameAt = u32(header), let type = u32(header + 4), let offset = u64(header + 24), let size = u64(header + 32)
            else { return nil }
            // The name: a NUL-terminated string in the names section.
            let start = namesOffset + nameAt
            guard start < raw.count else { return nil }
            var end = start
            while end < raw.count, raw[end] != 0 { end += 1 }
            let section = Section(
                name: String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<end]), as: UTF8.self), type: type, offset: offset, size: size)
            guard !section.hasBytes || offset + size <= raw.count else { return nil }
            sections.append(section)
        }
        return sections
    }
}
