/// How the index collects its postings: in flat buffers and an open-addressed table, since a
/// 10,000-post site gives about ten million tokens and four million postings, and the index is
/// built beside the threads that render pages, on the same cores.
extension SearchIndex {
    /// The postings of one part's tokens, doc by doc.
    struct Collector: SearchTokenizer.Sink {
        let shards: Int
        let part: Int
        let parts: Int
        /// What the tokens being read count towards.
        var field = Field.title
        /// Token ids by key (-1 for a token of another part), and the current doc's counts.
        let table = KeyTable()
        /// The tokens' UTF-8, one after the other: token i ends at `textEnd[i]`.
        var textBytes: [UInt8] = []
        var textEnd: [Int] = []
        var shardOf: [Int32] = []
        let postings = Postings()

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

        init(shards: Int, part: Int, parts: Int) {
            self.shards = shards
            self.part = part
            self.parts = parts
        }

        mutating func token(_ key: SearchTokenizer.Key, word: UnsafeBufferPointer<UInt8>?) {
            var slot = table.slot(key)
            if !table.holds(slot) { slot = add(key, word: word) }
            table.count(slot, field)
        }

        /// A token seen for the first time: its slot, its id -1 when its shard is another part's.
        private mutating func add(_ key: SearchTokenizer.Key, word: UnsafeBufferPointer<UInt8>?) -> Int {
            let start = textBytes.count
            if let word { textBytes += word } else { SearchTokenizer.appendText(ofSyllabic: key, to: &textBytes) }
            let s = textBytes.withUnsafeBufferPointer { all in
                let text = UnsafeBufferPointer(rebasing: all[start...])
                return Int(SearchTokenizer.fnv1a32(utf8: SearchTokenizer.shardKey(utf8: text, isWord: word != nil)) % UInt32(shards))
            }
            if s % parts != part {
                textBytes.removeSubrange(start...)
                return table.insert(key, id: -1)
            }
            let id = Int32(textEnd.count)
            textEnd.append(textBytes.count)
            shardOf.append(Int32(s))
            postings.addToken()
            return table.insert(key, id: id)
        }

        mutating func endDoc(_ doc: UInt32) {
            // A local: the loop then counts no references to it.
            let postings = self.postings
            table.endDoc { id, c in
                postings.append(Int(id), doc: doc, weight: SearchIndex.weight(title: Int(c & 7), named: Int(c >> 3 & 7), body: Int(c >> 6 & 7), comments: Int(c >> 9 & 7)))
            }
        }

        func files() -> [(path: String, bytes: [UInt8])] {
            var byShard: [[Int]] = Array(repeating: [], count: (shards - part + parts - 1) / parts)
            for (id, s) in shardOf.enumerated() { byShard[Int(s) / parts].append(id) }
            return textBytes.withUnsafeBufferPointer { all in
                func text(_ id: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: all[(id == 0 ? 0 : textEnd[id - 1])..<textEnd[id]]) }
                var files: [(path: String, bytes: [UInt8])] = []
                var blocks: [UInt8] = []
                for (n, ids) in byShard.enumerated() {
                    let tokens = ids.sorted { text($0).lexicographicallyPrecedes(text($1)) }
                    var head: [UInt8] = [1]
                    blocks.removeAll(keepingCapacity: true)
                    SearchIndex.varint(tokens.count, into: &head)
                    for id in tokens {
                        let start = blocks.count
                        postings.write(id, into: &blocks)
                        SearchIndex.varint(text(id).count, into: &head)
                        head += text(id)
                        SearchIndex.varint(postings.count(id), into: &head)
                        SearchIndex.varint(blocks.count - start, into: &head)
                    }
                    head += blocks
                    files.append(("search/s/\(n * parts + part).bin", head))
                }
                return files
            }
        }
    }

    /// The postings of every token as the shard files hold them (each doc as LEB128 of its
    /// distance from the token's doc before, then its weight), appended to chains of 16-byte
    /// blocks taken from one pool: writing a shard copies bytes, and an append writes into one
    /// buffer instead of growing an array per token. Used by one thread.
    final class Postings {
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
    final class KeyTable {
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
            guard slots[slot].id >= 0 else { return }
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
