extension SiteRenderer {
    /// Deepest indentation a reply gets; deeper replies stay at this depth.
    static let maxCommentDepth = 5

    /// Resolves the relative links of a post and its comments against the post's folder.
    func links(for post: Post) -> ContentLinks {
        return ContentLinks(
            folder: post.contentPath.splitAtLastSlash?.folder ?? "", contentRoot: contentRoot,
            realContentRoot: realContentRoot, base: base, postURLs: postURLs, location: post.location)
    }

    /// A post with its body and comments, read again from its files when the site let go of them.
    func fullPost(_ ref: PostRef) -> Post {
        let post = site.boards[ref.board].posts[ref.post]
        guard site.contentDropped else { return post }
        return SiteLoader.reload(post, config: site.config, contentRoot: contentRoot) ?? post
    }

    /// Sets the fields of a post's page (or one page of its comments) on the object being made.
    func postContext(_ o: inout ContextBuilder, _ ref: PostRef, commentPage: Int, extra: inout Rendered) {
        let board = site.boards[ref.board]
        let post = fullPost(ref)
        var links = links(for: post)

        let chronological = index.boards[ref.board].chronological
        let position = index.chronologicalPosition[ref.board][ref.post]
        func neighbour(_ o: inout ContextBuilder, _ key: ContextKey, _ i: Int) {
            guard chronological.indices.contains(i) else { return }
            let other = board.posts[chronological[i].post]
            o.set(
                key,
                o.object { o in
                    o.set("url", string: base + board.slug + "/" + other.id + "/")
                    o.set("title", string: other.title)
                })
        }
        let listingPage = index.listingPage[ref.board][ref.post]
        let tags = index.postTagSlugs[ref.board][ref.post]
        let folder = board.slug + "/" + post.id + "/"
        o.set(
            "post",
            o.object { o in
                o.set("board", boardContext(&o, ref.board))
                o.set("id", string: post.id)
                o.set("title", string: post.title)
                o.set("author", string: post.author)
                o.set("date", writing: { display.dateTime(post.date, into: &$0) })
                o.set("date_iso", writing: { display.iso(post.date, into: &$0) })
                o.set("updated", writing: { display.dateTime(post.updated, into: &$0) })
                o.set("updated_iso", writing: { display.iso(post.updated, into: &$0) })
                o.set("has_updated", bool: post.updated != post.date)
                o.set("views", int: post.views)
                o.set("recommends", int: post.recommends)
                o.set("comment_count", int: post.commentCount)
                o.set("comments_loaded", int: post.comments.count)
                o.set("comments_missing", bool: post.commentCount > post.comments.count)
                o.set(
                    "tags",
                    o.list(of: tags) { o, t in
                        o.set("name", string: index.tags[t].name)
                        o.set("url", string: href("tags/" + index.tags[t].slug + "/"))
                    })
                o.set("has_tags", bool: !tags.isEmpty)
                o.set("body", writing: { Markdown.writeHTML(post.body, options: Markdown.Options(unsafeHTML: site.config.unsafeHTML), links: &links, into: &$0) })
                o.set("notice", bool: post.notice)
                o.set("deleted", bool: post.deleted)
                o.set(
                    "params",
                    o.list(of: post.params) { o, param in
                        o.set("key", string: param.key)
                        o.set("value", string: param.value)
                    })
                o.set("has_params", bool: !post.params.isEmpty)
                o.set("listing_url", string: href(Pagination.folder(board.slug + "/", page: listingPage)))
                o.set("listing_page", int: listingPage)
                if let source = post.source { o.set("source", string: source) }
                if let captured = post.captured {
                    o.set("captured", writing: { display.dateTime(captured, into: &$0) })
                    o.set("captured_iso", writing: { display.iso(captured, into: &$0) })
                }
                if let edited = post.edited {
                    o.set("edited", writing: { display.dateTime(edited, into: &$0) })
                    o.set("edited_iso", writing: { display.iso(edited, into: &$0) })
                }
                if let deletedAt = post.deletedAt {
                    o.set("deleted_at", writing: { display.dateTime(deletedAt, into: &$0) })
                    o.set("deleted_at_iso", writing: { display.iso(deletedAt, into: &$0) })
                }
                // Earlier titles and bodies, newest first, as captures showed them.
                o.set(
                    "versions",
                    o.list(of: Array(post.versions.reversed())) { o, version in
                        o.set("title", string: version.title)
                        o.set("body", writing: { Markdown.writeHTML(version.body, options: Markdown.Options(unsafeHTML: site.config.unsafeHTML), links: &links, into: &$0) })
                        if let first = version.firstSeen, let last = version.lastSeen {
                            o.set("first_seen", writing: { display.dateTime(first, into: &$0) })
                            o.set("first_seen_iso", writing: { display.iso(first, into: &$0) })
                            o.set("last_seen", writing: { display.dateTime(last, into: &$0) })
                            o.set("last_seen_iso", writing: { display.iso(last, into: &$0) })
                        }
                    })
                o.set("has_versions", bool: !post.versions.isEmpty)
                neighbour(&o, "prev", position - 1)
                neighbour(&o, "next", position + 1)
                o.set("url", string: href(folder))
                o.set("show_body", bool: commentPage == 1)
                o.set("comment_page", int: commentPage)
            })
        let comments = threadContext(&o, ref, post.comments, page: commentPage, folder: folder, links: &links)
        extra.attachments = links.attachments
        extra.diagnostics = links.diagnostics
        extra.linkTargets = links.lookedUp
        let pagination = Pagination(total: post.comments.count, perPage: site.config.commentsPerPage)
        o.set("comments", comments)
        o.set("has_comments", bool: comments.count > 0)
        o.set("comment_pages", o.object { o in o.set("pager", pagerContext(&o, pagination, current: commentPage, folder: folder)) })
    }

