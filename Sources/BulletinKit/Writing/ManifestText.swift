import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A build manifest's text with only its header decoded, and where each line of a file begins.
///
/// The check that nothing changed since the last build compares these lines with the disk in
/// place (``StampCheck``, `inputRecords(for:)`): it makes no string and no dictionary entry
/// of each of the 30,000 lines of a 10,000-post site, which took longer than looking at the
/// files. A build that goes on decodes them all (`decoded(found:)`).
struct ManifestText: Sendable {
    let bytes: Bytes

    /// The text's bytes: an array, or a file mapped into memory (reading a manifest of a few
    /// megabytes into an array is half the time it takes to check a 10,000-post site).
    final class Bytes: Sendable {
        private let array: [UInt8]
        private nonisolated(unsafe) let mapped: UnsafeRawBufferPointer?

        init(_ array: [UInt8]) {
            self.array = array
            mapped = nil
        }

        /// The file at `path` mapped, or nil when it cannot be opened or is empty.
        /// - Parameter populate: whether all of it is going to be read: then its pages are mapped
        ///   at once (`MAP_POPULATE`), not one fault at a time.
        init?(mapping path: String, populate: Bool = true) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0,
                let map = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0), map != MAP_FAILED
            else { return nil }
            array = []
            mapped = UnsafeRawBufferPointer(start: map, count: Int(info.st_size))
        }

        deinit {
            if let mapped { munmap(UnsafeMutableRawPointer(mutating: mapped.baseAddress), mapped.count) }
        }

        var count: Int { mapped?.count ?? array.count }
        var last: UInt8? { count == 0 ? nil : withUnsafeBufferPointer { $0[count - 1] } }

        func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            if let mapped { return try body(mapped.assumingMemoryBound(to: UInt8.self)) }
            return try array.withUnsafeBufferPointer(body)
        }
    }
    /// Everything but the inputs and outputs.
    private(set) var header = BuildManifest()
    /// Where the line of each folder, input and output begins, in the text's order (by path).
    private(set) var folderLines: [Int] = []
    private(set) var inputLines: [Int] = []
    private(set) var outputLines: [Int] = []
    /// The inputs below `Content/`: how many of `inputLines` (from the first) are not.
    private(set) var contentInputs: Range<Int> = 0..<0
    /// Whether the inputs outside `contentInputs` are all the others (they are unless the text was damaged).
    private var contentTogether = false
    /// Where the lines of files begin, after the header's.
    private var filesStart = 0
    /// The input lines by their paths, made the first time a path is looked up.
    private let slots = InputSlots()

    /// Nil when the text is of another format or its header is damaged. Damaged lines of files
    /// are found by `decoded(found:)`, and make the check that nothing changed fail.
    init?(_ bytes: [UInt8]) {
        self.init(Bytes(bytes))
    }

    /// The manifest at `path`, mapped rather than read; nil when there is none.
    init?(mapping path: String) {
        guard let bytes = Bytes(mapping: path) else { return nil }
        self.init(bytes)
    }

    /// The header of the manifest at `path` (none of its files' lines is scanned), or nil when
    /// there is none or it is damaged: for a build that renders everything, which still may take
    /// the executable's identity from it (``SiteBuilder/toolIdentity(previous:)``).
    static func header(mapping path: String) -> BuildManifest? {
        guard let bytes = Bytes(mapping: path, populate: false) else { return nil }
        return bytes.withUnsafeBufferPointer { all -> BuildManifest? in
            // The header ends where the first line of a file begins.
            var end = 0
            while end < all.count {
                let lineEnd = BuildManifest.find(UInt8(ascii: "\n"), in: all, from: end)
                let tag = BuildManifest.Tag(line: all, from: end, to: lineEnd)
                if end > 0, tag == .directory || tag == .input || tag == .output || tag == .pageDiagnostic { break }
                end = min(all.count, lineEnd + 1)
            }
            let part = scan(all, from: 0, to: end)
            return part.ok ? part.header : nil
        }
    }

    /// The text, its lines scanned on this thread.
    init?(_ bytes: Bytes) {
        self.init(bytes, parts: [bytes.withUnsafeBufferPointer { Self.scan($0, from: 0, to: $0.count) }])
    }

    /// The text, from scans of its parts (`split(_:)`), in order. Nil when a part found a line
    /// out of place; `parts(_:)` then scans it whole.
    init?(_ bytes: Bytes, parts: [Part]) {
        guard bytes.last == UInt8(ascii: "\n"), let first = parts.first, parts.allSatisfy(\.ok) else { return nil }
        self.bytes = bytes
        header = first.header
        var firstContent: Int?, lastContent = -1, contentCount = 0
        var filesStart: Int?
        for part in parts {
            // A page diagnostic follows the output it is about.
            if part.diagnosticFirst && filesStart == nil { return nil }
            filesStart = filesStart ?? part.filesStart
            if let first = part.firstContent {
                firstContent = firstContent ?? (inputLines.count + first)
                lastContent = inputLines.count + part.lastContent
                contentCount += part.contentCount
            }
            folderLines += part.folders
            inputLines += part.inputs
            outputLines += part.outputs
        }
        contentInputs = firstContent.map { $0..<(lastContent + 1) } ?? 0..<0
        contentTogether = contentInputs.count == contentCount
        // Together, or the folders are not trusted.
        if !contentTogether { folderLines = [] }
        self.filesStart = filesStart ?? bytes.count
    }

    /// What a scan of a run of the text's lines found.
    struct Part: Sendable {
        var folders: [Int] = []
        var inputs: [Int] = []
        var outputs: [Int] = []
        /// The inputs below `Content/`: the first and last (indexes in `inputs`), and how many.
        var firstContent: Int?
        var lastContent = -1
        var contentCount = 0
        /// Where the first line of a file begins, if the part has one.
        var filesStart: Int?
        /// Its header lines (the first part's), decoded.
        var header = BuildManifest()
        /// False when a line is out of place: a header line after a file's, the format line not
        /// first; or a header line in a part after the first.
        var ok = true
        /// Whether a page diagnostic came before the part's first file.
        var diagnosticFirst = false
    }

    /// Where a text of this size is cut in two parts to scan on two threads: after the newline
    /// that follows its middle. Nil for a text too small to gain from it.
    static func split(_ bytes: Bytes) -> Int? {
        guard bytes.count >= 1 << 18 else { return nil }
        let cut = bytes.withUnsafeBufferPointer { BuildManifest.find(UInt8(ascii: "\n"), in: $0, from: $0.count / 2) + 1 }
        return cut < bytes.count ? cut : nil
    }

    /// Scans the lines of `from..<to`, which begins a line; the header's lines only when `from` is 0.
    static func scan(_ all: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Part {
        var part = Part()
        // Room for the lines of files at once (they are 60 bytes or more): growing the arrays
        // line by line copied and faulted in their memory again and again.
        part.inputs.reserveCapacity((to - from) / 60)
        part.outputs.reserveCapacity((to - from) / 60)
        var line = BuildManifest.Line(in: all)
        var lastOutput: String?
        var start = from
        while start < to {
            let end = BuildManifest.find(UInt8(ascii: "\n"), in: all, from: start, to: to)
            let lineStart = start
            start = end + 1
            if lineStart == 0 {
                guard BuildManifest.formatLine.utf8.elementsEqual(UnsafeBufferPointer(rebasing: all[0..<end])) else {
                    part.ok = false
                    return part
                }
                continue
            }
            switch BuildManifest.Tag(line: all, from: lineStart, to: end) {
            case .directory: part.folders.append(lineStart)
            case .input:
                if isContent(lineStart + 3, in: all) {
                    part.firstContent = part.firstContent ?? part.inputs.count
                    part.lastContent = part.inputs.count
                    part.contentCount += 1
                }
                part.inputs.append(lineStart)
            case .output: part.outputs.append(lineStart)
            case .pageDiagnostic:
                if part.filesStart == nil { part.diagnosticFirst = true }
            default:
                // The header's lines come first, all in the first part.
                guard from == 0, part.filesStart == nil else {
                    part.ok = false
                    return part
                }
                line.split(lineStart, end)
                guard part.header.add(line, lastOutput: &lastOutput) else {
                    part.ok = false
                    return part
                }
                continue
            }
            if part.filesStart == nil { part.filesStart = lineStart }
        }
        return part
    }

    /// The input lines by their paths (escaped as in the text): an open-addressing table of
    /// line numbers + 1, 0 for an empty slot. Made once, by the first thread to need it.
    private final class InputSlots: Sendable {
        private let table = Mutex<[Int32]?>(nil)

        func get(_ make: () -> [Int32]) -> [Int32] {
            table.withLock { table in
                if let table { return table }
                let made = make()
                table = made
                return made
            }
        }
    }

    private func makeSlots() -> [Int32] {
        var size = 16
        while size < inputLines.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        bytes.withUnsafeBufferPointer { all in
            for (i, lineStart) in inputLines.enumerated() {
                var slot = StableHasher.hash(bytes: UnsafeRawBufferPointer(Self.inputPath(lineStart, in: all))) & (size - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
                slots[slot] = Int32(i + 1)
            }
        }
        return slots
    }

    /// Whether the path at `start` is below `Content/`.
    private static func isContent(_ start: Int, in all: UnsafeBufferPointer<UInt8>) -> Bool {
        isContent(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(all)[min(start, all.count)...]))
    }

    private static func isContent(_ path: UnsafeRawBufferPointer) -> Bool {
        let prefix: StaticString = "Content/"
        return path.count >= prefix.utf8CodeUnitCount && memcmp(path.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// The path field of the input line at `lineStart`, as the text has it.
    private static func inputPath(_ lineStart: Int, in all: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let from = lineStart + 3  // "in\t"
        return UnsafeBufferPointer(rebasing: all[from..<BuildManifest.find(9, in: all, from: from)])
    }

    /// The whole manifest, or nil when a line is damaged.
    /// - Parameter found: whether the published file of the output on the given line (counted
    ///   from 0) was found as that line records it (``BuildManifest/Output/seenUnchanged``).
    func decoded(found: (Int) -> Bool = { _ in false }) -> BuildManifest? {
        var manifest = header
        // Room for every line at once: growing a dictionary of a million paths rehashes them all several times.
        manifest.inputs.reserveCapacity(inputLines.count)
        manifest.outputs.reserveCapacity(outputLines.count)
        let complete = bytes.withUnsafeBufferPointer { all -> Bool in
            var line = BuildManifest.Line(in: all)
            var lastOutput: String?
            var output = 0
            var start = filesStart
            while start < all.count {
                let end = BuildManifest.find(UInt8(ascii: "\n"), in: all, from: start)
                line.split(start, end)
                start = end + 1
                let isOutput = line.tag == .output
                guard manifest.add(line, lastOutput: &lastOutput, seenUnchanged: isOutput && found(output)) else { return false }
                if isOutput { output += 1 }
            }
            return true
        }
        return complete ? manifest : nil
    }

    /// The folders' stamps the manifest recorded (``BuildManifest/folders``).
    func recordedFolders() -> [String: FileStamp] {
        var manifest = BuildManifest()
        bytes.withUnsafeBufferPointer { all in
            var line = BuildManifest.Line(in: all)
            var lastOutput: String?
            for start in folderLines {
                line.split(start, BuildManifest.find(UInt8(ascii: "\n"), in: all, from: start))
                _ = manifest.add(line, lastOutput: &lastOutput)
            }
        }
        return manifest.folders
    }

    /// The record of each of `files` (in their order), from the input line with the same path;
    /// nil when a file has no line, or its line is damaged.
    func inputRecords(for files: some Collection<(path: String, stamp: FileStamp)>) -> [BuildManifest.Input]? {
        bytes.withUnsafeBufferPointer { all -> [BuildManifest.Input]? in
            var records: [BuildManifest.Input] = []
            records.reserveCapacity(files.count)
            func matches(_ line: Int, _ key: UnsafeRawBufferPointer) -> Bool {
                let field = Self.inputPath(inputLines[line], in: all)
                return field.count == key.count && (key.isEmpty || memcmp(field.baseAddress!, key.baseAddress!, key.count) == 0)
            }
            // The few inputs outside Content/ (a build that found its content files unchanged
            // looks up only those) are found without making the table of all.
            let others = contentTogether && inputLines.count - contentInputs.count <= 64 ? Array(0..<contentInputs.lowerBound) + Array(contentInputs.upperBound..<inputLines.count) : nil
            var slots: [Int32] = []
            func lookup(_ key: UnsafeRawBufferPointer) -> Int? {
                if let others, !Self.isContent(key) { return others.first { matches($0, key) } }
                if slots.isEmpty { slots = self.slots.get(makeSlots) }
                let mask = slots.count - 1
                var slot = StableHasher.hash(bytes: key) & mask
                while slots[slot] != 0 {
                    if matches(Int(slots[slot]) - 1, key) { return Int(slots[slot]) - 1 }
                    slot = (slot + 1) & mask
                }
                return nil
            }
            var escaped: [UInt8] = []
            for (name, _) in files {
                var path = name
                let found = path.withUTF8 { utf8 -> Int? in
                    guard utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 32 }) else { return lookup(UnsafeRawBufferPointer(utf8)) }
                    escaped.removeAll(keepingCapacity: true)
                    BuildManifest.escape(name, into: &escaped)
                    return escaped.withUnsafeBytes { lookup($0) }
                }
                guard let found else { return nil }
                // The fields after the path: a stamp and a hash, the last.
                let field = Self.inputPath(inputLines[found], in: all)
                var numbers = BuildManifest.Numbers(all: all, at: all.baseAddress!.distance(to: field.baseAddress!) + field.count + 1)
                guard let stamp = numbers.stamp(), let hash = numbers.next(), numbers.ended == UInt8(ascii: "\n") else { return nil }
                records.append(BuildManifest.Input(stamp: stamp, hash: hash))
            }
            return records
        }
    }

    /// The path and record of the output on each of `lines` (counted from 0); nil when one is damaged.
    func outputRecords(_ lines: [Int]) -> [(path: String, record: BuildManifest.Output)]? {
        bytes.withUnsafeBufferPointer { all -> [(path: String, record: BuildManifest.Output)]? in
            var line = BuildManifest.Line(in: all)
            var records: [(path: String, record: BuildManifest.Output)] = []
            for i in lines {
                let start = outputLines[i]
                line.split(start, BuildManifest.find(UInt8(ascii: "\n"), in: all, from: start))
                guard line.count == 7 || line.count == 10, let hash = line.int(2), let stamp = line.stamp(3) else { return nil }
                records.append((line.text(1), BuildManifest.Output(hash: hash, stamp: stamp)))
            }
            return records
        }
    }
}
