import Foundation
import Synchronization

/// Converts between instants and wall-clock times in the site's zone, without Foundation's
/// date formatters (slow, and locale-dependent).
public struct SiteClock: Sendable {
    public let timeZone: TimeZone
    /// Offsets by UTC day, shared by the copies of this clock.
    private let days = DayOffsets()

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The offset from UTC, in seconds, in force at `instant`.
    ///
    /// Asking `TimeZone` costs about a microsecond and a building reads and shows hundreds of
    /// thousands of times, so the offset is kept per UTC day: a day whose first and last second
    /// have the same offset has it throughout (a zone changes its offset at most once a day); a
    /// day with a change asks `TimeZone` every time.
    public func offset(at instant: Timestamp) -> Int {
        let day = instant.seconds >= 0 ? instant.seconds / 86_400 : (instant.seconds - 86_399) / 86_400
        if let known = days.offset(ofDay: day) { return known == .min ? zoneOffset(at: instant.seconds) : known }
        let first = zoneOffset(at: day * 86_400)
        let last = zoneOffset(at: day * 86_400 + 86_399)
        days.record(first == last ? first : nil, ofDay: day)
        return first == last ? first : zoneOffset(at: instant.seconds)
    }

    private func zoneOffset(at seconds: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The wall-clock time in the site's zone at `instant`.
    public func local(_ instant: Timestamp) -> LocalDateTime {
        let offset = offset(at: instant)
        var value = SiteClock.civil(fromEpochSeconds: instant.seconds + Int64(offset))
        value.offset = offset
        return value
    }

    /// The instant of a wall-clock time read in the site's zone (the earlier one when a clock
    /// change makes it ambiguous).
    public func instant(ofLocal local: LocalDateTime) -> Timestamp {
        let naive = SiteClock.epochSeconds(ofCivil: local)
        let first = offset(at: Timestamp(seconds: naive))
        let guess = naive - Int64(first)
        let second = offset(at: Timestamp(seconds: guess))
        return Timestamp(seconds: naive - Int64(second))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func epochSeconds(ofCivil t: LocalDateTime) -> Int64 {
        days(year: t.year, month: t.month, day: t.day) * 86_400 + Int64(t.hour * 3600 + t.minute * 60 + t.second)
    }

    static func civil(fromEpochSeconds seconds: Int64) -> LocalDateTime {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return LocalDateTime(
            year: Int(year), month: Int(month), day: Int(day),
            hour: Int(rest / 3600), minute: Int(rest % 3600 / 60), second: Int(rest % 60))
    }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// The offsets a `SiteClock` found, by UTC day; `Int.min` for a day with a change of offset.
private final class DayOffsets: Sendable {
    private let table = Mutex<[Int64: Int]>([:])

    /// The day's offset (`Int.min` for a day with a change), or nil when not known yet.
    func offset(ofDay day: Int64) -> Int? {
        table.withLock { $0[day] }
    }

    func record(_ offset: Int?, ofDay day: Int64) {
        table.withLock { $0[day] = offset ?? .min }
    }
}