    /// The comments in thread order: each followed by its replies, depth-first, without recursion.
    /// Gives each comment's index in `comments` and its nesting depth.
    static func threadOrder(_ comments: [Comment]) -> [(index: Int, depth: Int)] {
        // Each comment's first reply and next sibling: the replies of a comment in their order.
        var firstReply = [Int](repeating: -1, count: comments.count)
        var lastReply = [Int](repeating: -1, count: comments.count)
        var nextSibling = [Int](repeating: -1, count: comments.count)
        var roots: [Int] = []
        for (i, comment) in comments.enumerated() {
            if let parent = comment.parentIndex {
                if firstReply[parent] < 0 { firstReply[parent] = i } else { nextSibling[lastReply[parent]] = i }
                lastReply[parent] = i
            } else {
                roots.append(i)
            }
        }
        var order: [(index: Int, depth: Int)] = []
        order.reserveCapacity(comments.count)
        var stack: [(index: Int, depth: Int)] = []
        for root in roots {
            stack.append((root, 0))
            while let (i, depth) = stack.popLast() {
                order.append((i, depth))
                // The sibling waits below the replies, which come first.
                if depth > 0 && nextSibling[i] >= 0 { stack.append((nextSibling[i], depth)) }
                if firstReply[i] >= 0 { stack.append((firstReply[i], depth + 1)) }
            }
        }
        return order
    }

    /// A post's thread in display order, with the lookups that replies need.
    struct Thread: Sendable {
        /// Index in `post.comments` and depth of each comment, in display order.
        var order: [(index: Int, depth: Int)]
        /// Display position of each comment, by index in `post.comments`.
        var displayPosition: [Int]

        init(_ comments: [Comment]) {
            order = SiteRenderer.threadOrder(comments)
            displayPosition = Array(repeating: 0, count: comments.count)
            for (k, entry) in order.enumerated() { displayPosition[entry.index] = k }
        }
    }

    /// One page of a post's comment thread, as a list; replies link to their parent, on whichever page it is.
    func threadContext(
        _ o: inout ContextBuilder, _ ref: PostRef, _ comments: [Comment], page: Int, folder: String, links: inout ContentLinks
    ) -> TemplateContext.Value {
        // Threads longer than a page are ordered once, in init, not once per page.
        let thread = longThreads[ref] ?? Thread(comments)
        let pagination = Pagination(total: thread.order.count, perPage: site.config.commentsPerPage)
        func anchor(_ i: Int) -> String {
            // A valid id never starts with '_', so the fallback cannot collide with one.
            PathRules.isValidID(comments[i].id) ? "c-" + comments[i].id : "c-_" + String(i + 1)
        }
        let options = Markdown.Options(hardBreaks: true, unsafeHTML: site.config.unsafeHTML)
        return o.list(of: thread.order[pagination.rows(ofPage: page)]) { o, entry in
            let (i, depth) = entry
            let comment = comments[i]
            o.set("id", string: comment.id)
            o.set("anchor", string: anchor(i))
            o.set("author", string: comment.author)
            o.set("date", writing: { display.dateTime(comment.date, into: &$0) })
            o.set("date_iso", writing: { display.iso(comment.date, into: &$0) })
            o.set("body", writing: { if !(comment.deleted && comment.body.isEmpty) { Markdown.writeHTML(comment.body, options: options, links: &links, into: &$0) } })
            o.set("recommends", int: comment.recommends)
            o.set("has_recommends", bool: comment.recommends > 0)
            o.set("deleted", bool: comment.deleted)
            o.set("has_body", bool: !comment.body.isEmpty)
            if let deletedAt = comment.deletedAt {
                o.set("deleted_at", writing: { display.dateTime(deletedAt, into: &$0) })
                o.set("deleted_at_iso", writing: { display.iso(deletedAt, into: &$0) })
            }
            o.set("depth", int: min(depth, Self.maxCommentDepth))
            o.set("is_reply", bool: comment.parentIndex != nil)
            if let p = comment.parentIndex {
                let parentPage = pagination.page(ofRow: thread.displayPosition[p])
                let prefix = parentPage == page ? "" : href(Pagination.folder(folder, page: parentPage))
                o.set("reply_to_author", string: comments[p].author)
                o.set("reply_to_anchor", string: anchor(p))
                o.set("reply_to_url", string: prefix + "#" + anchor(p))
            }
        }
    }
}
