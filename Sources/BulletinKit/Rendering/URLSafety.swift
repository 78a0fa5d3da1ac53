/// Which URLs from board content may become links, and how paths become hrefs.
public enum URLSafety {
    /// `http:`, `https:` or protocol-relative `//host`.
    public static func isWebURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        return (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && url.count > 8
            && !url.unicodeScalars.contains { $0.value < 0x21 || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "`" }
    }

    /// The scheme of a URL (lowercased), or `nil` when it has none and is relative.
    public static func scheme(of url: String) -> String? {
        var scheme = ""
        for scalar in url.unicodeScalars {
            if scalar == ":" {
                return scheme.isEmpty ? nil : scheme.lowercased()
            }
            if scalar == "/" || scalar == "?" || scalar == "#" { return nil }
            // Browsers drop tabs, newlines and other controls inside a scheme: treat such text as a scheme too.
            if scalar.value < 0x21 { continue }
            scheme.unicodeScalars.append(scalar)
        }
        return nil
    }

    /// Whether a link destination may be kept as it is: web URLs, `mailto:`, fragments.
    public static func isSafeAbsolute(_ url: String) -> Bool {
        guard let scheme = scheme(of: url) else { return false }
        // A scheme written with controls inside (`htt\u{18}ps:`) is not what it seems: cmark
        // percent-encodes the controls, and a browser reads the result as a relative path.
        guard url.lowercased().hasPrefix(scheme + ":") else { return false }
        return scheme == "http" || scheme == "https" || scheme == "mailto"
    }

    /// Percent-encodes a path for an href, keeping `/` and the unreserved characters.
    public static func encodePath(_ path: String) -> String {
        // Most paths (`free/812301/`) need nothing: give them back as they are.
        guard path.utf8.contains(where: { !isUnreserved($0) }) else { return path }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count * 3)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in path.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A byte a path keeps as it is: letters, digits, `-._~` and `/`.
    @inline(__always)
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }

    /// Decodes `%XX` escapes; `nil` when the result is not UTF-8.
    public static func decodePercent(_ s: String) -> String? {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        var utf8 = Array(s.utf8)[...]
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
