/// The YAML most comment files are, read without libyaml: a block list of block mappings, one
/// `key: value` a line, each value a plain word or a double-quoted string on its line.
///
/// ```yaml
/// - id: 1
///   date: 2024-01-01T01:28:20+09:00
///   body: "첫 댓글"
/// ```
///
/// It gives the nodes libyaml gives, marks included, or nil for anything else, which then goes to
/// libyaml: it is a shortcut, never a second reading of YAML. Given up on: blank and comment lines,
/// other indentation, flow collections, block scalars, single quotes, escapes, empty values,
/// anchors and tags, tabs, anything libyaml would refuse or read as a line break (C0 and C1
/// controls, U+0085, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF).
enum YAMLListShortcut {
    static func parse(_ text: String, nodeLimit: Int) -> YAMLNode? {
        var text = text
        return text.withUTF8 { parse($0, nodeLimit: nodeLimit) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, nodeLimit: Int) -> YAMLNode? {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "-"), bytes[1] == UInt8(ascii: " ") else { return nil }
        var items: [YAMLNode] = []
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var itemMark = YAMLMark(line: 0, column: 2)
        var nodes = 1
        var line = 0
        var i = 0
        while i < bytes.count {
            // The line's start: "- " opens an item, "  " continues one.
            guard i + 2 <= bytes.count, bytes[i + 1] == UInt8(ascii: " ") else { return nil }
            if bytes[i] == UInt8(ascii: "-") {
                if !pairs.isEmpty { items.append(.mapping(pairs, itemMark)) }
                pairs = []
                itemMark = YAMLMark(line: line, column: 2)
                nodes += 1
            } else if bytes[i] != UInt8(ascii: " ") || pairs.isEmpty {
                return nil
            }
            i += 2
            // The key: a letter, then letters, digits and '_', then ": ".
            let keyStart = i
            guard i < bytes.count, isLetter(bytes[i]) else { return nil }
            while i < bytes.count, isLetter(bytes[i]) || isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
            let keyEnd = i
            guard i + 2 < bytes.count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: " ") else { return nil }
            i += 2
            let valueColumn = i - keyStart + 2
            let key = YAMLNode.scalar(
                String(decoding: UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]), as: UTF8.self), plain: true,
                YAMLMark(line: line, column: 2, endLine: line))
            let valueMark = YAMLMark(line: line, column: valueColumn, endLine: line)
            let value: YAMLNode
            if bytes[i] == UInt8(ascii: "\"") {
                let start = i + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    guard bytes[end] != UInt8(ascii: "\\"), bytes[end] != 10, isPrintable(bytes, at: end) else { return nil }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                value = .scalar(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), plain: false, valueMark)
                i = end + 1
            } else {
                let start = i
                guard isLetter(bytes[i]) || isDigit(bytes[i]) || bytes[i] >= 0x80 else { return nil }
                while i < bytes.count, bytes[i] != 10 {
                    let b = bytes[i]
                    // A ":" that ends the line would start a mapping.
                    if b == UInt8(ascii: ":") && (i + 1 == bytes.count || bytes[i + 1] == 10) { return nil }
                    guard isLetter(b) || isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
                        || b == UInt8(ascii: ":") || b == UInt8(ascii: "+") || (b >= 0x80 && isPrintable(bytes, at: i))
                    else { return nil }
                    i += 1
                }
                value = .scalar(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self), plain: true, valueMark)
            }
            // The line ends here.
            if i < bytes.count {
                guard bytes[i] == 10 else { return nil }
                i += 1
            }
            line += 1
            pairs.append((key, value))
            nodes += 2
        }
        items.append(.mapping(pairs, itemMark))
        guard nodes <= nodeLimit else { return nil }
        return .sequence(items, YAMLMark(line: 0, column: 0))
    }

    @inline(__always)
    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Whether the byte at `i` (of valid UTF-8) is printable ASCII, or starts a character that
    /// libyaml takes as printable and not as a line break.
    @inline(__always)
    private static func isPrintable(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let b = bytes[i]
        if b < 0x80 { return b >= 0x20 && b != 0x7F }
        if b < 0xC0 { return true }  // a continuation byte, checked with its lead
        switch b {
        case 0xC2: return bytes[i + 1] >= 0xA0  // C1 controls and U+0085
        case 0xE2: return !(bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9))  // U+2028, U+2029
        case 0xEF:
            if bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF { return false }  // U+FEFF
            if bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF) { return false }  // U+FFFE, U+FFFF
            return true
        default: return true
        }
    }
}
