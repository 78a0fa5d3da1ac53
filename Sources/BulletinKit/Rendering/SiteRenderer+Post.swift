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

    func postContext(_ ref: PostRef, commentPage: Int, extra: inout Rendered) -> TemplateObject {
        let board = site.boards[ref.board]
        let post = fullPost(ref)
        var links = links(for: post)
        let body = Markdown.html(post.body, options: Markdown.Options(unsafeHTML: site.config.unsafeHTML), links: &links)

        let chronological = index.boards[ref.board].chronological
        let position = index.chronologicalPosition[ref.board][ref.post]
        func neighbour(_ i: Int) -> TemplateValue? {
            guard chronological.indices.contains(i) else { return nil }
            let other = board.posts[chronological[i].post]
            return .object(["url": .string(base + board.slug + "/" + other.id + "/"), "title": .string(other.title)])
        }
        let listingPage = index.listingPage[ref.board][ref.post]
        let tagValues: [TemplateValue] = index.postTagSlugs[ref.board][ref.post].map { t in
            .object(["name": .string(index.tags[t].name), "url": .string(href("tags/" + index.tags[t].slug + "/"))])
        }
        var object: TemplateObject = [
            "board": boardContext(ref.board), "id": .string(post.id), "title": .string(post.title), "author": .string(post.author),
            "date": .string(display.dateTime(post.date)), "date_iso": .string(display.iso(post.date)),
            "updated": .string(display.dateTime(post.updated)), "updated_iso": .string(display.iso(post.updated)),
            "has_updated": .bool(post.updated != post.date), "views": .int(post.views), "recommends": .int(post.recommends),
            "comment_count": .int(post.commentCount), "comments_loaded": .int(post.comments.count),
            "comments_missing": .bool(post.commentCount > post.comments.count), "tags": .list(tagValues),
            "has_tags": .bool(!tagValues.isEmpty), "body": .string(body), "notice": .bool(post.notice), "deleted": .bool(post.deleted),
            "params": .list(post.params.map { .object(["key": .string($0.key), "value": .string($0.value)]) }),
            "has_params": .bool(!post.params.isEmpty),
            "listing_url": .string(href(Pagination.folder(board.slug + "/", page: listingPage))), "listing_page": .int(listingPage),
        ]
        if let source = post.source { object["source"] = .string(source) }
        if let captured = post.captured {
            object["captured"] = .string(display.dateTime(captured))
            object["captured_iso"] = .string(display.iso(captured))
        }
        if let prev = neighbour(position - 1) { object["prev"] = prev }
        if let next = neighbour(position + 1) { object["next"] = next }

        let folder = board.slug + "/" + post.id + "/"
        object["url"] = .string(href(folder))
        object["show_body"] = .bool(commentPage == 1)
        object["comment_page"] = .int(commentPage)
        let comments = threadContext(ref, post.comments, page: commentPage, folder: folder, links: &links)
        extra.attachments = links.attachments
        extra.diagnostics = links.diagnostics
        extra.linkTargets = links.lookedUp
        let pagination = Pagination(total: post.comments.count, perPage: site.config.commentsPerPage)
        return [
            "post": .object(object), "comments": .list(comments), "has_comments": .bool(!comments.isEmpty),
            "comment_pages": .object(["pager": pagerContext(pagination, current: commentPage, folder: folder)]),
        ]
    }

    /// The comments in thread order: each followed by its replies, depth-first, without recursion.
    /// Gives each comment's index in `comments` and its nesting depth.
    static func threadOrder(_ comments: [Comment]) -> [(index: Int, depth: Int)] {
        var children: [String: [Int]] = [:]
        var roots: [Int] = []
        for (i, comment) in comments.enumerated() {
            if let parent = comment.replyTo {
                children[parent, default: []].append(i)
            } else {
                roots.append(i)
            }
        }
        var order: [(index: Int, depth: Int)] = []
        order.reserveCapacity(comments.count)
        var stack: [(index: Int, depth: Int)] = roots.reversed().map { ($0, 0) }
        while let (i, depth) = stack.popLast() {
            order.append((i, depth))
            for child in (children[comments[i].id] ?? []).reversed() { stack.append((child, depth + 1)) }
        }
        return order
    }

    /// A post's thread in display order, with the lookups that replies need.
    struct Thread: Sendable {
        /// Index in `post.comments` and depth of each comment, in display order.
        var order: [(index: Int, depth: Int)]
        /// Display position of each comment, by index in `post.comments`.
        var displayPosition: [Int]
        /// Index in `post.comments` by comment id.
        var indexOfID: [String: Int]

        init(_ comments: [Comment]) {
            order = SiteRenderer.threadOrder(comments)
            displayPosition = Array(repeating: 0, count: comments.count)
            for (k, entry) in order.enumerated() { displayPosition[entry.index] = k }
            indexOfID = [:]
            for (i, comment) in comments.enumerated() { indexOfID[comment.id] = i }
        }
    }

    /// One page of a post's comment thread; replies link to their parent, on whichever page it is.
    func threadContext(_ ref: PostRef, _ comments: [Comment], page: Int, folder: String, links: inout ContentLinks) -> [TemplateValue] {
        // Threads longer than a page are ordered once, in init, not once per page.
        let thread = longThreads[ref] ?? Thread(comments)
        let pagination = Pagination(total: thread.order.count, perPage: site.config.commentsPerPage)
        func anchor(_ i: Int) -> String {
            // A valid id never starts with '_', so the fallback cannot collide with one.
            PathRules.isValidID(comments[i].id) ? "c-" + comments[i].id : "c-_" + String(i + 1)
        }
        let options = Markdown.Options(hardBreaks: true, unsafeHTML: site.config.unsafeHTML)
        return thread.order[pagination.rows(ofPage: page)].map { i, depth in
            let comment = comments[i]
            var object: TemplateObject = [
                "id": .string(comment.id), "anchor": .string(anchor(i)), "author": .string(comment.author),
                "date": .string(display.dateTime(comment.date)), "date_iso": .string(display.iso(comment.date)),
                "body": .string(comment.deleted && comment.body.isEmpty ? "" : Markdown.html(comment.body, options: options, links: &links)),
                "recommends": .int(comment.recommends), "has_recommends": .bool(comment.recommends > 0), "deleted": .bool(comment.deleted),
                "depth": .int(min(depth, Self.maxCommentDepth)), "is_reply": .bool(comment.replyTo != nil),
            ]
            if let parent = comment.replyTo, let p = thread.indexOfID[parent] {
                let parentPage = pagination.page(ofRow: thread.displayPosition[p])
                let prefix = parentPage == page ? "" : href(Pagination.folder(folder, page: parentPage))
                object["reply_to_author"] = .string(comments[p].author)
                object["reply_to_anchor"] = .string(anchor(p))
                object["reply_to_url"] = .string(prefix + "#" + anchor(p))
            }
            return .object(object)
        }
    }
}
