#if canImport(Glibc)
import Glibc
#endif

/// What a build read and wrote, kept between runs (in the cache folder) so that the next build
/// of the same output re-renders only the pages whose inputs changed and rewrites only the
/// files whose bytes changed.
///
/// A text file of tab-separated lines, one per input and per output file; fields are escaped
/// (`\\`, `\t`, `\n`, `\r`, and `\s` for the separator of lists).
struct BuildManifest: Sendable, Equatable {
    static let formatLine = "bulletin-manifest 3"

    /// What made the build: Bulletin's program (``ExecutableIdentity``) and the options.
    var tool = ""
    /// The stamp and hash of the executable that made the build, so that the next build by the
    /// same file does not read it again.
    var executable: Input?
    /// The hash of every input that reaches every page (see ``InputTree/Role``).
    var settings = 0
    var theme = ""
    /// The published folder, resolved.
    var output = ""
    var report = Report()
    /// The stamp of `Content/` and of each folder below it, when they can be trusted (else
    /// none): a folder whose stamp is unchanged holds the same names, so a build that finds
    /// every folder and every file as recorded need not list them again (``StampCheck``).
    var folders: [String: FileStamp] = [:]
    var inputs: [String: Input] = [:]
    var outputs: [String: Output] = [:]

    struct Report: Sendable, Equatable {
        var posts = 0
        var comments = 0
        var pages = 0
        var bytes = 0
        var diagnostics: [Diagnostic] = []
    }

    struct Input: Sendable, Equatable {
        var stamp: FileStamp
        var hash: Int
    }

    struct Output: Sendable, Equatable {
        /// The hash of the file's bytes, and its stamp once written.
        var hash: Int
        var stamp: FileStamp
        var page: Page?
        /// Whether the published file had `stamp` when this build began (``StampCheck``);
        /// not kept in the text. When false, nothing is known yet.
        var seenUnchanged = false
    }

    /// What rendering a page gave besides its bytes.
    struct Page: Sendable, Equatable {
        var fingerprint: Int
        var linkTargets: [String]
        var attachments: [String]
        var diagnostics: [Diagnostic]
    }

    // MARK: Text

    func encoded(jobs: Int = ProcessInfoCores.count) -> [UInt8] {
        encodedChunks(jobs: jobs).flatMap { $0 }
    }

