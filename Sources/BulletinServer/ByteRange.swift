import Foundation

/// A `Range` header checked against a file's size, as RFC 9110 §14 asks.
enum ByteRange: Equatable {
    /// Serve the whole file: no range, a malformed one, or several (which a server may ignore).
    case whole
    /// One satisfiable range, rewritten as `bytes=first-last` inside the file.
    case range(String)
    /// 416: the range starts past the end, or asks for the last 0 bytes.
    case unsatisfiable

    static func normalize(_ header: String, size: Int) -> ByteRange {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        guard first.allSatisfy(\.isASCIIDigit), last.allSatisfy(\.isASCIIDigit), !(first.isEmpty && last.isEmpty) else { return .whole }
        if first.isEmpty {
            let count = Int(last) ?? Int.max
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .range("bytes=\(max(0, size - count))-\(size - 1)")
        }
        guard let start = Int(first), start < size else { return .unsatisfiable }
        var end = last.isEmpty ? size - 1 : (Int(last) ?? Int.max)
        guard end >= start else { return .whole }
        end = min(end, size - 1)
        return .range("bytes=\(start)-\(end)")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
