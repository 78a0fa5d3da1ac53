import Foundation

/// How the index collects its postings: in flat buffers and an open-addressed table, since a
/// 10,000-post site gives about ten million tokens and three million postings, and the index is
/// built beside the threads that render pages, on the same cores. The classes here are filled by
/// one thread, then only read (by several at once, when gathering spilled parts).
extension SearchIndex {
    /// The postings of every token, doc by doc.
    struct Collector: SearchTokenizer.Sink {
        let shards: Int
        /// What the tokens being read count towards.
        var field = Field.title
        /// Token ids by key, and the current doc's counts.
        let table = KeyTable()
        /// The tokens' UTF-8, one after the other: token i ends at `textEnd[i]`.
        var textBytes: [UInt8] = []
        var textEnd: [Int] = []
        var shardOf: [Int32] = []
        /// The postings: held here, or (`spill`) written to disk by part.
        let postings = Postings()
        let spill: Spill?
        /// With `spill`: each token's number among its part's.
        var spilledID: [Int32] = []

        /// The kinds of field the weight tells apart, by the bit their count starts at.
        enum Field: UInt32 {
            case title = 0, named = 3, body = 6, comments = 9
            /// The board filter's token: counts nothing, weight 1.
            case filter = 31

            init(_ field: SearchField) {
                switch field {
                case .title: self = .title
                case .tags, .author: self = .named
                case .body: self = .body
                case .comments: self = .comments
                }
            }
        }

        init(shards: Int, spill: Spill? = nil) {
            self.shards = shards
            self.spill = spill
        }

        mutating func token(_ key: SearchTokenizer.Key, word: UnsafeBufferPointer<UInt8>?) {
            var slot = table.slot(key)
            if !table.holds(slot) { slot = add(key, word: word) }
            table.count(slot, field)
        }