    /// The text in pieces, in order: the header, then the lines of files in chunks made on all
    /// cores (a million-page site has two million lines), written one after another without
    /// joining them first.
    func encodedChunks(jobs: Int = ProcessInfoCores.count) -> [[UInt8]] {
        var head: [UInt8] = []
        Self.line([Self.formatLine], into: &head)
        Self.line(["tool", tool], into: &head)
        if let executable {
            head.append(contentsOf: "exe".utf8)
            Self.stamp(executable.stamp, into: &head)
            Self.number(executable.hash, into: &head)
            head.append(UInt8(ascii: "\n"))
        }
        Self.line(["settings", String(settings)], into: &head)
        Self.line(["theme", theme], into: &head)
        Self.line(["output", output], into: &head)
        Self.line(["report", String(report.posts), String(report.comments), String(report.pages), String(report.bytes)], into: &head)
        for d in report.diagnostics { Self.diagnostic("diag", d, into: &head) }
        // The lines of files are most of the manifest: written field by field, with no array of strings per line.
        let folderLines = Self.lines(of: folders, jobs: jobs) { path, stamp, out in
            out.append(contentsOf: "dir\t".utf8)
            Self.escape(path, into: &out)
            Self.stamp(stamp, into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        let inputLines = Self.lines(of: inputs, jobs: jobs) { path, input, out in
            out.append(contentsOf: "in\t".utf8)
            Self.escape(path, into: &out)
            Self.stamp(input.stamp, into: &out)
            Self.number(input.hash, into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        let outputLines = Self.lines(of: outputs, jobs: jobs) { path, file, out in
            out.append(contentsOf: "out\t".utf8)
            Self.escape(path, into: &out)
            Self.number(file.hash, into: &out)
            Self.stamp(file.stamp, into: &out)
            guard let page = file.page else {
                out.append(UInt8(ascii: "\n"))
                return
            }
            Self.number(page.fingerprint, into: &out)
            Self.line([], list: [page.linkTargets, page.attachments], into: &out)
            for d in page.diagnostics { Self.diagnostic("pdiag", d, into: &out) }
        }
        return [head] + folderLines + inputLines + outputLines
    }

    /// The lines of `records` in byte order of their paths, in chunks of 1,024 made on `jobs` threads.
    private static func lines<Record: Sendable>(
        of records: [String: Record], jobs: Int, _ write: @Sendable (String, Record, inout [UInt8]) -> Void
    ) -> [[UInt8]] {
        let paths = parallelSorted(Array(records.keys), jobs: jobs, by: byBytes)
        return parallelMap(count: (paths.count + 1023) / 1024, jobs: jobs, chunk: 1) { c -> [UInt8] in
            var out: [UInt8] = []
            for path in paths[(c * 1024)..<min(paths.count, c * 1024 + 1024)] { write(path, records[path]!, &out) }
            return out
        }
    }

    /// A stamp's fields (size, modified, changed, inode), each after a tab.
    private static func stamp(_ s: FileStamp, into out: inout [UInt8]) {
        number(Int(s.size), into: &out)
        number(Int(s.modified), into: &out)
        number(Int(s.changed), into: &out)
        number(s.inode, negative: false, into: &out)
    }

    /// A tab, and a number as `String(_:)` writes it.
    private static func number(_ n: Int, into out: inout [UInt8]) {
        number(UInt64(n.magnitude), negative: n < 0, into: &out)
    }

    private static func number(_ magnitude: UInt64, negative: Bool, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\t"))
        if negative { out.append(UInt8(ascii: "-")) }
        var value = magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    /// One line: fields escaped and joined by tabs; a list's items one by one, joined by a bare separator.
    private static func line(_ fields: [String], list: [[String]] = [], into out: inout [UInt8]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "\t")) }
            escape(field, into: &out)
        }
        for items in list {
            out.append(UInt8(ascii: "\t"))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x1F) }
                escape(item, into: &out)
            }
        }
        out.append(UInt8(ascii: "\n"))
    }

    private static func diagnostic(_ tag: String, _ d: Diagnostic, into out: inout [UInt8]) {
        line([tag, d.severity.rawValue, d.location.path, String(d.location.line), String(d.location.column), d.message], into: &out)
    }

    /// The decimal integers of a line read one field after another in place with `integer`, for
    /// the check that nothing changed (no array of field ranges).
    struct Numbers {
        let all: UnsafeBufferPointer<UInt8>
        /// Where the next field starts.
        var at: Int
        /// The byte that ended the last field read: a tab, or the line's end.
        var ended: UInt8 = 0

        /// The next field as `integer(_:)` reads it, in one pass over its digits (a stamp's
        /// line is four numbers of up to 19 digits, and a check that nothing changed reads one
        /// line for each file).
        mutating func next() -> Int? {
            let count = all.count
            var i = at
            let negative = i < count && all[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            let first = i
            var value: UInt64 = 0
            // Nineteen digits cannot overflow a UInt64; a twentieth might.
            while i < count, i - first < 19 {
                let digit = all[i] &- UInt8(ascii: "0")
                if digit > 9 { break }
                value = value &* 10 &+ UInt64(digit)
                i += 1
            }
            if i < count, i - first == 19, case let digit = all[i] &- UInt8(ascii: "0"), digit <= 9 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
                guard !o1, !o2 else { return nil }
                value = sum
                i += 1
            }
            // Digits, then the field's end: anything else is no number.
            guard i > first, i < count, all[i] == 9 || all[i] == UInt8(ascii: "\n") else { return nil }
            if negative && value > UInt64(Int.max) + 1 { return nil }
            ended = all[i]
            at = i + 1
            return negative ? Int(truncatingIfNeeded: 0 &- value) : Int(truncatingIfNeeded: value)
        }

        /// A stamp's four fields.
        mutating func stamp() -> FileStamp? {
            guard let size = next(), let modified = next(), let changed = next(), let inode = next() else { return nil }
            return FileStamp(size: Int64(size), modified: Int64(modified), changed: Int64(changed), inode: UInt64(bitPattern: Int64(inode)))
        }
    }

    /// A decimal integer (written by `String(_:)`; inodes beyond `Int.max` as they wrap).
    static func integer(_ digits: some Collection<UInt8>) -> Int? {
        var rest = digits[...]
        let negative = rest.first == UInt8(ascii: "-")
        if negative { rest = rest.dropFirst() }
        guard !rest.isEmpty, rest.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        if negative { return value <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- value) : nil }
        return Int(truncatingIfNeeded: value)
    }

    static func byBytes(_ a: String, _ b: String) -> Bool { a.precedesByBytes(b) }

    static func escape(_ field: String, into out: inout [UInt8]) {
        let bytes = field.utf8
        if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 32 }) {
            out.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x1F: out += [UInt8(ascii: "\\"), UInt8(ascii: "s")]
            default: out.append(byte)
            }
        }
    }

    static func unescape(_ field: UnsafeBufferPointer<UInt8>) -> String {
        guard field.contains(UInt8(ascii: "\\")) else { return String(decoding: field, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var escaped = false
        for byte in field {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "s"): bytes.append(0x1F)
                default: bytes.append(byte)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a manifest; nil when it is missing, of another format, or damaged in any way (the
    /// build is then a clean one).
    static func decode(_ bytes: [UInt8]) -> BuildManifest? {
        ManifestText(bytes)?.decoded()
    }

    /// The fields of one line of a manifest's text, found in place (their ranges kept in one
    /// reused array): only paths and texts become strings.
    struct Line {
        let all: UnsafeBufferPointer<UInt8>
        var fields: [Range<Int>] = []

        init(in all: UnsafeBufferPointer<UInt8>) {
            self.all = all
            fields.reserveCapacity(16)
        }

        /// Splits the line `start..<end` (without its newline) at tabs.
        mutating func split(_ start: Int, _ end: Int) {
            fields.removeAll(keepingCapacity: true)
            var fieldStart = start
            while true {
                let tab = BuildManifest.find(UInt8(ascii: "\t"), in: all, from: fieldStart, to: end)
                fields.append(fieldStart..<tab)
                if tab == end { break }
                fieldStart = tab + 1
            }
        }

        var count: Int { fields.count }
        var tag: Tag { Tag(bytes(0)) }
        func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: all[fields[i]]) }
        func text(_ i: Int) -> String { BuildManifest.unescape(bytes(i)) }
        func int(_ i: Int) -> Int? { BuildManifest.integer(bytes(i)) }
        func stamp(_ i: Int) -> FileStamp? {
            guard let size = int(i), let modified = int(i + 1), let changed = int(i + 2), let inode = int(i + 3) else { return nil }
            return FileStamp(size: Int64(size), modified: Int64(modified), changed: Int64(changed), inode: UInt64(bitPattern: Int64(inode)))
        }
        func diagnostic() -> Diagnostic? {
            guard count == 6, let severity = Diagnostic.Severity(rawValue: text(1)), let line = int(3), let column = int(4) else { return nil }
            return Diagnostic(severity, SourceLocation(path: text(2), line: line, column: column), text(5))
        }
        func list(_ i: Int) -> [String] {
            bytes(i).isEmpty ? [] : bytes(i).split(separator: 0x1F, omittingEmptySubsequences: false).map { BuildManifest.unescape(UnsafeBufferPointer(rebasing: $0)) }
        }
    }

    /// Adds what `line` says to the manifest; false when the line is damaged or unknown.
    /// - Parameter lastOutput: the path of the last output line, which `pdiag` lines belong to.
    /// - Parameter seenUnchanged: for an output line, ``Output/seenUnchanged``.
    mutating func add(_ line: Line, lastOutput: inout String?, seenUnchanged: Bool = false) -> Bool {
        switch (line.tag, line.count) {
        case (.directory, 6):
            guard let stamp = line.stamp(2) else { return false }
            folders[line.text(1)] = stamp
        case (.input, 7):
            guard let stamp = line.stamp(2), let hash = line.int(6) else { return false }
            inputs[line.text(1)] = Input(stamp: stamp, hash: hash)
        case (.output, 7), (.output, 10):
            guard let hash = line.int(2), let stamp = line.stamp(3) else { return false }
            var page: Page?
            if line.count == 10 {
                guard let fingerprint = line.int(7) else { return false }
                page = Page(fingerprint: fingerprint, linkTargets: line.list(8), attachments: line.list(9), diagnostics: [])
            }
            let path = line.text(1)
            outputs[path] = Output(hash: hash, stamp: stamp, page: page, seenUnchanged: seenUnchanged)
            lastOutput = path
        case (.pageDiagnostic, _):
            guard let d = line.diagnostic(), let path = lastOutput, outputs[path]?.page != nil else { return false }
            outputs[path]!.page!.diagnostics.append(d)
        case (.tool, 2): tool = line.text(1)
        case (.executable, 6):
            guard let stamp = line.stamp(1), let hash = line.int(5) else { return false }
            executable = Input(stamp: stamp, hash: hash)
        case (.settings, 2):
            guard let value = line.int(1) else { return false }
            settings = value
        case (.theme, 2): theme = line.text(1)
        case (.folder, 2): output = line.text(1)
        case (.report, 5):
            guard let posts = line.int(1), let comments = line.int(2), let pages = line.int(3), let bytes = line.int(4) else { return false }
            report = Report(posts: posts, comments: comments, pages: pages, bytes: bytes)
        case (.diagnostic, _):
            guard let d = line.diagnostic() else { return false }
            report.diagnostics.append(d)
        default:
            return false
        }
        return true
    }

    /// The offset of the first `byte` in `text[start..<end]` (`text.count` by default), or `end`.
    static func find(_ byte: UInt8, in text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> Int {
        let end = end ?? text.count
        guard start < end, let found = memchr(text.baseAddress! + start, Int32(byte), end - start) else { return end }
        return text.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// The first field of a line, which says what the line holds.
    enum Tag {
        case directory, input, output, pageDiagnostic, tool, executable, settings, theme, folder, report, diagnostic, unknown

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            func named(_ name: StaticString) -> Bool {
                bytes.count == name.utf8CodeUnitCount && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
            }
            // The lines of files first: they are nearly all the lines.
            self =
                named("in") ? .input : named("out") ? .output : named("dir") ? .directory : named("pdiag") ? .pageDiagnostic : named("tool") ? .tool
                : named("exe") ? .executable : named("settings") ? .settings : named("theme") ? .theme : named("output") ? .folder
                : named("report") ? .report : named("diag") ? .diagnostic : .unknown
        }

        /// The tag of the line `start..<end` of `all` (without its newline). The tags of nearly
        /// every line, `in` and `out`, are told by their first bytes, without looking for the tab.
        init(line all: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
            func begins(_ tag: StaticString) -> Bool {
                end - start > tag.utf8CodeUnitCount && memcmp(all.baseAddress! + start, tag.utf8Start, tag.utf8CodeUnitCount) == 0
            }
            if begins("in\t") {
                self = .input
            } else if begins("out\t") {
                self = .output
            } else {
                self.init(UnsafeBufferPointer(rebasing: all[start..<BuildManifest.find(9, in: all, from: start, to: end)]))
            }
        }
    }
}
