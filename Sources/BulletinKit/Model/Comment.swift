/// One comment of a post's thread.
public struct Comment: Sendable {
    public var id: String
    public var author: String
    public var date: Timestamp
    /// Markdown; empty when the comment was deleted and its text not captured.
    public var body: String
    /// The id of the comment this one answers.
    public var replyTo: String?
    /// Where the comment this one answers is in the post's comments (always before this one):
    /// threads are put in order by it. Set together with `replyTo`.
    public var parentIndex: Int?
    public var recommends: Int
    public var deleted: Bool
    /// When a capture that held the whole thread first lacked it (`bulletin import`).
    public var deletedAt: Timestamp? = nil

    public init(
        id: String, author: String, date: Timestamp, body: String, replyTo: (id: String, index: Int)? = nil, recommends: Int = 0, deleted: Bool = false
    ) {
        self.id = id
        self.author = author
        self.date = date
        self.body = body
        self.replyTo = replyTo?.id
        self.parentIndex = replyTo?.index
        self.recommends = recommends
        self.deleted = deleted
    }
}