        /// A token seen for the first time: its slot.
        private mutating func add(_ key: SearchTokenizer.Key, word: UnsafeBufferPointer<UInt8>?) -> Int {
            let start = textBytes.count
            if let word { textBytes += word } else { SearchTokenizer.appendText(ofSyllabic: key, to: &textBytes) }
            let s = textBytes.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[start...])
                return Int(SearchTokenizer.fnv1a32(utf8: SearchTokenizer.shardKey(utf8: text, isWord: word != nil)) % UInt32(shards))
            }
            let id = Int32(textEnd.count)
            textEnd.append(textBytes.count)
            shardOf.append(Int32(s))
            if let spill { spilledID.append(spill.addToken(part: s % spill.parts)) } else { postings.addToken() }
            return table.insert(key, id: id)
        }

        mutating func endDoc(_ doc: UInt32) {
            // Locals: the loop then counts no references to them.
            let postings = self.postings
            func weight(_ c: UInt32) -> UInt8 { SearchIndex.weight(title: Int(c & 7), named: Int(c >> 3 & 7), body: Int(c >> 6 & 7), comments: Int(c >> 9 & 7)) }
            if let spill {
                let (spilledID, shardOf) = (self.spilledID, self.shardOf)
                table.endDoc { id, c in spill.add(spilledID[Int(id)], part: Int(shardOf[Int(id)]) % spill.parts, weight: weight(c)) }
                spill.endDoc(doc)
            } else {
                table.endDoc { id, c in postings.append(Int(id), doc: doc, weight: weight(c)) }
            }
        }

        /// Gives `emit` the shard files. Spilled postings are gathered a part at a time, `jobs`
        /// parts at once.
        func files(jobs: Int, _ emit: (String, [UInt8]) throws -> Void) rethrows {
            var byShard: [[Int]] = Array(repeating: [], count: shards)
            for (id, s) in shardOf.enumerated() { byShard[Int(s)].append(id) }
            let sorted = textBytes.withUnsafeBufferPointer { all in
                byShard.map { ids in ids.sorted { text($0, in: all).lexicographicallyPrecedes(text($1, in: all)) } }
            }
            guard let spill else {
                for s in 0..<shards {
                    let (path, bytes) = shardFile(s, tokens: sorted[s], postings: postings) { $0 }
                    try emit(path, bytes)
                }
                return
            }
            for round in stride(from: 0, to: spill.parts, by: max(1, jobs)) {
                let parts = Array(round..<min(spill.parts, round + max(1, jobs)))
                let written = parallelMap(parts, jobs: jobs) { part in
                    let postings = spill.postings(of: part)
                    return stride(from: part, to: shards, by: spill.parts).map { s in
                        shardFile(s, tokens: sorted[s], postings: postings) { Int(spilledID[$0]) }
                    }
                }
                for (path, bytes) in written.joined() { try emit(path, bytes) }
            }
        }

        private func text(_ id: Int, in all: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: all[(id == 0 ? 0 : textEnd[id - 1])..<textEnd[id]])
        }

        /// Shard `s`: its tokens (sorted by their bytes) and where each one's postings are, then
        /// the postings. `local`: a token's number in `postings`.
        private func shardFile(_ s: Int, tokens: [Int], postings: Postings, local: (Int) -> Int) -> (path: String, bytes: [UInt8]) {
            var head: [UInt8] = [1]
            var blocks: [UInt8] = []
            SearchIndex.varint(tokens.count, into: &head)
            textBytes.withUnsafeBufferPointer { all in
                for id in tokens {
                    let start = blocks.count
                    postings.write(local(id), into: &blocks)
                    SearchIndex.varint(text(id, in: all).count, into: &head)
                    head += text(id, in: all)
                    SearchIndex.varint(postings.count(local(id)), into: &head)
                    SearchIndex.varint(blocks.count - start, into: &head)
                }
            }
            return ("search/s/\(s).bin", head + blocks)
        }
    }

    /// Postings on their way to disk, by part: for each doc that holds tokens of a part, the
    /// distance from the part's doc before, how many tokens, and each one's number in its part
    /// and weight. A part's file is read back in doc order, so its postings come out sorted.
    /// When no temporary file can be made or written, the part stays in memory.
    final class Spill: @unchecked Sendable {
        let parts: Int
        @exclusivity(unchecked) private var tokens: [Int32]
        /// The current doc's postings of each part, how many, and the parts it touched.
        @exclusivity(unchecked) private var current: [[UInt8]]
        @exclusivity(unchecked) private var currentCount: [Int]
        @exclusivity(unchecked) private var touched: [Int] = []
        @exclusivity(unchecked) private var buffers: [[UInt8]]
        @exclusivity(unchecked) private var lastDoc: [UInt32]
        /// Each part's temporary file, already unlinked (-1: none).
        @exclusivity(unchecked) private var files: [Int32]
        static let flushAt = 1 << 20

        init(parts: Int) {
            self.parts = parts
            tokens = Array(repeating: 0, count: parts)
            current = Array(repeating: [], count: parts)
            currentCount = Array(repeating: 0, count: parts)
            buffers = Array(repeating: [], count: parts)
            lastDoc = Array(repeating: 0, count: parts)
            let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            files = (0..<parts).map { _ in
                var template = Array((folder + "/bulletin-search-XXXXXX").utf8CString)
                let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
                if fd >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
                return fd
            }
        }

        deinit { for fd in files where fd >= 0 { close(fd) } }

        /// A new token of `part`: its number there.
        func addToken(part: Int) -> Int32 {
            tokens[part] += 1
            return tokens[part] - 1
        }

        @inline(__always) func add(_ id: Int32, part: Int, weight: UInt8) {
            if currentCount[part] == 0 { touched.append(part) }
            currentCount[part] += 1
            SearchIndex.varint(Int(id), into: &current[part])
            current[part].append(weight)
        }

        func endDoc(_ doc: UInt32) {
            for part in touched {
                SearchIndex.varint(Int(doc - lastDoc[part]), into: &buffers[part])
                SearchIndex.varint(currentCount[part], into: &buffers[part])
                buffers[part] += current[part]
                lastDoc[part] = doc
                current[part].removeAll(keepingCapacity: true)
                currentCount[part] = 0
                if buffers[part].count >= Self.flushAt { flush(part) }
            }
            touched.removeAll(keepingCapacity: true)
        }

        private func flush(_ part: Int) {
            guard files[part] >= 0 else { return }
            let written = buffers[part].withUnsafeBytes { bytes in
                var at = 0
                while at < bytes.count {
                    let n = systemWrite(files[part], bytes.baseAddress! + at, bytes.count - at)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return at }
                    at += n
                }
                return at
            }
            if written == buffers[part].count {
                buffers[part].removeAll(keepingCapacity: true)
            } else {
                // The disk refused: what was written is read back, the rest stays here.
                buffers[part] = read(part, upTo: lseek(files[part], 0, SEEK_CUR) - off_t(written)) + buffers[part]
                close(files[part])
                files[part] = -1
            }
        }

        /// The first `size` bytes of a part's file.
        private func read(_ part: Int, upTo size: off_t) -> [UInt8] {
            guard size > 0 else { return [] }
            return [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
                while count < Int(size) {
                    let n = pread(files[part], buffer.baseAddress! + count, Int(size) - count, off_t(count))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    count += n
                }
            }
        }

        /// A part's postings, gathered from its file (and what is still in memory).
        func postings(of part: Int) -> Postings {
            let bytes = (files[part] >= 0 ? read(part, upTo: lseek(files[part], 0, SEEK_END)) : []) + buffers[part]
            let postings = Postings()
            for _ in 0..<tokens[part] { postings.addToken() }
            var at = 0
            func varint() -> Int {
                var value = 0, shift = 0
                while true {
                    let byte = bytes[at]
                    at += 1
                    value |= Int(byte & 0x7F) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
            }
            var doc: UInt32 = 0
            while at < bytes.count {
                doc += UInt32(varint())
                for _ in 0..<varint() {
                    let id = varint()
                    postings.append(id, doc: doc, weight: bytes[at])
                    at += 1
                }
            }
            return postings
        }
    }

    /// The postings of every token as the shard files hold them (each doc as LEB128 of its
    /// distance from the token's doc before, then its weight), appended to chains of 16-byte
    /// blocks taken from one pool: writing a shard copies bytes, and an append writes into one
    /// buffer instead of growing an array per token. Used by one thread.
    final class Postings: @unchecked Sendable {
        static let block = 16
        // Only this class's methods touch these, one at a time: no run-time exclusivity checks.
        @exclusivity(unchecked) private var pool = Pool<UInt8>()
        /// For each block, the next of its token's.
        @exclusivity(unchecked) private var next = Pool<Int32>()
        @exclusivity(unchecked) private var tokens = Pool<Token>()

        private struct Token {
            var head: Int32 = -1
            var tail: Int32 = -1
            /// Bytes in all blocks, and in the last.
            var bytes: Int32 = 0
            var count: Int32 = 0
            var lastDoc: UInt32 = 0
        }

        func addToken() { tokens.append(Token()) }

        func count(_ token: Int) -> Int { Int(tokens[token].count) }

        func append(_ token: Int, doc: UInt32, weight: UInt8) {
            var t = tokens[token]
            // LEB128 of the distance (at most 5 bytes), then the weight: packed, low byte first.
            var packed: UInt64 = 0
            var n: UInt64 = 0
            var delta = UInt64(doc - t.lastDoc)
            repeat {
                let low = delta & 0x7F
                delta >>= 7
                packed |= (delta == 0 ? low : low | 0x80) << (8 * n)
                n += 1
            } while delta != 0
            packed |= UInt64(weight) << (8 * n)
            n += 1
            for k in 0..<n {
                let at = Int(t.bytes) % Self.block
                if at == 0 {
                    let b = Int32(next.count)
                    next.append(-1)
                    pool.grow(by: Self.block)
                    if t.head < 0 { t.head = b } else { next[Int(t.tail)] = b }
                    t.tail = b
                }
                pool[Int(t.tail) * Self.block + at] = UInt8(truncatingIfNeeded: packed >> (8 * k))
                t.bytes += 1
            }
            t.count += 1
            t.lastDoc = doc
            tokens[token] = t
        }

        /// A token's postings, appended to `out`.
        func write(_ token: Int, into out: inout [UInt8]) {
            let t = tokens[token]
            var b = Int(t.head)
            var left = Int(t.bytes)
            while left > 0 {
                let n = min(left, Self.block)
                pool.withBuffer { out += $0[(b * Self.block)..<(b * Self.block + n)] }
                left -= n
                if left > 0 { b = Int(next[b]) }
            }
        }
    }

    /// A growing buffer of plain values, read and written without the checks of an array's
    /// copy on write.
    struct Pool<Element: BitwiseCopyable>: ~Copyable {
        private var base = UnsafeMutablePointer<Element>.allocate(capacity: 0)
        private var capacity = 0
        private(set) var count = 0

        deinit { base.deallocate() }

        subscript(i: Int) -> Element {
            get { base[i] }
            set { base[i] = newValue }
        }

        mutating func append(_ value: Element) {
            if count == capacity { reserve(count + 1) }
            (base + count).initialize(to: value)
            count += 1
        }

        mutating func removeAll() { count = 0 }

        /// `n` more elements, their values not set.
        mutating func grow(by n: Int) {
            if count + n > capacity { reserve(count + n) }
            count += n
        }

        private mutating func reserve(_ minimum: Int) {
            capacity = max(minimum, capacity * 2, 64)
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
        }

        func withBuffer<R>(_ body: (UnsafeBufferPointer<Element>) -> R) -> R { body(UnsafeBufferPointer(start: base, count: count)) }
    }

    /// Token ids by key, each with its count in the current doc: open addressing with
    /// multiplicative hashing, much faster than a dictionary for the millions of look-ups an
    /// index makes; a key, its id and its count side by side, so that a token reads one cache
    /// line. Keys are never 0. Used by one thread.
    final class KeyTable: @unchecked Sendable {
        private struct Slot {
            var key: UInt64
            var id: Int32
            /// 3 bits for each kind of field (``Collector/Field``); bit 31 alone: the filter's.
            var count: UInt32
        }

        // Only this class's methods touch these, one at a time: no run-time exclusivity checks.
        @exclusivity(unchecked) private var slots: UnsafeMutableBufferPointer<Slot>
        @exclusivity(unchecked) private var filled = 0
        /// The slots that the current doc counted in.
        @exclusivity(unchecked) private var touched = Pool<Int32>()

        init(capacity: Int = 1 << 12) {
            slots = .allocate(capacity: capacity)
            slots.initialize(repeating: Slot(key: 0, id: 0, count: 0))
        }

        deinit { slots.deallocate() }

        /// The slot of `key`: where it is, or where it would go.
        @inline(__always) func slot(_ key: UInt64) -> Int {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
            while slots[i].key != 0 && slots[i].key != key { i = (i + 1) & mask }
            return i
        }

        @inline(__always) func holds(_ slot: Int) -> Bool { slots[slot].key != 0 }

        /// Adds `key` with `id`; gives its slot.
        func insert(_ key: UInt64, id: Int32) -> Int {
            if (filled + 1) * 2 > slots.count { grow() }
            let i = slot(key)
            slots[i] = Slot(key: key, id: id, count: 0)
            filled += 1
            return i
        }

        /// Counts the token at `slot` once more in `field`, up to ``SearchIndex/countLimit``.
        @inline(__always) func count(_ slot: Int, _ field: Collector.Field) {
            let c = slots[slot].count
            if c == 0 { touched.append(Int32(slot)) }
            let shift = field.rawValue
            if shift < 31 && c >> shift & 7 < UInt32(SearchIndex.countLimit) {
                slots[slot].count = c + 1 << shift
            } else if c == 0 {
                slots[slot].count = 1 << 31
            }
        }

        /// Gives each token the doc counted, with its counts, then clears them.
        func endDoc(_ body: (Int32, UInt32) -> Void) {
            touched.withBuffer { touched in
                for slot in touched {
                    body(slots[Int(slot)].id, slots[Int(slot)].count)
                    slots[Int(slot)].count = 0
                }
            }
            touched.removeAll()
        }

        private func grow() {
            let old = slots
            slots = .allocate(capacity: old.count * 2)
            slots.initialize(repeating: Slot(key: 0, id: 0, count: 0))
            var moved: [Int: Int] = [:]
            for (at, entry) in old.enumerated() where entry.key != 0 {
                let i = slot(entry.key)
                slots[i] = entry
                if entry.count != 0 { moved[at] = i }
            }
            old.deallocate()
            // The current doc's slots moved too.
            if !moved.isEmpty {
                for k in 0..<touched.count { touched[k] = Int32(moved[Int(touched[k])]!) }
            }
        }
    }
}

/// `write(2)`, which inside `SearchIndex` its own `write` would hide.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
