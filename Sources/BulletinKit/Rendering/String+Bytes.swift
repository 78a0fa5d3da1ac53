#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Whether the string's UTF-8 bytes sort before `other`'s (byte order, not Swift's `<`,
    /// which compares characters and takes different normalisations as equal).
    public func precedesByBytes(_ other: String) -> Bool {
        // Native strings lend their bytes without a copy (sorting a site's paths compares them a million times).
        if let order = utf8.withContiguousStorageIfAvailable({ x in
            other.utf8.withContiguousStorageIfAvailable { y in Self.precedes(x, y) }
        }), let order {
            return order
        }
        var a = self
        var b = other
        return a.withUTF8 { x in b.withUTF8 { y in Self.precedes(x, y) } }
    }

    @inline(__always)
    private static func precedes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = Swift.min(x.count, y.count)
        let order = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
        return order != 0 ? order < 0 : x.count < y.count
    }

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

extension String {
    /// The folder and the name of a path, split at its last `/` byte. Not at its last `/`
    /// Character: Unicode joins a `/` with a following combining mark (`tags/\u{338}x`) into one
    /// Character, which `lastIndex(of: "/")` does not see.
    public var splitAtLastSlash: (folder: String, name: String)? {
        let bytes = utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return (String(decoding: bytes[..<slash], as: UTF8.self), String(decoding: bytes[bytes.index(after: slash)...], as: UTF8.self))
    }

    /// The parts of a path between `/` bytes (see `splitAtLastSlash`), empty ones left out.
    public var slashSeparatedParts: [String] {
        utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }
}
