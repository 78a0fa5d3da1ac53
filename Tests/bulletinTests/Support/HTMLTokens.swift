/// A small HTML tokenizer for assertions on written pages: start and end tags with their
/// attributes, text, comments and doctypes. It follows the HTML syntax closely enough to see what a
/// browser would see as a tag: `<` starts a tag only before a letter, `/` or `!`; attribute values
/// may be double-quoted, single-quoted or bare; `<script>` and `<style>` hold raw text; comments
/// end where a browser ends them (`<!-->` and `<!--->` are whole comments, `--!>` closes one too);
/// `</` before anything but a letter opens a bogus comment, as `<?` does; character references
/// are decoded as a browser decodes them, numeric ones also without their `;`.
struct HTMLTokens {
    enum Token: Equatable {
        case start(name: String, attributes: [Attribute], selfClosing: Bool)
        case end(name: String)
        case text(String)
        case comment(String)
        case doctype(String)
    }

    struct Attribute: Equatable {
        /// Lowercased.
        var name: String
        /// With character references decoded.
        var value: String
    }

    let tokens: [Token]
    /// Where each token sits in `scalars`, parallel to `tokens`.
    let spans: [Range<Int>]
    /// The tokenized text, as Unicode scalars.
    let scalars: [Unicode.Scalar]

    init(_ html: String) {
        scalars = Array(html.unicodeScalars)
        (tokens, spans) = Self.tokenize(scalars)
    }

    /// Every start tag, with its attributes.
    var startTags: [(name: String, attributes: [Attribute])] {
        tokens.compactMap {
            if case .start(let name, let attributes, _) = $0 { return (name, attributes) }
            return nil
        }
    }

    /// The text outside tags, decoded and joined.
    var text: String {
        tokens.compactMap {
            if case .text(let t) = $0 { return t }
            return nil
        }.joined()
    }

    /// Values of `href`, `src` and the other URL attributes, with the tag they sit on.
    var urls: [(tag: String, attribute: String, value: String)] {
        var result: [(String, String, String)] = []
        for tag in startTags {
            for attribute in tag.attributes where Self.urlAttributes.contains(attribute.name) {
                result.append((tag.name, attribute.name, attribute.value))
            }
        }
        return result
    }

    static let urlAttributes: Set<String> = [
        "href", "src", "action", "formaction", "poster", "data", "background", "cite", "longdesc", "srcset", "xlink:href",
        "dynsrc", "lowsrc", "codebase", "classid", "manifest", "icon", "ping", "profile", "usemap", "archive",
    ]

    /// The raw source of token `index`.
    func source(of index: Int) -> String {
        String(String.UnicodeScalarView(scalars[spans[index]]))
    }

