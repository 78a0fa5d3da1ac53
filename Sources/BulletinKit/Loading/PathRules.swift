/// What names and paths Bulletin accepts from the content, so nothing is read or written
/// outside its folders.
public enum PathRules {
    /// `[A-Za-z0-9][A-Za-z0-9_-]*`, at most 100 characters: post ids and board folder names.
    public static func isValidID(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard let first = bytes.first, bytes.count <= 100, isAlnum(first) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// A single folder name without separators, dots at the start or control characters.
    public static func isSafeName(_ s: String) -> Bool {
        // By bytes: a `/` that Unicode joins with a combining mark is no `/` Character.
        !s.isEmpty && s.utf8.first != UInt8(ascii: ".") && !s.utf8.contains(UInt8(ascii: "/")) && !s.utf8.contains(UInt8(ascii: "\\"))
            && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// A relative path of safe names (`public`, `out/site`): no `..`, no absolute path.
    public static func isSafeRelativePath(_ s: String) -> Bool {
        s.utf8.first != UInt8(ascii: "/") && s.slashSeparatedParts.allSatisfy(isSafeName) && !s.isEmpty
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
}
