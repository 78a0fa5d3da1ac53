import Foundation

/// The settings of `site.yml`.
public struct SiteConfig: Sendable {
    public var title: String
    public var description: String
    /// As written in site.yml (or given with `--base-url`), always ending in `/`.
    public var baseURL: String
    /// The path part of `baseURL`, starting and ending with `/` (`/` or `/mirror/`).
    public var basePath: String
    public var language: String
    public var timeZone: TimeZone
    public var theme: String
    public var perPage: Int
    public var bestThreshold: Int
    public var anonymous: String
    public var output: String
    /// Comments per page of a post's thread; longer threads continue on `<post>/page/N/`.
    public var commentsPerPage: Int
    /// Raw HTML in Markdown is kept rather than omitted: for snapshots the site trusts.
    public var unsafeHTML = false
    /// What `/search/` indexes; nil when `search: false` (no search page, no index).
    public var search: Set<SearchField>? = Set(SearchField.allCases)

    public init(
        title: String, description: String = "", baseURL: String = "/", language: String = "ko",
        timeZone: TimeZone = TimeZone(identifier: "Asia/Seoul")!, theme: String = "default", perPage: Int = 20,
        bestThreshold: Int = 10, anonymous: String = "익명", output: String = "public", commentsPerPage: Int = 200
    ) {
        self.title = title
        self.description = description
        self.baseURL = baseURL
        self.basePath = SiteConfig.path(ofBaseURL: baseURL)
        self.language = language
        self.timeZone = timeZone
        self.theme = theme
        self.perPage = perPage
        self.bestThreshold = bestThreshold
        self.anonymous = anonymous
        self.output = output
        self.commentsPerPage = commentsPerPage
    }

    /// Sets `baseURL` (adding a trailing `/`) and derives `basePath` from it.
    public mutating func setBaseURL(_ url: String) {
        baseURL = url.hasSuffix("/") ? url : url + "/"
        basePath = SiteConfig.path(ofBaseURL: baseURL)
    }

    /// Whether `baseURL` is absolute (has a scheme and host), so feeds and the sitemap can use it.
    public var hasAbsoluteBaseURL: Bool { baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") }

    static func path(ofBaseURL url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            if let slash = rest.firstIndex(of: "/") {
                rest = rest[slash...]
            } else {
                rest = "/"
            }
        }
        var path = String(rest)
        if !path.hasPrefix("/") { path = "/" + path }
        if !path.hasSuffix("/") { path += "/" }
        return path
    }
}

/// A whole loaded snapshot: settings and boards, validated.
public struct Site: Sendable {
    public var config: SiteConfig
    /// Boards ordered by their `_board.yml` `weight`, then slug.
    public var boards: [Board]
    /// Whether the posts' bodies and comments were let go after loading (``Post/dropContent()``).
    public var contentDropped = false

    public init(config: SiteConfig, boards: [Board]) {
        self.config = config
        self.boards = boards
    }

    public var postCount: Int { boards.reduce(0) { $0 + $1.posts.count } }
    public var commentCount: Int { boards.reduce(0) { $0 + $1.posts.reduce(0) { $0 + $1.loadedCommentCount } } }
}
