import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// What a page written from untrusted board content may contain: the default theme's own markup
/// and the small HTML vocabulary cmark writes, nothing else.
///
/// A page is checked for
/// - elements that must never come from content (`script`, `iframe`, `object`, `embed`, `base`,
///   `form`, `svg`, `math`, `style`, …) and, stricter, any element or attribute outside the
///   theme's and cmark's vocabulary;
/// - event-handler attributes (`on…`) and `style=`;
/// - URL attributes whose scheme — after decoding references, dropping white space and
///   controls, folding case — is not http(s) or mailto (`javascript:`, `vbscript:`, `data:`, …);
/// - `<meta http-equiv>` other than the theme's Content-Security-Policy, and `<link>`s other than
///   the theme's own stylesheet, canonical, alternate feed and next/prev;
/// - exactly one CSP `<meta>`, the theme's, inside `<head>`;
/// - comments other than cmark's `<!-- raw HTML omitted -->`, bogus comments (`<!x`, `<?x`,
///   `</ x`) and doctypes other than the page's first `<!doctype html>`;
/// - a raw `<` in text (an escaping failure, even where it starts no tag).
struct MarkupSafety {
    /// What a page of this site may link to and which CSP it carries.
    struct Site {
        /// The `content` of the theme's CSP `<meta>`.
        var csp: String
        /// The path prefix every internal URL carries (`/mirror/`).
        var base: String
        /// The absolute URL the site is published at, if any.
        var baseURL: String?

        /// The CSP as `Themes/default/templates/base.mustache` writes it.
        static func defaultThemeCSP() -> String {
            let path = repositoryRoot + "/Themes/default/templates/base.mustache"
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            for tag in HTMLTokens(text).startTags where tag.name == "meta" {
                if tag.attributes.contains(where: { $0.name == "http-equiv" && $0.value.lowercased() == "content-security-policy" }) {
                    return tag.attributes.first { $0.name == "content" }?.value ?? ""
                }
            }
            return ""
        }
    }

    /// One thing wrong with a page.
    struct Problem: CustomStringConvertible, Equatable {
        var page: String
        var what: String
        /// The markup that carries the problem, shortened.
        var markup: String
        /// The problem comes from a character that escaping left raw because Swift's `Character`
        /// iteration glued it to a neighbouring scalar (a Prepend scalar before `<`, a combining
        /// mark after `"`): the known swift-mustache escaping issue.
        var glued: Bool

        var description: String { "\(page): \(what): \(markup)\(glued ? " [glued grapheme]" : "")" }
    }

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Never from content, whatever attributes they carry.
    static let forbiddenElements: Set<String> = [
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "style", "form",
        "input", "button", "textarea", "select", "keygen", "isindex", "marquee", "details", "video", "audio", "source",
        "bgsound", "xml", "xmp", "plaintext", "noscript", "noembed", "noframes", "template", "portal", "layer", "ilayer",
    ]

    /// Elements of the default theme and of cmark's HTML.
    static let allowedElements: Set<String> = [
        "html", "head", "meta", "title", "link", "body", "a", "header", "div", "nav", "ul", "ol", "li", "main", "footer",
        "p", "span", "h1", "h2", "h3", "h4", "h5", "h6", "time", "strong", "em", "code", "pre", "blockquote", "hr", "br",
        "img", "dl", "dt", "dd", "article", "section", "table", "thead", "tbody", "tr", "th", "td", "caption",
    ]

    /// Attributes of the default theme and of cmark's HTML (`aria-*` too).
    static let allowedAttributes: Set<String> = [
        "lang", "charset", "name", "content", "http-equiv", "rel", "href", "type", "title", "class", "id", "datetime",
        "scope", "colspan", "src", "alt", "start", "loading", "referrerpolicy", "role",
    ]

