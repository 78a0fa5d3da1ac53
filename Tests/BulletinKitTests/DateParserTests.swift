import BulletinKit
import Foundation
import Testing

/// The date forms of the content format, and where a broken date is reported.
struct DateParserTests {
    /// 2024-06-21T14:47:47+09:00.
    static let reference = instantUTC(2024, 6, 21, 5, 47, 47)

    @Test(arguments: [
        "2024-06-21T14:47:47+09:00",
        "2024-06-21 14:47:47+09:00",
        "2024-06-21t14:47:47+09:00",
        "2024-06-21T05:47:47Z",
        "2024-06-21T05:47:47z",
        "2024-06-21T05:47:47+00:00",
        "2024-06-21T14:47:47+0900",
        "2024-06-21T14:47:47+09",
        "2024-06-21T14:47:47 +09:00",
        "2024-06-20T21:47:47-08:00",
        "2024-06-21T14:47:47.123+09:00",
        "2024-06-21T14:47:47,5+09:00",
        "2024-06-21T05:47:47.999999999Z",
        "2024-06-21T14:47:47",
        "2024-06-21 14:47:47",
        "2024-06-21T14:47:47.5",
    ])
    func formsOfTheSameInstant(_ text: String) throws {
        let parsed = DateParser.parse(text, clock: seoul)
        #expect(parsed == .success(Self.reference), "\(text)")
    }

    @Test func withoutSeconds() {
        #expect(DateParser.parse("2024-06-21T14:47+09:00", clock: seoul) == .success(instantUTC(2024, 6, 21, 5, 47, 0)))
        #expect(DateParser.parse("2024-06-21 14:47", clock: seoul) == .success(instantUTC(2024, 6, 21, 5, 47, 0)))
    }

    @Test func dateAloneIsMidnightInTheSiteZone() {
        #expect(DateParser.parse("2024-06-21", clock: seoul) == .success(instantUTC(2024, 6, 20, 15, 0, 0)))
        #expect(DateParser.parse("2024-06-21", clock: utc) == .success(instantUTC(2024, 6, 21)))
    }

    @Test func noOffsetUsesTheSiteZoneWithItsSummerTime() {
        let newYork = SiteClock(timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(DateParser.parse("2024-06-21T12:00:00", clock: newYork) == .success(instantUTC(2024, 6, 21, 16)))
        #expect(DateParser.parse("2024-01-21T12:00:00", clock: newYork) == .success(instantUTC(2024, 1, 21, 17)))
        #expect(DateParser.parse("2024-06-21T12:00:00", clock: utc) == .success(instantUTC(2024, 6, 21, 12)))
    }

    @Test func leapDays() {
        #expect(DateParser.parse("2024-02-29", clock: utc) == .success(instantUTC(2024, 2, 29)))
        #expect(DateParser.parse("2000-02-29", clock: utc) == .success(instantUTC(2000, 2, 29)))
        #expect(DateParser.parse("2023-02-29", clock: utc) == .failure(.invalid("day 29 is out of range", at: 8)))
        #expect(DateParser.parse("1900-02-29", clock: utc) == .failure(.invalid("day 29 is out of range", at: 8)))
    }

    @Test func leapSecondIsClamped() {
        #expect(DateParser.parse("2016-12-31T23:59:60Z", clock: utc) == .success(instantUTC(2016, 12, 31, 23, 59, 59)))
    }

    @Test(arguments: [
        ("2024-13-01", "month 13 is out of range", 5),
        ("2024-00-10", "month 0 is out of range", 5),
        ("2024-06-31", "day 31 is out of range", 8),
        ("2024-06-00", "day 0 is out of range", 8),
        ("2024-06-21T24:00:00", "hour 24 is out of range", 11),
        ("2024-06-21T23:60:00", "minute 60 is out of range", 14),
        ("2024-06-21T23:59:61", "second 61 is out of range", 17),
        ("2024-06-21T14:47:47+09:00x", "unexpected text after the date", 25),
        ("2024-06-21T14:47:47+09:00 ", "unexpected text after the date", 25),
        ("2024-06-21x", "expected 'T' or a space before the time", 10),
        ("2024-06-21T14:47:47 KST", "expected an offset such as '+09:00' or 'Z'", 20),
        ("2024-06-21T14:47:47+9", "expected a two-digit offset hour", 20),
        ("2024-06-21T14:47:47+19:00", "offset is out of range", 20),
        ("2024-06-21T14:47:47+09:75", "offset is out of range", 23),
        ("2024-06-21T14:47:47.", "expected digits after the decimal point", 20),
        ("2024/06/21", "expected '-' after the year", 4),
        ("24-06-21", "expected a four-digit year", 2),
        ("2024-6-21", "expected a two-digit month", 6),
        ("2024-06-21T1:00", "expected a two-digit hour", 12),
        ("2024-06-21T14", "expected ':' after the hour", 13),
        ("", "expected a four-digit year", 0),
        ("어제", "expected a four-digit year", 0),
    ])
    func invalidDates(_ text: String, _ reason: String, _ at: Int) {
        #expect(DateParser.parse(text, clock: seoul) == .failure(.invalid(reason, at: at)), "\(text)")
    }

    @Test func errorColumnPointsIntoThePlainValueInTheFile() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText(["title: 글", "date: 2024-06-21T14:47:47+09:00", "updated: 2024-06-21T25:00:00"]))
        // 'updated: ' is 9 characters; the hour starts 11 characters into the value.
        #expect(result.errors == ["Content/free/1.md:4:21: error: 'updated' is not a valid date (hour 25 is out of range): '2024-06-21T25:00:00'"])
    }

    @Test func errorColumnSkipsTheOpeningQuote() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: \"2024-06-21T14:47:47+09:00 junk\""]))
        // The value starts after the quote at column 8; the bad text is 25 characters further.
        #expect(
            result.errors == [
                "Content/free/1.md:3:33: error: 'date' is not a valid date (unexpected text after the date): '2024-06-21T14:47:47+09:00 junk'"
            ])
    }

    @Test func errorColumnCountsWhiteSpaceInsideTheQuotes() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: '  2024-13-01'"]))
        // The quote is at column 7, two spaces follow, then the month 5 characters into the date.
        #expect(result.errors == ["Content/free/1.md:3:15: error: 'date' is not a valid date (month 13 is out of range): '2024-13-01'"])
    }

    @Test func errorColumnInACommentFile() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"]) + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: '2024-02-30 10:00'
                  body: a
                """)
        #expect(
            result.errors == [
                "Content/free/1.comments.yml:2:18: error: 'date' is not a valid date (day 30 is out of range): '2024-02-30 10:00'"
            ])
    }

    @Test func captureTimeIsADateToo() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "captured: 2024-06-21T14:47:47+09"]))
        #expect(result.errors.isEmpty)
        #expect(result.post("free", "1")?.captured == Self.reference)
    }
}
