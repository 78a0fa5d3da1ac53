/// The ways pages show times, in the site's zone, without Foundation's formatters.
public struct DateDisplay: Sendable {
    public let clock: SiteClock

    public init(clock: SiteClock) {
        self.clock = clock
    }

    /// `24.06.21`, as boards show the posting date in listings.
    public func shortDate(_ t: Timestamp) -> String {
        let d = clock.local(t)
        return two(d.year % 100) + "." + two(d.month) + "." + two(d.day)
    }

    /// `24.06.21 14:47:47`.
    public func dateTime(_ t: Timestamp) -> String {
        let d = clock.local(t)
        return two(d.year % 100) + "." + two(d.month) + "." + two(d.day) + " " + two(d.hour) + ":" + two(d.minute) + ":" + two(d.second)
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
        return four(d.year) + "-" + two(d.month) + "-" + two(d.day) + "T" + two(d.hour) + ":" + two(d.minute) + ":" + two(d.second)
            + sign + two(offset / 3600) + ":" + two(offset % 3600 / 60)
    }

    private func two(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
    private func four(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }
}
