/// A small HTML tokenizer for assertions on written pages: start and end tags with their
/// attributes, text, comments and doctypes. It follows the HTML syntax closely enough to see what a
/// browser would see as a tag: `<` starts a tag only before a letter, `/` or `!`; attribute values
/// may be double-quoted, single-quoted or bare; `<script>` and `<style>` hold raw text.
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

    init(_ html: String) {
        tokens = Self.tokenize(Array(html.unicodeScalars))
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
    ]

    // MARK: Tokenizing

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}"
    }

    private static func tokenize(_ s: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        var text = String.UnicodeScalarView()
        func flushText() {
            if !text.isEmpty {
                tokens.append(.text(decodeReferences(String(text))))
                text = String.UnicodeScalarView()
            }
        }
        func starts(_ prefix: String, at index: Int) -> Bool {
            let p = Array(prefix.lowercased().unicodeScalars)
            guard index + p.count <= s.count else { return false }
            for k in 0..<p.count where lower(s[index + k]) != p[k] { return false }
            return true
        }
        while i < s.count {
            let c = s[i]
            guard c == "<", i + 1 < s.count else {
                text.append(c)
                i += 1
                continue
            }
            let next = s[i + 1]
            if starts("<!--", at: i) {
                flushText()
                var j = i + 4
                while j < s.count && !starts("-->", at: j) { j += 1 }
                tokens.append(.comment(String(String.UnicodeScalarView(s[(i + 4)..<min(j, s.count)]))))
                i = min(j + 3, s.count)
            } else if next == "!" || next == "?" {
                flushText()
                var j = i + 2
                while j < s.count && s[j] != ">" { j += 1 }
                tokens.append(.doctype(String(String.UnicodeScalarView(s[(i + 2)..<min(j, s.count)]))))
                i = min(j + 1, s.count)
            } else if next == "/" && i + 2 < s.count && isLetter(s[i + 2]) {
                flushText()
                var j = i + 2
                var name = ""
                while j < s.count && !isSpace(s[j]) && s[j] != ">" && s[j] != "/" {
                    name.unicodeScalars.append(lower(s[j]))
                    j += 1
                }
                while j < s.count && s[j] != ">" { j += 1 }
                tokens.append(.end(name: name))
                i = min(j + 1, s.count)
            } else if isLetter(next) {
                flushText()
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
                tokens.append(.start(name: name, attributes: attributes, selfClosing: selfClosing))
                i = j
                if name == "script" || name == "style" || name == "textarea" || name == "title" || name == "xmp" {
                    let close = "</" + name
                    var k = i
                    while k < s.count && !starts(close, at: k) { k += 1 }
                    if k > i { tokens.append(.text(decodeReferences(String(String.UnicodeScalarView(s[i..<k]))))) }
                    i = k
                }
            } else {
                text.append(c)
                i += 1
            }
        }
        flushText()
        return tokens
    }

    private static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        c >= "A" && c <= "Z" ? Unicode.Scalar(c.value + 32)! : c
    }

    /// Decodes `&name;`, `&#NN;` and `&#xHH;` for the few names a page needs.
    static func decodeReferences(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "colon": ":", "tab": "\t", "newline": "\n"]
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[rest.index(after: amp)...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                out += "&"
                continue
            }
            let name = String(rest[..<semicolon])
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                replacement = String(u)
            } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) {
                replacement = String(u)
            } else {
                replacement = named[name.lowercased()]
            }
            if let replacement {
                out += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
            }
        }
        out += rest
        return out
    }
}
