import Foundation

/// Follows the links of a written site on disk: every internal `href`/`src` must name a written
/// file, every `#fragment` an element of its page, and every page must be reachable from the home
/// page through `<a href>` links.
struct LinkCheck {
    /// The path prefix every internal URL carries (`/mirror/`).
    let base: String
    /// The absolute URL the site is published at (`https://example.org/mirror/`), if any.
    let baseURL: String?
    let tree: OutputTree

    /// Links that point nowhere, as "page: url (why)".
    private(set) var broken: [String] = []
    /// URLs that are neither internal nor http(s)/mailto.
    private(set) var foreign: [String] = []
    /// Written HTML pages (but `404.html`) that no chain of links from `index.html` reaches.
    private(set) var unreachable: [String] = []
    /// Internal links followed, in all.
    private(set) var linksChecked = 0

    init(tree: OutputTree, base: String, baseURL: String? = nil) {
        self.tree = tree
        self.base = base
        self.baseURL = baseURL
        run()
    }

    /// The file an internal URL names, relative to the output; `nil` when the URL is not internal.
    func target(of url: String) -> String? {
        var path = url
        if let cut = path.firstIndex(where: { $0 == "#" || $0 == "?" }) { path = String(path[..<cut]) }
        if let baseURL, path.hasPrefix(baseURL) {
            path = base + path.dropFirst(baseURL.count)
        }
        guard path.hasPrefix(base) else { return nil }
        var relative = String(path.dropFirst(base.count))
        relative = relative.removingPercentEncoding ?? relative
        if relative.isEmpty || relative.hasSuffix("/") { return relative + "index.html" }
        if tree.entries[relative] == .folder { return relative + "/index.html" }
        return relative
    }

    private mutating func run() {
        let pages = tree.files.filter { $0.hasSuffix(".html") }
        var links: [String: [String]] = [:]
        for page in pages {
            let tokens = HTMLTokens(tree.text(page) ?? "")
            var ids = Set<String>()
            for tag in tokens.startTags {
                for attribute in tag.attributes where attribute.name == "id" { ids.insert(attribute.value) }
            }
            var targets: [String] = []
            for (tag, _, url) in tokens.urls {
                if url.hasPrefix("#") {
                    let fragment = String(url.dropFirst())
                    if !fragment.isEmpty && !ids.contains(fragment) { broken.append("\(page): \(url) (no element with this id)") }
                    continue
                }
                if let file = target(of: url) {
                    linksChecked += 1
                    if tree.isFile(file) {
                        // Only what a reader can click counts for reachability, not `<link rel=next>`.
                        if tag == "a" || tag == "form" { targets.append(file) }
                    } else {
                        broken.append("\(page): \(url) (no file \(file))")
                    }
                } else if !(url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("mailto:")) {
                    foreign.append("\(page): \(url)")
                }
            }
            links[page] = targets
        }
        var reached: Set<String> = ["index.html"]
        var queue = ["index.html"]
        while let page = queue.popLast() {
            for next in links[page] ?? [] where next.hasSuffix(".html") && !reached.contains(next) {
                reached.insert(next)
                queue.append(next)
            }
        }
        unreachable = pages.filter { $0 != "404.html" && !reached.contains($0) }
    }
}
