@testable import BulletinKit
import Foundation
import Testing

/// How times are shown, and the escaping and URL helpers the renderer writes with.
struct DisplayAndEscapeTests {
    static let instant = instantUTC(2024, 6, 21, 5, 47, 7)

    @Test func timesInSeoul() {
        let display = DateDisplay(clock: seoul)
        #expect(display.shortDate(Self.instant) == "24.06.21")
        #expect(display.dateTime(Self.instant) == "24.06.21 14:47:07")
        #expect(display.iso(Self.instant) == "2024-06-21T14:47:07+09:00")
    }

    @Test func timesInZonesBehindAndBetweenHours() {
        let newYork = DateDisplay(clock: SiteClock(timeZone: TimeZone(identifier: "America/New_York")!))
        #expect(newYork.iso(Self.instant) == "2024-06-21T01:47:07-04:00")
        #expect(newYork.iso(instantUTC(2024, 1, 1, 3)) == "2023-12-31T22:00:00-05:00")
        #expect(newYork.shortDate(instantUTC(2024, 1, 1, 3)) == "23.12.31")
        let kolkata = DateDisplay(clock: SiteClock(timeZone: TimeZone(identifier: "Asia/Kolkata")!))
        #expect(kolkata.iso(Self.instant) == "2024-06-21T11:17:07+05:30")
        #expect(DateDisplay(clock: utc).iso(Self.instant) == "2024-06-21T05:47:07+00:00")
    }

    /// The clock keeps offsets per UTC day: it must still agree with the zone on every second
    /// around clock changes (Seoul's summer time of 1987–88, New York's, Lord Howe's half hour,
    /// Seoul's LMT of +08:27:52 until 1908), asked in any order.
    @Test func dayOffsetsAgreeWithTheZoneAroundChanges() {
        var random = SplitMix(seed: 5)
        for name in ["Asia/Seoul", "America/New_York", "Australia/Lord_Howe", "UTC"] {
            let zone = TimeZone(identifier: name)!
            let clock = SiteClock(timeZone: zone)
            var instants: [Int64] = []
            var t = Date(timeIntervalSince1970: -2_200_000_000)
            while let next = zone.nextDaylightSavingTimeTransition(after: t), next.timeIntervalSince1970 < 2_000_000_000, instants.count < 4000 {
                let s = Int64(next.timeIntervalSince1970)
                instants += [s - 86_400, s - 3601, s - 1, s, s + 1, s + 1800, s + 86_399]
                t = next
            }
            instants += (0..<2000).map { _ in Int64(random.next() % 4_200_000_000) - 2_200_000_000 }
            instants.shuffle(using: &random)
            for s in instants {
                #expect(clock.offset(at: Timestamp(seconds: s)) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(s))), "\(name) \(s)")
            }
        }
    }

    @Test func yearsOfOtherThanFourDigitsAreWrittenAsBefore() {
        let display = DateDisplay(clock: utc)
        #expect(display.iso(Timestamp(seconds: 253_402_300_800)) == "10000-01-01T00:00:00+00:00")
        #expect(display.iso(Timestamp(seconds: -62_135_596_800)) == "0001-01-01T00:00:00+00:00")
        #expect(display.dateTime(Timestamp(seconds: -62_135_596_800)) == "01.01.01 00:00:00")
    }

    @Test func localTimesRoundTrip() {
        for clock in [seoul, utc, SiteClock(timeZone: TimeZone(identifier: "America/New_York")!)] {
            for seconds in stride(from: Int64(0), to: 2_000_000_000, by: 86_399 * 37) {
                let instant = Timestamp(seconds: seconds)
                #expect(clock.instant(ofLocal: clock.local(instant)) == instant, "\(clock.timeZone.identifier) \(seconds)")
            }
        }
    }

    @Test func htmlEscaping() {
        #expect(Escape.html("plain 한글") == "plain 한글")
        #expect(Escape.html(#"<a href="x" title='y'>&amp;</a>"#) == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
    }

