/// One comment of a post's thread.
public struct Comment: Sendable {
    public var id: String
    public var author: String
    public var date: Timestamp
    /// Markdown; empty when the comment was deleted and its text not captured.
    public var body: String
    /// The id of the comment this one answers.
    public var replyTo: String?
    public var recommends: Int
    public var deleted: Bool

    public init(id: String, author: String, date: Timestamp, body: String, replyTo: String? = nil, recommends: Int = 0, deleted: Bool = false) {
        self.id = id
        self.author = author
        self.date = date
        self.body = body
        self.replyTo = replyTo
        self.recommends = recommends
        self.deleted = deleted
    }
}
