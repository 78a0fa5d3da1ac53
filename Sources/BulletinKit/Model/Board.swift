/// How a board orders its listing.
public enum BoardSort: String, Sendable, Hashable {
    /// By last activity (newest comment or edit), as boards show it.
    case activity
    /// By posting time.
    case date
}

/// One board: a folder below `Content/`, with its posts.
public struct Board: Sendable {
    /// The folder name, used in URLs.
    public var slug: String
    public var title: String
    public var description: String
    public var sort: BoardSort
    /// Rows per listing page for this board.
    public var perPage: Int
    /// The board's posts, in no particular order (see `SiteIndex` for orders).
    public var posts: [Post]

    public init(slug: String, title: String, description: String, sort: BoardSort, perPage: Int, posts: [Post]) {
        self.slug = slug
        self.title = title
        self.description = description
        self.sort = sort
        self.perPage = perPage
        self.posts = posts
    }
}