    /// The search controls of the default theme: forms that only go to `/search/`, their fields,
    /// and the search page's one script, `js/search.js`. Allowed in exactly these shapes; content
    /// cannot make them (cmark omits raw HTML).
    static func isThemeSearchControl(_ name: String, _ attributes: [HTMLTokens.Attribute], page: String, site: Site) -> Bool {
        let value = { (key: String) in attributes.first { $0.name == key }?.value }
        let allowed: Set<String>
        switch name {
        case "form":
            guard value("action") == site.base + "search/", value("method") == "get" else { return false }
            allowed = ["class", "id", "action", "method", "role", "data-base"]
        case "input":
            guard ["q", "from", "to"].contains(value("name") ?? ""), ["search", "date"].contains(value("type") ?? "") else { return false }
            allowed = ["class", "id", "type", "name", "placeholder", "autocomplete", "enterkeyhint"]
        case "select":
            guard value("name") == "board" else { return false }
            allowed = ["name", "class", "id"]
        case "option": allowed = ["value", "data-url"]
        case "label": allowed = ["class", "for"]
        case "button":
            guard value("type") == "submit" else { return false }
            allowed = ["class", "type"]
        case "script":
            guard isSearchPage(page), value("src") == site.base + "js/search.js" else { return false }
            allowed = ["src", "defer"]
        case "noscript": return isSearchPage(page) && attributes.isEmpty
        default: return false
        }
        return attributes.allSatisfy { allowed.contains($0.name) || $0.name.hasPrefix("aria-") }
    }

    /// The search page (`chunk N: search/index.html` where a test names pages so).
    static func isSearchPage(_ page: String) -> Bool { page == "search/index.html" || page.hasSuffix(": search/index.html") }

    static let forbiddenSchemes = ["javascript", "vbscript", "data"]
    static let allowedSchemes: Set<String> = ["http", "https", "mailto"]

    /// What a browser makes of a URL attribute's value, for its scheme: references are already
    /// decoded; white space and controls are dropped, case is folded.
    static func folded(_ url: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in url.unicodeScalars where scalar.value > 0x20 && !(0x7F...0x9F).contains(scalar.value) {
            kept.append(scalar)
        }
        return String(kept).lowercased()
    }

