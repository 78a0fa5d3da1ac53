import Foundation

/// A request's path, checked and decoded: the segments below the server's root, in NFC.
///
/// Anything that could name a file outside the built site is refused before the site is
/// consulted: `.` and `..` segments (also percent-encoded), encoded slashes and backslashes,
/// backslashes, empty segments (`//etc/passwd`), NUL and other control characters, and
/// percent-encoding that is not UTF-8.
struct RequestPath: Sendable, Equatable {
    /// The decoded segments, without empty ones; `[]` is the root.
    var segments: [String]
    /// Whether the path ended in `/` (a folder was asked for).
    var trailingSlash: Bool

    /// Parses the path of a request line as sent (still percent-encoded, without the query).
    static func parse(_ raw: String) -> RequestPath? {
        guard raw.hasPrefix("/") else { return nil }
        let lowered = raw.lowercased()
        for forbidden in ["%2f", "%5c", "%00", "\\"] where lowered.contains(forbidden) { return nil }
        let parts = raw.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var segments: [String] = []
        for (index, part) in parts.enumerated() {
            if part.isEmpty {
                // Only the last segment may be empty: the trailing slash of a folder.
                if index == parts.count - 1 { break }
                return nil
            }
            guard let decoded = percentDecode(part) else { return nil }
            if decoded == "." || decoded == ".." { return nil }
            if decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || $0 == "/" }) { return nil }
            segments.append(decoded.precomposedStringWithCanonicalMapping)
        }
        return RequestPath(segments: segments, trailingSlash: raw.hasSuffix("/"))
    }

    /// The path below the root, segments joined by `/` (`""` for the root).
    var relative: String { segments.joined(separator: "/") }

    /// Decodes `%XX` escapes; nil for a malformed escape or bytes that are not UTF-8.
    static func percentDecode(_ part: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.utf8.count)
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
