/// Escaping for the contexts Bulletin writes itself (templates escape their own values).
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