    /// The scheme of a folded URL, or `nil` when it is relative.
    static func scheme(of folded: String) -> String? {
        guard let colon = folded.firstIndex(of: ":") else { return nil }
        let head = folded[..<colon]
        if head.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return nil }
        return String(head)
    }

    /// Problems of a whole page.
    static func problems(inPage html: String, page: String, site: Site) -> [Problem] {
        let tokens = HTMLTokens(html)
        var found = problems(in: tokens, page: page, site: site, isPage: true)
        // The page's head: one doctype first, the theme's single CSP meta in <head>.
        var cspInHead = 0
        var cspElsewhere = 0
        var inHead = false
        var sawHead = false
        for (index, token) in tokens.tokens.enumerated() {
            switch token {
            case .doctype(let text):
                if index != 0 || text.lowercased() != "doctype html" {
                    found.append(problem(tokens, index, page, "unexpected doctype"))
                }
            case .start(let name, let attributes, _):
                if name == "head" {
                    inHead = true
                    sawHead = true
                } else if name == "body" {
                    inHead = false
                } else if name == "meta", attributes.contains(where: { $0.name == "http-equiv" && $0.value.lowercased() == "content-security-policy" }) {
                    if inHead { cspInHead += 1 } else { cspElsewhere += 1 }
                } else if inHead && !["meta", "title", "link"].contains(name) && !(name == "script" && isThemeSearchControl(name, attributes, page: page, site: site)) {
                    found.append(problem(tokens, index, page, "<\(name)> in <head>"))
                }
            case .end(let name):
                if name == "head" { inHead = false }
            default:
                break
            }
        }
        if !sawHead { found.append(Problem(page: page, what: "no <head>", markup: "", glued: false)) }
        if cspInHead != 1 || cspElsewhere != 0 {
            found.append(Problem(page: page, what: "\(cspInHead) CSP <meta> in <head>, \(cspElsewhere) elsewhere", markup: "", glued: false))
        }
        return found
    }

    /// Problems of an HTML fragment (a feed entry's content): what content may not carry, without
    /// the page-level rules.
    static func problems(inFragment html: String, page: String, site: Site) -> [Problem] {
        problems(in: HTMLTokens(html), page: page, site: site, isPage: false)
    }

    private static func problems(in tokens: HTMLTokens, page: String, site: Site, isPage: Bool) -> [Problem] {
        var found: [Problem] = []
        for (index, token) in tokens.tokens.enumerated() {
            switch token {
            case .start(let name, let attributes, _):
                func report(_ what: String) { found.append(problem(tokens, index, page, what)) }
                if isPage && isThemeSearchControl(name, attributes, page: page, site: site) {
                    // The script is a file: its element is empty.
                    let next = index + 1 < tokens.tokens.count ? tokens.tokens[index + 1] : nil
                    if name == "script" && next != .end(name: "script") { report("<script> with content") }
                    continue
                }
                if forbiddenElements.contains(name) {
                    report("<\(name)> element")
                } else if !allowedElements.contains(name) || (!isPage && ["html", "head", "meta", "title", "link", "body"].contains(name)) {
                    report("unexpected <\(name)> element")
                }
                for attribute in attributes {
                    if attribute.name.hasPrefix("on") {
                        report("event handler \(attribute.name)=")
                    } else if attribute.name == "style" || attribute.name == "srcdoc" || attribute.name == "formaction" {
                        report("\(attribute.name)= attribute")
                    } else if !allowedAttributes.contains(attribute.name) && !attribute.name.hasPrefix("aria-") {
                        report("unexpected attribute \(attribute.name)=")
                    }
                    if HTMLTokens.urlAttributes.contains(attribute.name) {
                        let candidates = attribute.name == "srcset"
                            ? attribute.value.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
                            : [attribute.value]
                        for url in candidates {
                            if let scheme = scheme(of: folded(url)) {
                                if forbiddenSchemes.contains(scheme) {
                                    report("\(scheme): URL in \(attribute.name)=")
                                } else if !allowedSchemes.contains(scheme) {
                                    report("unexpected scheme \(scheme): in \(attribute.name)=")
                                }
                            }
                        }
                    }
                }
                let value = { (key: String) in attributes.first { $0.name == key }?.value }
                if name == "meta", let equiv = value("http-equiv") {
                    if equiv.lowercased() != "content-security-policy" {
                        report("<meta http-equiv=\"\(equiv)\">")
                    } else if value("content") != site.csp {
                        report("CSP <meta> that is not the theme's")
                    }
                }
                if name == "meta", let metaName = value("name"), !["viewport", "referrer", "description", "color-scheme", "robots"].contains(metaName) {
                    report("<meta name=\"\(metaName)\">")
                }
                if name == "link" {
                    let rel = value("rel") ?? ""
                    let href = value("href") ?? ""
                    let isInternal = href.hasPrefix(site.base) || (site.baseURL.map { href.hasPrefix($0) } ?? false)
                    switch rel {
                    case "stylesheet" where href == site.base + "css/bulletin.css": break
                    case "alternate" where isInternal && value("type") == "application/atom+xml": break
                    case "canonical", "next", "prev": if !isInternal { report("<link rel=\(rel)> to \(href)") }
                    default: report("<link rel=\"\(rel)\"> that is not the theme's")
                    }
                }
            case .comment(let text):
                // cmark's safe mode leaves this note where raw HTML was.
                if text != " raw HTML omitted " || !tokens.source(of: index).hasSuffix("-->") || !tokens.source(of: index).hasPrefix("<!--") {
                    found.append(problem(tokens, index, page, "unexpected comment or markup declaration"))
                }
            case .doctype:
                if !isPage { found.append(problem(tokens, index, page, "doctype in a fragment")) }
            case .text:
                if tokens.source(of: index).unicodeScalars.contains("<") {
                    found.append(problem(tokens, index, page, "unescaped '<' in text"))
                }
            case .end:
                break
            }
        }
        return found
    }

    /// A problem at token `index`, with its markup and whether a glued grapheme explains it.
    private static func problem(_ tokens: HTMLTokens, _ index: Int, _ page: String, _ what: String) -> Problem {
        let span = tokens.spans[index]
        var markup = tokens.source(of: index)
        if markup.unicodeScalars.count > 160 { markup = String(String.UnicodeScalarView(markup.unicodeScalars.prefix(160))) + "…" }
        return Problem(page: page, what: what, markup: markup, glued: isGlued(tokens.scalars, span))
    }

    /// The five characters HTML escaping must replace.
    static let special: Set<Unicode.Scalar> = ["<", ">", "&", "\"", "'"]

    /// Whether the markup at `span` started or broke out of an attribute through one of the five
    /// special characters that a `Character`-wise escaper misses: the `<` that opens it is one
    /// grapheme with the scalar before it, or a quote inside it is one grapheme with the scalar
    /// after it. Also true for a raw `<` in text that is glued to its neighbour.
    static func isGlued(_ s: [Unicode.Scalar], _ span: Range<Int>) -> Bool {
        func joined(_ a: Int, _ b: Int) -> Bool {
            guard a >= 0, b < s.count else { return false }
            var pair = String.UnicodeScalarView()
            pair.append(s[a])
            pair.append(s[b])
            return String(pair).count == 1
        }
        for k in span where special.contains(s[k]) {
            if joined(k - 1, k) || joined(k, k + 1) { return true }
        }
        return false
    }

    /// Whether a payload holds one of the five special characters inside a multi-scalar
    /// `Character`, which a `Character`-wise escaper leaves raw.
    static func hasGluedSpecial(_ text: String) -> Bool {
        text.contains { $0.unicodeScalars.count > 1 && $0.unicodeScalars.contains(where: special.contains) }
    }
}

