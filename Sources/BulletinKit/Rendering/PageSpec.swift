/// One page of the site that a template renders.
public enum PageSpec: Sendable, Hashable {
    case home
    case board(Int, page: Int)
    case best(Int, page: Int)
    case post(PostRef)
    /// Page N ≥ 2 of a post's comment thread.
    case postComments(PostRef, page: Int)
    case tags
    case tag(Int, page: Int)
    case archive
    case archiveYear(Int, page: Int)
    case archiveMonth(Int, Int, page: Int)
    case archiveDay(Int, Int, Int, page: Int)
    case notFound
    /// `/search/`, when the site has search and the theme a `search` template.
    case search

    /// The template that renders it.
    public var template: String {
        switch self {
        case .home: "home"
        case .board: "board"
        case .best: "best"
        case .post, .postComments: "post"
        case .tags: "tags"
        case .tag: "tag"
        case .archive: "archive"
        case .archiveYear: "archive_year"
        case .archiveMonth: "archive_month"
        case .archiveDay: "archive_day"
        case .notFound: "404"
        case .search: "search"
        }
    }

    /// Its page number within a listing or a thread (1 for pages that are not numbered).
    public var number: Int {
        switch self {
        case .board(_, let n), .best(_, let n), .postComments(_, let n), .tag(_, let n), .archiveYear(_, let n), .archiveMonth(_, _, let n),
            .archiveDay(_, _, _, let n):
            n
        case .home, .post, .tags, .archive, .notFound, .search: 1
        }
    }

    /// Every template a theme must have.
    public static let requiredTemplates = [
        "home", "board", "best", "post", "tags", "tag", "archive", "archive_year", "archive_month", "archive_day", "404",
    ]
}
