/// Parses the date forms of the content format: ISO 8601 with `T` or a space between date and
/// time, seconds and fractions optional, offset (`Z`, `+09:00`, `+0900`, `+09`) optional.
/// A time without an offset is read in the site's zone; a date alone is midnight there.
public enum DateParser {
    public enum Failure: Error, Equatable {
        /// What is wrong, and the 0-based scalar index in the text where it is.
        case invalid(String, at: Int)
    }

    static let earliest = Timestamp(seconds: SiteClock.days(year: 1, month: 1, day: 2) * 86_400)
    static let latest = Timestamp(seconds: SiteClock.days(year: 9999, month: 12, day: 31) * 86_400 - 1)

    public static func parse(_ text: String, clock: SiteClock) -> Result<Timestamp, Failure> {
        let s = Array(text.utf8)
        var i = 0
        func digits(_ count: Int, _ what: String) -> Result<Int, Failure> {
            guard i + count <= s.count else { return .failure(.invalid("expected \(what)", at: i)) }
            var value = 0
            for k in 0..<count {
                let c = s[i + k]
                guard c >= 48 && c <= 57 else { return .failure(.invalid("expected \(what)", at: i + k)) }
                value = value * 10 + Int(c - 48)
            }
            i += count
            return .success(value)
        }
        func expect(_ c: UInt8, _ what: String) -> Failure? {
            guard i < s.count, s[i] == c else { return .invalid("expected \(what)", at: i) }
            i += 1
            return nil
        }
        var local = LocalDateTime(year: 0, month: 1, day: 1)
        do {
            local.year = try digits(4, "a four-digit year").get()
            if let f = expect(UInt8(ascii: "-"), "'-' after the year") { throw f }
            let monthAt = i
            local.month = try digits(2, "a two-digit month").get()
            guard (1...12).contains(local.month) else { throw Failure.invalid("month \(local.month) is out of range", at: monthAt) }
            if let f = expect(UInt8(ascii: "-"), "'-' after the month") { throw f }
            let dayAt = i
            local.day = try digits(2, "a two-digit day").get()
            guard local.day >= 1 && local.day <= SiteClock.daysIn(month: local.month, year: local.year) else {
                throw Failure.invalid("day \(local.day) is out of range", at: dayAt)
            }
            var offset: Int?
            if i < s.count {
                guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") || s[i] == UInt8(ascii: "t") else {
                    throw Failure.invalid("expected 'T' or a space before the time", at: i)
                }
                i += 1
                let hourAt = i
                local.hour = try digits(2, "a two-digit hour").get()
                guard local.hour < 24 else { throw Failure.invalid("hour \(local.hour) is out of range", at: hourAt) }
                if let f = expect(UInt8(ascii: ":"), "':' after the hour") { throw f }
                let minuteAt = i
                local.minute = try digits(2, "two-digit minutes").get()
                guard local.minute < 60 else { throw Failure.invalid("minute \(local.minute) is out of range", at: minuteAt) }
                if i < s.count, s[i] == UInt8(ascii: ":") {
                    i += 1
                    let secondAt = i
                    local.second = try digits(2, "two-digit seconds").get()
                    guard local.second < 61 else { throw Failure.invalid("second \(local.second) is out of range", at: secondAt) }
                    if local.second == 60 { local.second = 59 }
                    if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",") {
                        i += 1
                        let start = i
                        while i < s.count, s[i] >= 48 && s[i] <= 57 { i += 1 }
                        guard i > start else { throw Failure.invalid("expected digits after the decimal point", at: i) }
                    }
                }
                while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
                if i < s.count {
                    let c = s[i]
                    if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                        i += 1
                        offset = 0
                    } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                        let sign = c == UInt8(ascii: "-") ? -1 : 1
                        i += 1
                        let hoursAt = i
                        let hours = try digits(2, "a two-digit offset hour").get()
                        guard hours <= 18 else { throw Failure.invalid("offset is out of range", at: hoursAt) }
                        var minutes = 0
                        if i < s.count {
                            if s[i] == UInt8(ascii: ":") { i += 1 }
                            let minutesAt = i
                            minutes = try digits(2, "two-digit offset minutes").get()
                            guard minutes < 60 else { throw Failure.invalid("offset is out of range", at: minutesAt) }
                        }
                        offset = sign * (hours * 3600 + minutes * 60)
                    } else {
                        throw Failure.invalid("expected an offset such as '+09:00' or 'Z'", at: i)
                    }
                }
            }
            guard i == s.count else { throw Failure.invalid("unexpected text after the date", at: i) }
            let instant: Timestamp
            if let offset {
                instant = Timestamp(seconds: SiteClock.epochSeconds(ofCivil: local) - Int64(offset))
            } else {
                instant = clock.instant(ofLocal: local)
            }
            // A day inside the four-digit years, so that the date shown in any zone has one too.
            guard instant >= earliest && instant <= latest else {
                throw Failure.invalid("dates before 0001-01-02 or after 9999-12-30 are not supported", at: 0)
            }
            return .success(instant)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(.invalid("invalid date", at: i))
        }
    }
}