/// Checks of an Atom feed or a sitemap written from untrusted content.
enum FeedSafety {
    static let atomElements: Set<String> = [
        "feed", "title", "subtitle", "link", "id", "updated", "published", "generator", "entry", "author", "name", "category",
        "content", "summary",
    ]
    static let sitemapElements: Set<String> = ["urlset", "url", "loc", "lastmod", "sitemapindex", "sitemap"]

    /// Problems of one feed: not well-formed, an element outside Atom's vocabulary (a raw
    /// `<script>` would be one), a `title` marked as HTML, or unsafe HTML in a `content`.
    static func problems(inFeed data: Data, path: String, site: MarkupSafety.Site) -> (problems: [MarkupSafety.Problem], xml: XMLCheck) {
        let xml = XMLCheck(data, collect: ["content", "title", "name"])
        var found: [MarkupSafety.Problem] = []
        func report(_ what: String, _ markup: String = "") {
            found.append(MarkupSafety.Problem(page: path, what: what, markup: markup, glued: false))
        }
        if !xml.wellFormed { report("not well-formed XML", xml.error ?? "") }
        for element in Set(xml.elements) where !atomElements.contains(element) { report("<\(element)> element in the feed") }
        for (element, attributes) in xml.attributes {
            for (name, value) in attributes {
                if name.lowercased().hasPrefix("on") { report("\(name)= on <\(element)>") }
                if name == "href" || name == "src" || name == "xml:base" {
                    if let scheme = MarkupSafety.scheme(of: MarkupSafety.folded(value)), !MarkupSafety.allowedSchemes.contains(scheme) {
                        report("\(scheme): URL on <\(element) \(name)>", value)
                    }
                }
            }
            if element == "title" || element == "name", let type = attributes["type"], type != "text" {
                report("<\(element) type=\"\(type)\">: its text would be read as markup")
            }
            if element == "content", attributes["type"] != "html" {
                report("<content> without type=\"html\"")
            }
        }
        for content in xml.texts(of: "content") {
            found += MarkupSafety.problems(inFragment: content, page: path + " <content>", site: site)
        }
        return (found, xml)
    }

    /// Problems of a sitemap: not well-formed, other elements, a `loc` that is not an absolute URL
    /// below the site, or that holds characters a URL may not.
    static func problems(inSitemap data: Data, path: String, baseURL: String) -> [MarkupSafety.Problem] {
        let xml = XMLCheck(data, collect: ["loc"])
        var found: [MarkupSafety.Problem] = []
        func report(_ what: String, _ markup: String = "") {
            found.append(MarkupSafety.Problem(page: path, what: what, markup: markup, glued: false))
        }
        if !xml.wellFormed { report("not well-formed XML", xml.error ?? "") }
        for element in Set(xml.elements) where !sitemapElements.contains(element) { report("<\(element)> element in the sitemap") }
        for loc in xml.texts(of: "loc") {
            if !loc.hasPrefix(baseURL) || loc.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F || "<>\"'`{}|\\^".unicodeScalars.contains($0) }) {
                report("<loc> \(loc)")
            }
        }
        return found
    }
}
