/// Escaping, one function per context a value can land in. Templates escape `{{value}}` for
/// HTML text and quoted attributes themselves; these are for what Bulletin writes directly, and
/// for values it prepares for templates (URLs, embedded JSON).
///
/// No board content ever reaches CSS: the default theme's stylesheet is a static file, and no
/// value is written into a `style` attribute or element.
public enum Escape {
    /// Text and attribute values in HTML and XML: `& < > " '`.
    public static func html(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A value inside a double- or single-quoted HTML attribute. The same characters as text are
    /// escaped: quotes end the attribute, `&` starts a reference, `<` and `>` keep old parsers safe.
    public static func attribute(_ s: String) -> String { html(s) }

    /// A URL for `href` or `src`: `nil` unless it is `http`, `https`, `mailto` or relative (no
    /// scheme); otherwise percent-encoded where a URL may not hold the character (spaces, quotes,
    /// angle brackets, backticks, controls, non-ASCII), existing `%XX` escapes kept. Still needs
    /// `attribute()` (or a template's escaping) around it.
    public static func url(_ s: String) -> String? {
        let trimmed = s.trimmingWhitespace()
        if let scheme = URLSafety.scheme(of: trimmed) {
            guard scheme == "http" || scheme == "https" || scheme == "mailto" else { return nil }
            // A scheme written with controls or white space inside is not what it seems.
            guard trimmed.lowercased().hasPrefix(scheme + ":") else { return nil }
        }
        var out = ""
        out.reserveCapacity(trimmed.utf8.count)
        for byte in trimmed.utf8 {
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "^") || byte == UInt8(ascii: "{")
                || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "|")
            {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// A JSON string literal, quotes included, safe to embed in HTML: `<`, `>`, `&` and the
    /// line separators U+2028/U+2029 are written as `\u` escapes, so the text can stand inside a
    /// `<script type="application/json">` element or an attribute without ending it.
    public static func json(_ s: String) -> String {
        var out: [UInt8] = []
        json(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ``json(_:)`` appended to `out` as UTF-8.
    public static func json(_ s: String, into out: inout [UInt8]) { json(utf8: s.utf8, into: &out) }

    /// ``json(_:)`` of valid UTF-8, appended to `out`.
    public static func json(utf8: some Collection<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + utf8.count + 2)
        out.append(UInt8(ascii: "\""))
        var bytes = utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "'"), 0..<0x20, 0x7F:
                unicodeEscape(UInt32(byte), into: &out)
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                let second = bytes.next()!, third = bytes.next()!
                if second == 0x80 && (third == 0xA8 || third == 0xA9) {
                    unicodeEscape(0x2000 | UInt32(third - 0xA8 + 0x28), into: &out)
                } else {
                    out += [byte, second, third]
                }
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func unicodeEscape(_ value: UInt32, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out += [UInt8(ascii: "\\"), UInt8(ascii: "u")]
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(value >> UInt32(shift) & 0xF)]) }
    }

    /// XML text: HTML escaping, minus the characters XML 1.0 forbids.
    public static func xml(_ s: String) -> String {
        let cleaned: String
        if s.unicodeScalars.contains(where: isForbiddenInXML) {
            var kept = String.UnicodeScalarView()
            kept.append(contentsOf: s.unicodeScalars.filter { !isForbiddenInXML($0) })
            cleaned = String(kept)
        } else {
            cleaned = s
        }
        return html(cleaned)
    }

    private static func isForbiddenInXML(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\t" && c != "\n" && c != "\r") || c.value == 0xFFFE || c.value == 0xFFFF
    }
}