    @Test func xmlEscapingDropsForbiddenCharacters() {
        #expect(Escape.xml("a\u{0}b\u{1B}c\td\ne\u{FFFE}<") == "abc\td\ne&lt;")
    }

    @Test func pathEncoding() {
        #expect(URLSafety.encodePath("tags/게임/") == "tags/%EA%B2%8C%EC%9E%84/")
        #expect(URLSafety.encodePath("a b?c#d%e&f") == "a%20b%3Fc%23d%25e%26f")
        #expect(URLSafety.encodePath("free/812301/photo-1_v2.~png") == "free/812301/photo-1_v2.~png")
    }

    @Test func percentDecoding() {
        #expect(URLSafety.decodePercent("%ED%95%9C%20a") == "한 a")
        #expect(URLSafety.decodePercent("100%") == "100%")
        #expect(URLSafety.decodePercent("%zz") == "%zz")
        #expect(URLSafety.decodePercent("%FF") == nil, "not UTF-8")
        #expect(URLSafety.decodePercent("%2e%2e/x") == "../x")
    }

    @Test func schemes() {
        #expect(URLSafety.scheme(of: "https://x") == "https")
        #expect(URLSafety.scheme(of: "JavaScript:x") == "javascript")
        #expect(URLSafety.scheme(of: "java\tscript:x") == "javascript")
        #expect(URLSafety.scheme(of: "a/b:c") == nil)
        #expect(URLSafety.scheme(of: "a?b:c") == nil)
        #expect(URLSafety.scheme(of: "photo.png") == nil)
        #expect(URLSafety.scheme(of: ":x") == nil)
        #expect(URLSafety.isSafeAbsolute("mailto:a@example.org"))
        #expect(!URLSafety.isSafeAbsolute("vbscript:x"))
        #expect(URLSafety.isWebURL("https://example.org"))
        #expect(!URLSafety.isWebURL("https://"))
        #expect(!URLSafety.isWebURL("https://exa mple.org"))
        #expect(!URLSafety.isWebURL("https://example.org/\"><script>"))
        #expect(!URLSafety.isWebURL("ftp://example.org"))
    }
}

@Suite struct ReplacingBytesTests {
    @Test func replacesEveryOccurrenceByBytes() {
        #expect("a<a href=\"x\">b<a href=\"y\">".replacingBytes("<a href=\"", with: "<a rel=\"r\" href=\"") == "a<a rel=\"r\" href=\"x\">b<a rel=\"r\" href=\"y\">")
        #expect("한\r\n글\r\n".replacingBytes("\r\n", with: "\n") == "한\n글\n")
        #expect("없음".replacingBytes("<a", with: "x") == "없음")
        #expect("aaa".replacingBytes("aa", with: "b") == "ba")
        #expect("".replacingBytes("a", with: "b") == "")
        // A decomposed character is not its composed form: bytes, not characters, are compared.
        #expect("e\u{301}".replacingBytes("é", with: "x") == "e\u{301}")
    }
}

/// Paths are split at `/` bytes, also where Unicode joins a `/` with a combining mark.
struct SlashSplitTests {
    @Test func aSlashBeforeACombiningMarkStillSeparates() {
        let path = "tags/\u{338}script-alert(1)-script/index.html"
        // Why: Swift sees no "/" Character here, since the "/" and U+0338 make one.
        #expect("tags/\u{338}x".lastIndex(of: "/") == nil)
        #expect(path.splitAtLastSlash?.folder == "tags/\u{338}script-alert(1)-script")
        #expect("tags/\u{338}x".splitAtLastSlash! == ("tags", "\u{338}x"))
        #expect("a//\u{338}b/".slashSeparatedParts == ["a", "\u{338}b"])
        #expect("name".splitAtLastSlash == nil)
    }

    @Test func pathRulesSeeJoinedSlashes() {
        #expect(!PathRules.isSafeName("a/\u{338}b"))
        #expect(!PathRules.isSafeRelativePath("/\u{338}etc"))
        #expect(!PathRules.isSafeRelativePath("out/\u{338}/../.."))
        #expect(PathRules.isSafeRelativePath("out/site"))
    }
}
