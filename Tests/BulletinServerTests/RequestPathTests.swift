import BulletinKit
import Testing

@testable import BulletinServer

@Suite struct RequestPathTests {
    @Test(arguments: [
        "/../etc/passwd", "/free/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/%2e%2e/etc/passwd", "/free/%2e%2e/%2e%2e/x",
        "/free%2f..%2f..%2fetc%2fpasswd", "/free%2Findex.html", "/free%5c..%5cx", "/free\\..\\x", "//etc/passwd", "/free//x",
        "/free/%00", "/free/a%00b", "/./free/", "/free/%2e/", "etc/passwd", "", "/%zz", "/%e", "/%ff%fe", "/free/%0a",
    ])
    func refusesPathsThatCouldLeaveTheSite(_ raw: String) {
        #expect(RequestPath.parse(raw) == nil)
    }

    @Test func decodesKoreanToNFC() {
        // 게임 written with conjoining jamo (NFD), percent-encoded.
        let decomposed = "게임".decomposedStringWithCanonicalMapping
        let encoded = "/tags/" + decomposed.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined() + "/"
        #expect(RequestPath.parse(encoded) == RequestPath(segments: ["tags", "게임"], trailingSlash: true))
        #expect(RequestPath.parse("/tags/%EA%B2%8C%EC%9E%84/")?.segments == ["tags", "게임"])
    }

    @Test func keepsTheTrailingSlash() {
        #expect(RequestPath.parse("/") == RequestPath(segments: [], trailingSlash: true))
        #expect(RequestPath.parse("/free") == RequestPath(segments: ["free"], trailingSlash: false))
        #expect(RequestPath.parse("/free/101/") == RequestPath(segments: ["free", "101"], trailingSlash: true))
        #expect(RequestPath.parse("/a..b/c") == RequestPath(segments: ["a..b", "c"], trailingSlash: false))
    }

    @Test func encodesForLocationHeaders() {
        #expect(URLSafety.encodePath("/tags/게임/") == "/tags/%EA%B2%8C%EC%9E%84/")
        #expect(URLSafety.encodePath("/a b?#/") == "/a%20b%3F%23/")
    }
}

@Suite struct ByteRangeTests {
    @Test func normalisesRanges() {
        #expect(ByteRange.normalize("bytes=0-9", size: 100) == .range("bytes=0-9"))
        #expect(ByteRange.normalize("bytes=90-200", size: 100) == .range("bytes=90-99"))
        #expect(ByteRange.normalize("bytes=95-", size: 100) == .range("bytes=95-99"))
        #expect(ByteRange.normalize("bytes=-10", size: 100) == .range("bytes=90-99"))
        #expect(ByteRange.normalize("bytes=-1000", size: 100) == .range("bytes=0-99"))
    }

    @Test func refusesRangesOutsideTheFile() {
        #expect(ByteRange.normalize("bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange.normalize("bytes=100-200", size: 100) == .unsatisfiable)
        #expect(ByteRange.normalize("bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRange.normalize("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.normalize("bytes=99999999999999999999999-", size: 100) == .unsatisfiable)
    }

    @Test func ignoresWhatItCannotServe() {
        #expect(ByteRange.normalize("bytes=0-1,5-6", size: 100) == .whole)
        #expect(ByteRange.normalize("items=0-1", size: 100) == .whole)
        #expect(ByteRange.normalize("bytes=5-1", size: 100) == .whole)
        #expect(ByteRange.normalize("bytes=a-b", size: 100) == .whole)
        #expect(ByteRange.normalize("bytes=-", size: 100) == .whole)
    }
}
