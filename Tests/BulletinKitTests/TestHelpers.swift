import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Loads a fixture site (txtar form) with paths shown relative to the site's folder
/// (`Content/free/1.md`), so diagnostics can be compared as `path:line:col` text.
/// `prepare` runs after the files are written and before loading (for symlinks, raw bytes).
func loadFixture(_ archive: String, prepare: (FixtureSite) throws -> Void = { _ in }) throws -> LoadResult {
    let fixture = try FixtureSite(archive)
    defer { fixture.remove() }
    try prepare(fixture)
    return SiteLoader.load(source: fixture.root, display: ".", jobs: 2)
}

extension LoadResult {
    /// `path:line:col: error: message` of every error.
    var errors: [String] { diagnostics.filter { $0.severity == .error }.map(\.description) }
    /// `path:line:col: warning: message` of every warning.
    var warnings: [String] { diagnostics.filter { $0.severity == .warning }.map(\.description) }

    /// The loaded post of `board` with `id`.
    func post(_ board: String, _ id: String) -> Post? {
        site?.boards.first { $0.slug == board }?.posts.first { $0.id == id }
    }
}

/// Expects exactly one diagnostic starting with `prefix` (`path:line:col: error:`) and, when given,
/// containing `message`.
func expectOne(
    _ diagnostics: [String], _ prefix: String, containing message: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let matching = diagnostics.filter { $0.hasPrefix(prefix + " ") }
    #expect(matching.count == 1, "expected one '\(prefix)' among \(diagnostics)", sourceLocation: sourceLocation)
    if let message, let first = matching.first {
        #expect(first.contains(message), "'\(first)' should mention '\(message)'", sourceLocation: sourceLocation)
    }
}

/// A site.yml and one post, the smallest valid site, for tests that change one part of it.
let minimalSiteYML = "-- site.yml --\ntitle: 테스트\n"

/// A post file's text with the given front-matter lines and body.
func postText(_ frontMatter: [String], body: String = "본문") -> String {
    "---\n" + frontMatter.joined(separator: "\n") + "\n---\n" + body + "\n"
}

/// A link resolver that records its calls and maps `x` to `/res/x`, refusing paths starting with
/// `missing`.
struct RecordingResolver: LinkResolver {
    struct Call: Equatable {
        var path: String
        var suffix: String
        var isImage: Bool
    }

    var calls: [Call] = []

    mutating func resolve(relative path: String, suffix: String, isImage: Bool) -> String? {
        calls.append(Call(path: path, suffix: suffix, isImage: isImage))
        if path.hasPrefix("missing") { return nil }
        return "/res/" + path + suffix
    }
}

/// Markdown to HTML with a fresh `RecordingResolver`.
func markdown(_ text: String, hardBreaks: Bool = false) -> String {
    var resolver = RecordingResolver()
    return Markdown.html(text, options: .init(hardBreaks: hardBreaks), links: &resolver)
}

/// Seoul's clock, the default zone of a site.
let seoul = SiteClock(timeZone: TimeZone(identifier: "Asia/Seoul")!)
let utc = SiteClock(timeZone: TimeZone(identifier: "UTC")!)

/// An instant from its UTC wall-clock parts.
func instantUTC(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
    utc.instant(ofLocal: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
}
