/// The ways pages show times, in the site's zone, without Foundation's formatters.
public struct DateDisplay: Sendable {
    public let clock: SiteClock

    public init(clock: SiteClock) {
        self.clock = clock
    }

    /// `24.06.21`, as boards show the posting date in listings.
    public func shortDate(_ t: Timestamp) -> String {
        let d = clock.local(t)
        guard Self.fourDigits(d) else { return two(d.year % 100) + "." + two(d.month) + "." + two(d.day) }
        return Self.ascii(capacity: 8) { out in
            out.two(d.year % 100, ".")
            out.two(d.month, ".")
            out.two(d.day)
        }
    }

    /// `24.06.21 14:47:47`.
    public func dateTime(_ t: Timestamp) -> String {
        let d = clock.local(t)
        guard Self.fourDigits(d) else {
            return two(d.year % 100) + "." + two(d.month) + "." + two(d.day) + " " + two(d.hour) + ":" + two(d.minute) + ":" + two(d.second)
        }
        return Self.ascii(capacity: 17) { out in
            out.two(d.year % 100, ".")
            out.two(d.month, ".")
            out.two(d.day, " ")
            out.two(d.hour, ":")
            out.two(d.minute, ":")
            out.two(d.second)
        }
    }

    /// `2024-06-21T14:47:47+09:00`, for `datetime` attributes and feeds.
    public func iso(_ t: Timestamp) -> String {
        // RFC 3339 offsets have no seconds, but old zone offsets do (Seoul's LMT until 1908 is
        // +08:27:52): show the time in the offset cut to whole minutes, so it names the same instant.
        var d = clock.local(t)
        let minuteOffset = d.offset - d.offset % 60
        if minuteOffset != d.offset {
            d = SiteClock.civil(fromEpochSeconds: t.seconds + Int64(minuteOffset))
            d.offset = minuteOffset
        }
        let sign = d.offset < 0 ? "-" : "+"
        let offset = abs(d.offset)
        if Self.fourDigits(d) {
            return Self.ascii(capacity: 25) { out in
                out.two(d.year / 100)
                out.two(d.year % 100, "-")
                out.two(d.month, "-")
                out.two(d.day, "T")
                out.two(d.hour, ":")
                out.two(d.minute, ":")
                out.two(d.second, d.offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                out.two(offset / 3600, ":")
                out.two(offset % 3600 / 60)
            }
        }
        return four(d.year) + "-" + two(d.month) + "-" + two(d.day) + "T" + two(d.hour) + ":" + two(d.minute) + ":" + two(d.second)
            + sign + two(offset / 3600) + ":" + two(offset % 3600 / 60)
    }

    /// Whether every field is written as two digits (a year of four): then the text is made
    /// byte by byte, without the dozen small strings that joining them takes.
    private static func fourDigits(_ d: LocalDateTime) -> Bool {
        (0...9999).contains(d.year)
    }

    private static func ascii(capacity: Int, _ write: (inout TwoDigitWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = TwoDigitWriter(buffer: buffer)
            write(&writer)
            return writer.count
        }
    }

    private func two(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
    private func four(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }
}

/// Writes numbers of two digits (0–99) and ASCII separators into a buffer.
private struct TwoDigitWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func two(_ n: Int, _ separator: UInt8? = nil) {
        buffer[count] = UInt8(ascii: "0") + UInt8(n / 10)
        buffer[count + 1] = UInt8(ascii: "0") + UInt8(n % 10)
        count += 2
        if let separator {
            buffer[count] = separator
            count += 1
        }
    }

    mutating func two(_ n: Int, _ separator: Unicode.Scalar) { two(n, UInt8(ascii: separator)) }
}
