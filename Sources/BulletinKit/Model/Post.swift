/// One captured post with its comments.
public struct Post: Sendable {
    public var board: String
    public var id: String
    public var title: String
    public var author: String
    public var date: Timestamp
    /// Last activity: given, or the newest of `date` and its comments' dates.
    public var updated: Timestamp
    public var views: Int
    public var recommends: Int
    /// The board's own count, at least the number of comments loaded.
    public var commentCount: Int
    public var tags: [String]
    public var notice: Bool
    public var deleted: Bool
    /// The original URL, when it is an http(s) URL.
    public var source: String?
    public var captured: Timestamp?
    /// Front-matter keys Bulletin does not know, in file order.
    public var params: [Param]
    /// The Markdown body, NFC.
    public var body: String
    /// The file, relative to `Content/` (`free/2024/812301.md`).
    public var contentPath: String
    /// Where the file is, for diagnostics.
    public var location: SourceLocation
    /// Comments, oldest first, as in the comment file.
    public var comments: [Comment]
    /// When a capture first showed a title or body other than the first (`bulletin import`).
    public var edited: Timestamp? = nil
    /// When a capture that covered the post first lacked it.
    public var deletedAt: Timestamp? = nil
    /// The titles and bodies earlier captures showed, oldest first.
    public var versions: [PostVersion] = []
    /// How many comments were loaded, when the body and comments were let go (``dropContent()``).
    public private(set) var droppedComments: Int? = nil

    /// The number of comments loaded from the comment file, also once they were let go.
    public var loadedCommentCount: Int { droppedComments ?? comments.count }

    /// Lets go of the body and the comments, keeping what listings and indexes show: a big
    /// site's posts are read again, one at a time, when their pages are rendered.
    public mutating func dropContent() {
        droppedComments = comments.count
        body = ""
        comments = []
        versions = []
    }

    public init(
        board: String, id: String, title: String, author: String, date: Timestamp, updated: Timestamp,
        views: Int = 0, recommends: Int = 0, commentCount: Int = 0, tags: [String] = [], notice: Bool = false,
        deleted: Bool = false, source: String? = nil, captured: Timestamp? = nil, params: [Param] = [],
        body: String = "", contentPath: String, location: SourceLocation, comments: [Comment] = []
    ) {
        self.board = board
        self.id = id
        self.title = title
        self.author = author
        self.date = date
        self.updated = updated
        self.views = views
        self.recommends = recommends
        self.commentCount = commentCount
        self.tags = tags
        self.notice = notice
        self.deleted = deleted
        self.source = source
        self.captured = captured
        self.params = params
        self.body = body
        self.contentPath = contentPath
        self.location = location
        self.comments = comments
    }
}

/// A title and body that captures showed before the current one.
public struct PostVersion: Sendable, Hashable {
    public var title: String
    /// Markdown, NFC.
    public var body: String
    /// The first and last capture that showed it (nil for a version that was in `Content/`
    /// before any import).
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?

    public init(title: String, body: String, firstSeen: Timestamp?, lastSeen: Timestamp?) {
        self.title = title
        self.body = body
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// A front-matter key Bulletin does not interpret, handed to templates.
public struct Param: Sendable, Hashable {
    public var key: String
    /// The value as text (lists joined with ", ", mappings as `key: value` pairs).
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
