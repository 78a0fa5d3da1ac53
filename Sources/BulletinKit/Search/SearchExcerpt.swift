extension SearchIndex {
    /// Unicode's white space beyond ASCII (checked without looking up the scalar's properties).
    static func isSpace(_ v: UInt32) -> Bool {
        v == 0x85 || v == 0xA0 || v == 0x1680 || (0x2000...0x200A).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// The start of a Markdown body as plain text, at most ``excerptLength`` code points: the
    /// marks of headings, quotes, lists, code fences, emphasis and code dropped, links and images
    /// as their text, white space folded. Other punctuation stays (`20~30분`, `word[2]`,
    /// `snake_case`).
    static func excerpt(_ markdown: String) -> String {
        var out: [UInt8] = []
        excerpt(markdown, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``excerpt(_:)`` appended to `out` as UTF-8. Every mark is ASCII, so the body's UTF-8 is
    /// read directly, a code point at a time (the bytes of one never hold an ASCII byte).
    static func excerpt(_ markdown: String, into result: inout [UInt8]) {
        var markdown = markdown
        markdown.withUTF8 { body in
            // Only the body's start is read: a few lines hold the excerpt.
            var n = 0
            var points = 0
            while n < body.count && points < excerptLength * 3 {
                n += length(body[n])
                points += 1
            }
            let head = UnsafeBufferPointer(rebasing: body[..<min(n, body.count)])
            var out = Excerpt()
            var inFence = false
            var lineStart = 0
            while lineStart < head.count && out.points < excerptLength {
                let lineEnd = head[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? head.count
                var from = lineStart
                lineStart = lineEnd + 1
                while from < lineEnd && (head[from] == UInt8(ascii: " ") || head[from] == UInt8(ascii: "\t")) { from += 1 }
                func starts(_ prefix: StaticString) -> Bool {
                    lineEnd - from >= prefix.utf8CodeUnitCount && (0..<prefix.utf8CodeUnitCount).allSatisfy { head[from + $0] == prefix.utf8Start[$0] }
                }
                if starts("```") || starts("~~~") {
                    inFence.toggle()
                    out.pendingSpace = out.points > 0
                    continue
                }
                if !inFence {
                    // Block marks at the line's start.
                    while from < lineEnd && (head[from] == UInt8(ascii: "#") || head[from] == UInt8(ascii: ">")) {
                        from += 1
                        while from < lineEnd && head[from] == UInt8(ascii: " ") { from += 1 }
                    }
                    if starts("- ") || starts("* ") || starts("+ ") { from += 2 }
                }
                var i = from
                while i < lineEnd && out.points < excerptLength {
                    let s = head[i]
                    if !inFence {
                        let tilde = UInt8(ascii: "~")
                        if s == UInt8(ascii: "`") || s == UInt8(ascii: "*") || (s == tilde && i + 1 < lineEnd && head[i + 1] == tilde)
                            || (s == tilde && i > from && head[i - 1] == tilde)
                        {
                            i += 1
                            continue
                        }
                        // `[text](address)` and `![alt](address)`: the text only.
                        if s == UInt8(ascii: "!") && i + 1 < lineEnd && head[i + 1] == UInt8(ascii: "[") {
                            i += 1
                            continue
                        }
                        if s == UInt8(ascii: "["), let close = head[(i + 1)..<lineEnd].firstIndex(of: UInt8(ascii: "]")), close + 1 < lineEnd,
                            head[close + 1] == UInt8(ascii: "(")
                        {
                            var t = i + 1
                            while t < close {
                                let k = length(head[t])
                                if head[t] != UInt8(ascii: "*") && head[t] != UInt8(ascii: "`") { out.append(head, t, k) }
                                t += k
                            }
                            // Past the address, its own parentheses included.
                            var depth = 0
                            var j = close + 1
                            while j < lineEnd {
                                if head[j] == UInt8(ascii: "(") {
                                    depth += 1
                                } else if head[j] == UInt8(ascii: ")") {
                                    depth -= 1
                                    if depth == 0 { break }
                                }
                                j += 1
                            }
                            i = j + 1
                            continue
                        }
                    }
                    let k = length(s)
                    out.append(head, i, k)
                    i += k
                }
                out.pendingSpace = out.points > 0
            }
            result += out.finish()
        }
    }

    /// The bytes of a UTF-8 sequence, by its first.
    @inline(__always) private static func length(_ lead: UInt8) -> Int { lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4 }

    /// An excerpt being written: its code points, white space folded.
    private struct Excerpt {
        var bytes: [UInt8] = []
        var points = 0
        var pendingSpace = false
        /// Where the excerpt's `excerptLength` code points end.
        var cut: Int?

        /// The code point of `k` bytes at `i`.
        mutating func append(_ text: UnsafeBufferPointer<UInt8>, _ i: Int, _ k: Int) {
            let lead = text[i]
            let isSpace: Bool
            if k == 1 {
                isSpace = lead <= 0x20
            } else {
                var v = UInt32(lead) & (k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07)
                for j in 1..<k { v = v << 6 | UInt32(text[i + j] & 0x3F) }
                isSpace = SearchIndex.isSpace(v)
            }
            if isSpace {
                pendingSpace = points > 0
                return
            }
            if pendingSpace {
                add(UnsafeBufferPointer(start: nil, count: 0), space: true)
                pendingSpace = false
            }
            add(UnsafeBufferPointer(rebasing: text[i..<(i + k)]), space: false)
        }

        private mutating func add(_ point: UnsafeBufferPointer<UInt8>, space: Bool) {
            if space { bytes.append(UInt8(ascii: " ")) } else { bytes.append(contentsOf: point) }
            points += 1
            if points == SearchIndex.excerptLength { cut = bytes.count }
        }

        func finish() -> ArraySlice<UInt8> { bytes[..<(cut ?? bytes.count)] }
    }
}
