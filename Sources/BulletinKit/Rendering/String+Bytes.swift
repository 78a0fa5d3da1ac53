extension String {
    /// Replaces every occurrence of `target` by `replacement`, comparing UTF-8 bytes (Foundation's
    /// `replacingOccurrences` compares characters with locale rules, and is many times slower on
    /// large bodies).
    func replacingBytes(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return self }
        var text = self
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { haystack -> String in
            var out: [UInt8] = []
            var copied = 0
            var i = 0
            let last = haystack.count - needle.count
            while i <= last {
                if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) {
                    if out.isEmpty { out.reserveCapacity(haystack.count + haystack.count / 8) }
                    out.append(contentsOf: haystack[copied..<i])
                    out.append(contentsOf: replacement.utf8)
                    i += needle.count
                    copied = i
                } else {
                    i += 1
                }
            }
            if copied == 0 { return self }
            out.append(contentsOf: haystack[copied...])
            return String(decoding: out, as: UTF8.self)
        }!
    }
}
