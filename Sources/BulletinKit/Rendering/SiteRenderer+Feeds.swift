extension SiteRenderer {
    /// Entries per Atom feed.
    public static let feedLength = 50
    /// URLs per sitemap file, the protocol's limit.
    public static let sitemapLimit = 50_000

    /// Atom feeds: the site's and each board's, newest posts by posting time. Paths relative to the output.
    public func feeds() -> [(path: String, text: String)] {
        feedList().map { ($0.path, atom(title: $0.title, folder: $0.folder, refs: $0.refs)) }
    }

    /// What each feed holds: its path, title, the folder it is the feed of, and its posts.
    func feedList() -> [(path: String, title: String, folder: String, refs: [PostRef])] {
        var feeds = [("feed.xml", site.config.title, "", Array(index.newest.prefix(Self.feedLength)))]
        for (b, board) in site.boards.enumerated() {
            feeds.append((board.slug + "/feed.xml", board.title + " - " + site.config.title, board.slug + "/", index.boards[b].chronological.suffix(Self.feedLength).reversed()))
        }
        return feeds
    }

    func atom(title: String, folder: String, refs: [PostRef]) -> String {
        let newest = refs.map { site.boards[$0.board].posts[$0.post].updated }.max() ?? Timestamp(seconds: 0)
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"\(Escape.xml(site.config.language))\">\n"
        out += "  <title>\(Escape.xml(title))</title>\n"
        out += "  <link rel=\"self\" href=\"\(Escape.xml(absolute(folder + "feed.xml")))\"/>\n"
        out += "  <link rel=\"alternate\" type=\"text/html\" href=\"\(Escape.xml(absolute(folder)))\"/>\n"
        out += "  <id>\(Escape.xml(atomID(folder)))</id>\n"
        out += "  <updated>\(display.iso(newest))</updated>\n"
        out += "  <generator>Bulletin</generator>\n"
        for ref in refs {
            let board = site.boards[ref.board]
            let post = fullPost(ref)
            let postFolder = board.slug + "/" + post.id + "/"
            var links = links(for: post)
            let body = Markdown.html(post.body, options: Markdown.Options(unsafeHTML: site.config.unsafeHTML), links: &links)
            out += "  <entry>\n"
            out += "    <title>\(Escape.xml(post.title))</title>\n"
            out += "    <link rel=\"alternate\" type=\"text/html\" href=\"\(Escape.xml(absolute(postFolder)))\"/>\n"
            out += "    <id>\(Escape.xml(atomID(postFolder)))</id>\n"
            out += "    <published>\(display.iso(post.date))</published>\n"
            out += "    <updated>\(display.iso(post.updated))</updated>\n"
            out += "    <author><name>\(Escape.xml(post.author))</name></author>\n"
            for t in index.postTagSlugs[ref.board][ref.post] { out += "    <category term=\"\(Escape.xml(index.tags[t].name))\"/>\n" }
            // Links in bodies are root-relative; xml:base lets feed readers resolve them.
            let xmlBase = site.config.hasAbsoluteBaseURL ? " xml:base=\"\(Escape.xml(site.config.baseURL))\"" : ""
            out += "    <content type=\"html\"\(xmlBase)>\(Escape.xml(body))</content>\n"
            out += "  </entry>\n"
        }
        out += "</feed>\n"
        return out
    }

    /// An Atom id: the absolute URL when there is one, else a stable URN.
    func atomID(_ folder: String) -> String {
        site.config.hasAbsoluteBaseURL ? absolute(folder) : "urn:bulletin:" + URLSafety.encodePath(folder)
    }

    /// `sitemap.xml` (an index of `sitemap-N.xml` files past `limit` URLs) for these pages.
    public func sitemaps(_ pages: [PageSpec], limit: Int = sitemapLimit) -> [(path: String, text: String)] {
        sitemaps(entries: pages.compactMap(sitemapEntry), limit: limit)
    }

    /// A page's `<url>` line of the sitemap; nil for the 404 page.
    func sitemapEntry(_ page: PageSpec) -> String? {
        if page == .notFound || page == .search { return nil }
        var entry = "  <url><loc>\(Escape.xml(absolute(folder(page))))</loc>"
        if case .post(let ref) = page {
            entry += "<lastmod>\(display.iso(site.boards[ref.board].posts[ref.post].updated))</lastmod>"
        }
        return entry + "</url>\n"
    }

    /// The sitemap files of these `<url>` lines.
    func sitemaps(entries: [String], limit: Int = sitemapLimit) -> [(path: String, text: String)] {
        func urlset(_ slice: ArraySlice<String>) -> String {
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                + slice.joined() + "</urlset>\n"
        }
        if entries.count <= limit { return [("sitemap.xml", urlset(entries[...]))] }
        var files: [(String, String)] = []
        var index = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        var start = 0
        while start < entries.count {
            let name = "sitemap-\(files.count + 1).xml"
            files.append((name, urlset(entries[start..<min(entries.count, start + limit)])))
            index += "  <sitemap><loc>\(Escape.xml(absolute(name)))</loc></sitemap>\n"
            start += limit
        }
        index += "</sitemapindex>\n"
        return [("sitemap.xml", index)] + files
    }

    public func robots() -> String {
        var text = "User-agent: *\nAllow: /\n"
        if site.config.hasAbsoluteBaseURL { text += "Sitemap: \(absolute("sitemap.xml"))\n" }
        return text
    }
}