    // MARK: Tokenizing

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}"
    }

    private static func tokenize(_ s: [Unicode.Scalar]) -> ([Token], [Range<Int>]) {
        var tokens: [Token] = []
        var spans: [Range<Int>] = []
        var i = 0
        var text = String.UnicodeScalarView()
        var textStart = 0
        func emit(_ token: Token, _ range: Range<Int>) {
            tokens.append(token)
            spans.append(range)
        }
        func flushText() {
            if !text.isEmpty {
                emit(.text(decodeReferences(String(text))), textStart..<i)
                text = String.UnicodeScalarView()
            }
        }
        func appendText(_ c: Unicode.Scalar) {
            if text.isEmpty { textStart = i }
            text.append(c)
        }
        func starts(_ prefix: String, at index: Int) -> Bool {
            let p = Array(prefix.lowercased().unicodeScalars)
            guard index + p.count <= s.count else { return false }
            for k in 0..<p.count where lower(s[index + k]) != p[k] { return false }
            return true
        }
        /// A bogus comment from `from` to the next `>`.
        func bogusComment(from start: Int, contentFrom: Int) {
            var j = contentFrom
            while j < s.count && s[j] != ">" { j += 1 }
            emit(.comment(String(String.UnicodeScalarView(s[min(contentFrom, s.count)..<j]))), start..<min(j + 1, s.count))
            i = min(j + 1, s.count)
        }
        while i < s.count {
            let c = s[i]
            guard c == "<", i + 1 < s.count else {
                appendText(c)
                i += 1
                continue
            }
            let next = s[i + 1]
            if starts("<!--", at: i) {
                flushText()
                let start = i
                var j = i + 4
                if starts(">", at: j) {
                    emit(.comment(""), start..<j + 1)
                    i = j + 1
                    continue
                }
                if starts("->", at: j) {
                    emit(.comment(""), start..<j + 2)
                    i = j + 2
                    continue
                }
                var end = s.count
                var after = s.count
                while j < s.count {
                    if starts("-->", at: j) {
                        end = j
                        after = j + 3
                        break
                    }
                    if starts("--!>", at: j) {
                        end = j
                        after = j + 4
                        break
                    }
                    j += 1
                }
                emit(.comment(String(String.UnicodeScalarView(s[(start + 4)..<end]))), start..<after)
                i = after
            } else if starts("<!doctype", at: i) {
                flushText()
                let start = i
                var j = i + 2
                while j < s.count && s[j] != ">" { j += 1 }
                emit(.doctype(String(String.UnicodeScalarView(s[(i + 2)..<min(j, s.count)]))), start..<min(j + 1, s.count))
                i = min(j + 1, s.count)
            } else if next == "!" {
                flushText()
                bogusComment(from: i, contentFrom: i + 2)
            } else if next == "?" {
                flushText()
                bogusComment(from: i, contentFrom: i + 1)
            } else if next == "/" && i + 2 < s.count && s[i + 2] == ">" {
                // `</>` is dropped.
                flushText()
                i += 3
            } else if next == "/" && i + 2 < s.count && !isLetter(s[i + 2]) {
                flushText()
                bogusComment(from: i, contentFrom: i + 2)
            } else if next == "/" && i + 2 < s.count && isLetter(s[i + 2]) {
                flushText()
                let start = i
                var j = i + 2
                var name = ""
                while j < s.count && !isSpace(s[j]) && s[j] != ">" && s[j] != "/" {
                    name.unicodeScalars.append(lower(s[j]))
                    j += 1
                }
                while j < s.count && s[j] != ">" { j += 1 }
                emit(.end(name: name), start..<min(j + 1, s.count))
                i = min(j + 1, s.count)
            } else if isLetter(next) {
                flushText()
                let start = i
                var j = i + 1
                var name = ""
                while j < s.count && !isSpace(s[j]) && s[j] != ">" && s[j] != "/" {
                    name.unicodeScalars.append(lower(s[j]))
                    j += 1
                }
                var attributes: [Attribute] = []
                var selfClosing = false
                while j < s.count {
                    while j < s.count && (isSpace(s[j]) || (s[j] == "/" && !(j + 1 < s.count && s[j + 1] == ">"))) { j += 1 }
                    if j >= s.count { break }
                    if s[j] == ">" {
                        j += 1
                        break
                    }
                    if s[j] == "/" && j + 1 < s.count && s[j + 1] == ">" {
                        selfClosing = true
                        j += 2
                        break
                    }
                    var attributeName = ""
                    attributeName.unicodeScalars.append(lower(s[j]))
                    j += 1
                    while j < s.count && !isSpace(s[j]) && s[j] != "/" && s[j] != ">" && s[j] != "=" {
                        attributeName.unicodeScalars.append(lower(s[j]))
                        j += 1
                    }
                    while j < s.count && isSpace(s[j]) { j += 1 }
                    var value = ""
                    if j < s.count && s[j] == "=" {
                        j += 1
                        while j < s.count && isSpace(s[j]) { j += 1 }
                        if j < s.count && (s[j] == "\"" || s[j] == "'") {
                            let quote = s[j]
                            j += 1
                            let start = j
                            while j < s.count && s[j] != quote { j += 1 }
                            value = String(String.UnicodeScalarView(s[start..<min(j, s.count)]))
                            j = min(j + 1, s.count)
                        } else {
                            let start = j
                            while j < s.count && !isSpace(s[j]) && s[j] != ">" { j += 1 }
                            value = String(String.UnicodeScalarView(s[start..<j]))
                        }
                    }
                    attributes.append(Attribute(name: attributeName, value: decodeReferences(value)))
                }
                emit(.start(name: name, attributes: attributes, selfClosing: selfClosing), start..<j)
                i = j
                if name == "script" || name == "style" || name == "textarea" || name == "title" || name == "xmp" {
                    let close = "</" + name
                    var k = i
                    while k < s.count && !starts(close, at: k) { k += 1 }
                    if k > i { emit(.text(decodeReferences(String(String.UnicodeScalarView(s[i..<k])))), i..<k) }
                    i = k
                }
            } else {
                appendText(c)
                i += 1
            }
        }
        flushText()
        return (tokens, spans)
    }

    private static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        c >= "A" && c <= "Z" ? Unicode.Scalar(c.value + 32)! : c
    }

    /// Named references a page or a payload may use, by name (matched case-insensitively).
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "colon": ":", "tab": "\t",
        "newline": "\n", "lpar": "(", "rpar": ")", "sol": "/", "bsol": "\\", "semi": ";", "excl": "!", "num": "#",
        "period": ".", "comma": ",", "equals": "=", "grave": "`", "lsqb": "[", "rsqb": "]", "lbrack": "[", "rbrack": "]",
        "lcub": "{", "rcub": "}", "percnt": "%", "plus": "+", "dollar": "$", "ast": "*", "quest": "?", "commat": "@",
    ]

    /// Decodes character references the way a browser does: `&#NN`, `&#xHH` with or without their
    /// `;` (0, surrogates and values past U+10FFFF become U+FFFD), and `&name;` for the names above.
    static func decodeReferences(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let v = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isDigit(_ c: Unicode.Scalar, hex: Bool) -> Bool {
            (c >= "0" && c <= "9") || (hex && ((c >= "a" && c <= "f") || (c >= "A" && c <= "F")))
        }
        while i < v.count {
            guard v[i] == "&" else {
                out.append(v[i])
                i += 1
                continue
            }
            if i + 1 < v.count && v[i + 1] == "#" {
                let hex = i + 2 < v.count && (v[i + 2] == "x" || v[i + 2] == "X")
                var j = i + (hex ? 3 : 2)
                var value: UInt64 = 0
                var digits = 0
                while j < v.count && isDigit(v[j], hex: hex) {
                    value = min(value * (hex ? 16 : 10) + UInt64(String(v[j]), radix: hex ? 16 : 10)!, 0x110000)
                    digits += 1
                    j += 1
                }
                if digits > 0 {
                    if j < v.count && v[j] == ";" { j += 1 }
                    let scalar = value == 0 ? nil : Unicode.Scalar(UInt32(value))
                    out.append(scalar ?? "\u{FFFD}")
                    i = j
                    continue
                }
                out.append("&")
                i += 1
                continue
            }
            var j = i + 1
            var name = ""
            while j < v.count && j - i <= 12 && (isDigit(v[j], hex: false) || (v[j] >= "a" && v[j] <= "z") || (v[j] >= "A" && v[j] <= "Z")) {
                name.unicodeScalars.append(v[j])
                j += 1
            }
            if j < v.count && v[j] == ";", let replacement = named[name.lowercased()] {
                out.append(contentsOf: replacement.unicodeScalars)
                i = j + 1
            } else {
                out.append("&")
                i += 1
            }
        }
        return String(out)
    }
}
