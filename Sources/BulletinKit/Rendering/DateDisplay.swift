/// The ways pages show times, in the site's zone, without Foundation's formatters.
public struct DateDisplay: Sendable {
    public let clock: SiteClock

    public init(clock: SiteClock) {
        self.clock = clock
    }

    /// `24.06.21`, as boards show the posting date in listings.
    public func shortDate(_ t: Timestamp) -> String { Self.text { shortDate(t, into: &$0) } }

    /// `dateTime`, `iso` and `shortDate`, appended to a page's context's bytes.
    func dateTime(_ t: Timestamp, into bytes: inout [UInt8]) { Self.write(into: &bytes) { dateTime(t, into: &$0) } }
    func iso(_ t: Timestamp, into bytes: inout [UInt8]) { Self.write(into: &bytes) { iso(t, into: &$0) } }
    func shortDate(_ t: Timestamp, into bytes: inout [UInt8]) { Self.write(into: &bytes) { shortDate(t, into: &$0) } }

    private func shortDate(_ t: Timestamp, into out: inout DigitWriter) {
        let d = clock.local(t)
        out.two(d.year % 100, ".")
        out.two(d.month, ".")
        out.two(d.day)
    }

    /// `24.06.21 14:47:47`.
    public func dateTime(_ t: Timestamp) -> String { Self.text { dateTime(t, into: &$0) } }

    private func dateTime(_ t: Timestamp, into out: inout DigitWriter) {
        let d = clock.local(t)
        out.two(d.year % 100, ".")
        out.two(d.month, ".")
        out.two(d.day, " ")
        out.two(d.hour, ":")
        out.two(d.minute, ":")
        out.two(d.second)
    }

    /// `2024-06-21T14:47:47+09:00`, for `datetime` attributes and feeds.
    public func iso(_ t: Timestamp) -> String { Self.text { iso(t, into: &$0) } }

    private func iso(_ t: Timestamp, into out: inout DigitWriter) {
        // RFC 3339 offsets have no seconds, but old zone offsets do (Seoul's LMT until 1908 is
        // +08:27:52): show the time in the offset cut to whole minutes, so it names the same instant.
        var d = clock.local(t)
        let minuteOffset = d.offset - d.offset % 60
        if minuteOffset != d.offset {
            d = SiteClock.civil(fromEpochSeconds: t.seconds + Int64(minuteOffset))
            d.offset = minuteOffset
        }
        let offset = abs(d.offset)
        if (0...9999).contains(d.year) {
            out.two(d.year / 100)
            out.two(d.year % 100, "-")
        } else {
            // Other years as Swift writes the number, padded to four.
            let year = String(d.year)
            out.append(year.count >= 4 ? year : String(repeating: "0", count: 4 - year.count) + year)
            out.append("-")
        }
        out.two(d.month, "-")
        out.two(d.day, "T")
        out.two(d.hour, ":")
        out.two(d.minute, ":")
        out.two(d.second, d.offset < 0 ? "-" : "+")
        out.two(offset / 3600, ":")
        out.two(offset % 3600 / 60)
    }

    /// A short ASCII text written byte by byte: no dozen small strings joined per date.
    private static func text(_ write: (inout DigitWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            var writer = DigitWriter(buffer: buffer)
            write(&writer)
            return writer.count
        }
    }

    /// The text `write` writes, appended to `bytes`.
    private static func write(into bytes: inout [UInt8], _ write: (inout DigitWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var writer = DigitWriter(buffer: buffer)
            write(&writer)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<writer.count]))
        }
    }
}

/// Writes numbers as two digits, and separators, into a buffer of 64 bytes (a date takes at most
/// 25, or 40 with a year of 19 digits).
private struct DigitWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    /// `n` as two digits (0–99); anything else as `"0"` + Swift's number below 10, or the number.
    mutating func two(_ n: Int, _ separator: Unicode.Scalar? = nil) {
        if (0...99).contains(n) {
            buffer[count] = UInt8(ascii: "0") + UInt8(n / 10)
            buffer[count + 1] = UInt8(ascii: "0") + UInt8(n % 10)
            count += 2
        } else {
            append(n < 10 ? "0" + String(n) : String(n))
        }
        if let separator {
            buffer[count] = UInt8(ascii: separator)
            count += 1
        }
    }

    mutating func append(_ text: String) {
        for byte in text.utf8 {
            buffer[count] = byte
            count += 1
        }
    }
}
