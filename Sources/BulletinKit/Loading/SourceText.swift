import Foundation

/// Turning raw file bytes into NFC text, with the position of the first byte that is not UTF-8.
enum SourceText {
    enum Failure: Error {
        case notUTF8(line: Int, column: Int)
    }

    static func decode(_ bytes: [UInt8]) -> Result<String, Failure> {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        let slice = bytes[start...]
        guard let text = String(validating: slice, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8(in: Array(slice))
            return .failure(.notUTF8(line: line, column: column))
        }
        // One pass over the bytes (valid UTF-8 by now) for what would cost a pass each.
        let (surelyNFC, hasCR) = slice.withUnsafeBufferPointer(scan)
        var normalized = text
        if !surelyNFC {
            normalized = text.precomposedStringWithCanonicalMapping
        }
        if hasCR {
            // A lone CR is a line break too (for libyaml, cmark and editors): CR CR LF is two lines.
            normalized = normalized.replacingBytes("\r\n", with: "\n").replacingBytes("\r", with: "\n")
        }
        return .success(normalized)
    }

    /// Whether the valid UTF-8 `bytes` are surely NFC without asking Foundation (which is slow):
    /// every scalar is in `stableRanges` (false means "not known", and the text is normalised);
    /// and whether they hold a CR.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> (surelyNFC: Bool, hasCR: Bool) {
        var surelyNFC = true
        var hasCR = false
        var i = 0
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            if b < 0x80 {
                if b == 13 { hasCR = true }
                i += 1
                continue
            }
            guard surelyNFC else {
                i += 1
                continue
            }
            let v: UInt32
            if b < 0xE0 {
                v = UInt32(b & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                i += 2
            } else if b < 0xF0 {
                v = UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                i += 3
            } else {
                v = UInt32(b & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                i += 4
            }
            if !isStable(v) { surelyNFC = false }
        }
        return (surelyNFC, hasCR)
    }

    @inline(__always)
    static func isStable(_ v: UInt32) -> Bool {
        if v >= 0xAC00 && v <= 0xD7A3 { return true }
        if v < 0x300 { return true }
        for range in stableRanges where range.contains(v) { return true }
        return false
    }

    /// Scalars that are NFC whatever stands before or after them: none decomposes, and none
    /// combines with what precedes it (Unicode's NFC_Quick_Check is Yes for each, never Maybe).
    /// Korean text is Hangul syllables, compatibility jamo, CJK, ASCII and common punctuation.
    static let stableRanges: [ClosedRange<UInt32>] = [
        0x0000...0x02FF,  // ASCII, Latin-1, Latin Extended-A and -B, IPA, spacing modifiers
        0x2010...0x2027,  // dashes, quotation marks, bullets, ellipsis
        0x3131...0x318E,  // Hangul compatibility jamo (ㅋㅋ)
        0x4E00...0x9FFF,  // CJK unified ideographs
        0xAC00...0xD7A3,  // Hangul syllables
        0xFF01...0xFF5E,  // fullwidth ASCII
        0x1F300...0x1FAFF,  // pictographs and emoji
    ]

    /// 1-based line and column (in scalars) of the first invalid byte.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            if b < 0x80 {
                length = 1
            } else if b & 0xE0 == 0xC0 {
                length = 2
            } else if b & 0xF0 == 0xE0 {
                length = 3
            } else if b & 0xF8 == 0xF0 {
                length = 4
            } else {
                return (line, column)
            }
            guard i + length <= bytes.count,
                String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil
            else { return (line, column) }
            if b == 10 && i > 0 && bytes[i - 1] == 13 {
                // The LF of a CR LF: the CR ended the line.
            } else if b == 10 || b == 13 {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += length
        }
        return (line, column)
    }
}

/// A post file split into its front matter and its Markdown body.
struct FrontMatter {
    /// The YAML between the `---` lines.
    var yaml: String
    /// Lines before the YAML (the opening `---`), to add to libyaml's 0-based lines.
    var lineOffset: Int
    var body: String

    enum Failure: Error {
        case missingStart
        case unclosed
    }

    static func split(_ text: String) -> Result<FrontMatter, Failure> {
        let utf8 = text.utf8
        guard utf8.starts(with: "---".utf8) else { return .failure(.missingStart) }
        var index = utf8.index(utf8.startIndex, offsetBy: 3)
        while index < utf8.endIndex, utf8[index] == UInt8(ascii: " ") || utf8[index] == UInt8(ascii: "\t") {
            index = utf8.index(after: index)
        }
        guard index < utf8.endIndex, utf8[index] == 10 else {
            return index == utf8.endIndex ? .failure(.unclosed) : .failure(.missingStart)
        }
        let yamlStart = utf8.index(after: index)
        var lineStart = yamlStart
        while lineStart < utf8.endIndex {
            var lineEnd = lineStart
            while lineEnd < utf8.endIndex, utf8[lineEnd] != 10 { lineEnd = utf8.index(after: lineEnd) }
            let line = utf8[lineStart..<lineEnd]
            if isFence(line) {
                let yaml = String(text[yamlStart..<lineStart])
                let bodyStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd
                return .success(FrontMatter(yaml: yaml, lineOffset: 1, body: String(text[bodyStart...])))
            }
            if lineEnd == utf8.endIndex { break }
            lineStart = utf8.index(after: lineEnd)
        }
        return .failure(.unclosed)
    }

    private static func isFence(_ line: Substring.UTF8View) -> Bool {
        var trimmed = line[...]
        while let last = trimmed.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            trimmed = trimmed.dropLast()
        }
        return trimmed.elementsEqual("---".utf8) || trimmed.elementsEqual("...".utf8)
    }
}
