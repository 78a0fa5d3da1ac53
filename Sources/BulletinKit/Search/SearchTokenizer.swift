import Foundation

/// What `/search/` indexes of a post (`search: {fields: […]}` in site.yml).
public enum SearchField: String, Sendable, CaseIterable, Hashable {
    case title, body, comments, author, tags
}

/// The tokens of text, as the search page's script makes them of a query (`search.js`, the same
/// rules): lower case; each run of Hangul, kana or Han gives its overlapping syllable bigrams (one
/// syllable alone gives itself), so that a query finds its syllables inside words whatever
/// particle or ending follows (검색 in 검색을, 검색했는데); each run of other letters and digits
/// gives one word, which queries match by prefix. Everything else separates.
public enum SearchTokenizer {
    /// A token: syllables packed into an integer (``syllabic(_:_:)``), or a word's hash with the
    /// top bit set (``word(_:)``); the word itself is kept beside it where needed.
    public typealias Key = UInt64

    /// Words are cut to this many characters.
    public static let wordLimit = 32

    @inline(__always) public static func isSyllabic(_ v: UInt32) -> Bool {
        (0xAC00...0xD7A3).contains(v) || (0x1100...0x11FF).contains(v) || (0x3131...0x318E).contains(v) || (0x3040...0x30FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v)
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return (0x30...0x39).contains(s.value) || (0x61...0x7A).contains(s.value) || (0x41...0x5A).contains(s.value) }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default: return false
        }
    }

    /// One syllable (`b` nil) or two.
    @inline(__always) static func syllabic(_ a: UInt32, _ b: UInt32?) -> Key {
        guard let b else { return Key(a) }
        return 1 << 42 | Key(a) << 21 | Key(b)
    }

    static func isWord(_ key: Key) -> Bool { key >> 63 == 1 }

    /// The text of a syllabic key.
    static func text(ofSyllabic key: Key) -> String {
        var bytes: [UInt8] = []
        appendText(ofSyllabic: key, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTF-8 of a syllabic key's text, appended to `bytes`.
    static func appendText(ofSyllabic key: Key, to bytes: inout [UInt8]) {
        if key >> 42 & 1 == 1 {
            bytes += UTF8.encode(Unicode.Scalar(UInt32(key >> 21 & 0x1F_FFFF))!)!
            bytes += UTF8.encode(Unicode.Scalar(UInt32(key & 0x1F_FFFF))!)!
        } else {
            bytes += UTF8.encode(Unicode.Scalar(UInt32(key))!)!
        }
    }

    /// Receives tokens (a protocol rather than a closure: the indexer's state is then not
    /// captured, and its accesses need no run-time exclusivity checks).
    public protocol Sink {
        /// A token; `word` is the word's UTF-8 bytes when it is one, valid during the call only.
        mutating func token(_ key: Key, word: UnsafeBufferPointer<UInt8>?)
    }

    /// The key of a word (already lower case and cut), by its UTF-8 bytes.
    static func word(utf8: UnsafeBufferPointer<UInt8>) -> Key {
        var hasher = StableHasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(utf8))
        return Key(UInt64(bitPattern: Int64(hasher.finalize())) | 1 << 63)
    }

    /// Gives `sink` each token of `text` (in NFC, as the loader gives every text). Each code
    /// point is lower-cased on its own (full-width Latin letters and digits folded to ASCII
    /// first), then classed: the page's script does the same, so that a query finds what the
    /// index holds. The text's UTF-8 is read directly: Hangul and ASCII, nearly all of a
    /// board's text, take no look-up of Unicode properties.
    public static func tokens(of text: borrowing String, into sink: inout some Sink) {
        // Borrowed, not copied: no reference counting on text that other threads read too.
        if text.utf8.withContiguousStorageIfAvailable({ tokens(utf8: $0, into: &sink) }) == nil {
            var copy = copy text
            copy.withUTF8 { tokens(utf8: $0, into: &sink) }
        }
    }

    static func tokens(utf8 p: UnsafeBufferPointer<UInt8>, into sink: inout some Sink) {
        var runs = Runs()
        var i = 0
        let n = p.count
        while i < n {
            let b = UInt32(p[i])
            if b < 0x80 {
                let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                runs.add(lower, isWord: (0x30...0x39).contains(lower) || (0x61...0x7A).contains(lower), into: &sink)
                i += 1
                continue
            }
            // Valid UTF-8 (a Swift string's): the lead byte tells the length.
            var v: UInt32
            if b >= 0xF0 {
                v = (b & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
                i += 4
            } else if b >= 0xE0 {
                v = (b & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
                i += 3
                // Hangul syllables, most of a Korean board's text.
                if v >= 0xAC00 && v <= 0xD7A3 {
                    runs.addSyllable(v, into: &sink)
                    continue
                }
            } else {
                v = (b & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F)
                i += 2
            }
            if isSyllabic(v) {
                runs.add(v, isWord: false, into: &sink)
                continue
            }
            if (0xFF01...0xFF5E).contains(v) { v -= 0xFEE0 }
            if v < 0x80 {
                let lower = v >= 0x41 && v <= 0x5A ? v | 0x20 : v
                runs.add(lower, isWord: (0x30...0x39).contains(lower) || (0x61...0x7A).contains(lower), into: &sink)
                continue
            }
            for lower in Unicode.Scalar(v)!.properties.lowercaseMapping.unicodeScalars {
                runs.add(lower.value, isWord: isSyllabic(lower.value) ? false : isWordScalar(lower), into: &sink)
            }
        }
        runs.end(into: &sink)
    }

    /// The runs being read: syllables, or a word (its UTF-8 bytes).
    private struct Runs {
        var run0: UInt32 = 0
        var runLength = 0
        var word: [UInt8] = []
        var wordLength = 0

        init() { word.reserveCapacity(wordLimit * 4) }

        /// A syllabic code point (what ``add(_:isWord:into:)`` does with one).
        @inline(__always) mutating func addSyllable(_ v: UInt32, into sink: inout some Sink) {
            if wordLength > 0 { endWord(into: &sink) }
            if runLength > 0 { sink.token(syllabic(run0, v), word: nil) }
            run0 = v
            runLength += 1
        }

        /// A lower-case code point: syllabic, a word's, or (neither) a separator.
        @inline(__always) mutating func add(_ v: UInt32, isWord: Bool, into sink: inout some Sink) {
            if isSyllabic(v) {
                addSyllable(v, into: &sink)
            } else if isWord {
                endRun(into: &sink)
                if wordLength < wordLimit {
                    if v < 0x80 {
                        word.append(UInt8(v))
                    } else {
                        word.append(contentsOf: UTF8.encode(Unicode.Scalar(v)!)!)
                    }
                    wordLength += 1
                }
            } else {
                endRun(into: &sink)
                endWord(into: &sink)
            }
        }

        mutating func endRun(into sink: inout some Sink) {
            if runLength == 1 { sink.token(syllabic(run0, nil), word: nil) }
            runLength = 0
        }

        mutating func endWord(into sink: inout some Sink) {
            guard wordLength > 0 else { return }
            word.withUnsafeBufferPointer { sink.token(SearchTokenizer.word(utf8: $0), word: $0) }
            word.removeAll(keepingCapacity: true)
            wordLength = 0
        }

        mutating func end(into sink: inout some Sink) {
            endRun(into: &sink)
            endWord(into: &sink)
        }
    }

    /// The tokens of `text` as strings, in order (for tests and queries; NFC first).
    public static func tokens(of text: String) -> [String] {
        struct Texts: Sink {
            var out: [String] = []
            mutating func token(_ key: Key, word: UnsafeBufferPointer<UInt8>?) {
                out.append(word.map { String(decoding: $0, as: UTF8.self) } ?? SearchTokenizer.text(ofSyllabic: key))
            }
        }
        var texts = Texts()
        tokens(of: text.precomposedStringWithCanonicalMapping, into: &texts)
        return texts.out
    }

    /// The text that decides a token's shard: a syllabic token itself, the first two characters
    /// of a word, the whole of a filter's token (`\u{1}b:<board>`, ``SearchIndex/boardToken(_:)``).
    static func shardKey(_ token: String, isWord: Bool) -> String {
        var token = token
        return token.withUTF8 { String(decoding: shardKey(utf8: $0, isWord: isWord), as: UTF8.self) }
    }

    /// ``shardKey(_:isWord:)`` of a token's UTF-8.
    static func shardKey(utf8 token: UnsafeBufferPointer<UInt8>, isWord: Bool) -> UnsafeBufferPointer<UInt8> {
        guard isWord && token.first != 1 else { return token }
        var end = 0
        for _ in 0..<2 where end < token.count {
            end += 1
            while end < token.count && token[end] & 0xC0 == 0x80 { end += 1 }
        }
        return UnsafeBufferPointer(rebasing: token[..<end])
    }

    /// FNV-1a, 32 bits, of the UTF-8 bytes: simple enough to be the same in the page's script.
    public static func fnv1a32(_ text: String) -> UInt32 { fnv1a32(utf8: text.utf8) }

    /// ``fnv1a32(_:)`` of UTF-8 bytes.
    static func fnv1a32(utf8: some Sequence<UInt8>) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return h
    }
}
