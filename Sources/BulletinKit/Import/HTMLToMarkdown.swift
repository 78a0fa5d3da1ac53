import CLibXML2

/// What a scraper saw of a post or comment body, as HTML, turned into CommonMark that `Markdown`
/// renders to the same structure and the same text, and never to more.
///
/// libxml2's HTML parser reads the HTML the way browsers do (unclosed and stray tags, entities,
/// implied paragraphs); the tree is then walked once. Kept: paragraphs, `<br>`, links, images,
/// lists, block quotes, bold, italic, headings, `<pre>` and `<code>`. Script-like elements and
/// forms go with their content; no attribute but `href`, `src` and `alt` is ever read, so event
/// handlers and styles cannot come through; links and images are kept only for http(s), mailto
/// (links) and relative URLs. Text is escaped so that none of it becomes Markdown.
enum HTMLToMarkdown {
    /// Markdown for `html` (NFC input): blocks separated by one blank line, `<br>` as a backslash
    /// hard break, a single newline at the end; empty for HTML that shows nothing.
    static func convert(_ html: String) -> String {
        guard !html.isEmpty, let document = parse(html) else { return "" }
        defer { bulletin_html_free(document) }
        var writer = BlockWriter()
        appendNodes(from: HTMLNode(bulletin_html_document_children(document)), to: &writer, depth: 0)
        let lines = joinedLines(writer.finish(), tight: false)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    // MARK: Parsing

    /// Why libxml2 cannot be used (it is loaded on first use, ``bulletin_html_load``), or nil
    /// when it can: a capture with `body_html` needs it.
    static var unavailable: String? { bulletin_html_load().map { String(cString: $0) } }

    /// The parsed document, read as UTF-8 whatever a `<meta charset>` in it says (the scraper
    /// has already decoded the page); no error output (broken HTML is the normal case here), no
    /// network.
    private static func parse(_ html: String) -> OpaquePointer? {
        var html = html
        return html.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let count = Int32(exactly: bytes.count) else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { bulletin_html_parse($0, count) }
        }
    }

    // MARK: Elements

    /// Element depth past which only text is taken, without recursion: libxml2 stops near 256
    /// levels, and a converter running on a worker thread's small stack should stop sooner.
    static let maxDepth = 100
    /// Lists and quotes inside one another past which further ones are read as plain blocks.
    static let maxNesting = 16
    /// Bold or italic pairs CommonMark would misread that are dropped one at a time in a
    /// paragraph (each time reading it again) before all of its bold and italic go.
    static let maxRereads = 64

    /// What an element becomes.
    private enum Kind: Equatable {
        /// Gone with its content.
        case dropped
        case lineBreak, image, link, strong, emphasis, code, preformatted, quote
        case heading(Int)
        case list(ordered: Bool)
        /// A table cell: its text, apart from its neighbours'.
        case cell
        /// Unknown block-level: its content, as paragraphs of its own.
        case block
        /// Unknown inline (`span`, `font`…): its content.
        case inline
        /// An element that is always empty in HTML (`<embed>`, `<wbr>`…): nothing of its own.
        /// libxml2 does not know some of them as empty and nests in them what followed them,
        /// so their children are walked as if they were siblings.
        case void

        init(name: String) {
            switch name {
            case "br": self = .lineBreak
            case "img": self = .image
            case "a": self = .link
            case "b", "strong": self = .strong
            case "i", "em": self = .emphasis
            case "code", "kbd", "samp", "tt": self = .code
            case "pre", "listing", "xmp", "plaintext": self = .preformatted
            case "blockquote": self = .quote
            case "ul", "menu", "dir": self = .list(ordered: false)
            case "ol": self = .list(ordered: true)
            case "td", "th": self = .cell
            case "h1", "h2", "h3", "h4", "h5", "h6": self = .heading(Int(name.utf8.last! - UInt8(ascii: "0")))
            default:
                if HTMLToMarkdown.voidElements.contains(name) {
                    self = .void
                } else if HTMLToMarkdown.droppedElements.contains(name) {
                    self = .dropped
                } else if HTMLToMarkdown.blockElements.contains(name) {
                    self = .block
                } else {
                    self = .inline
                }
            }
        }
    }

    /// Elements whose content is code, a plug-in, a form, metadata or a fallback for one of
    /// those: none of it is the post's text.
    static let droppedElements: Set<String> = [
        "script", "style", "iframe", "object", "applet", "form", "button", "select", "option", "optgroup", "datalist",
        "textarea", "svg", "math", "template", "noscript", "noembed", "noframes", "frame", "frameset", "title", "audio",
        "video", "canvas",
    ]

    /// HTML's void elements other than `<br>` and `<img>` (`<embed>` and `<input>` among them:
    /// they have no content to drop).
    static let voidElements: Set<String> = [
        "area", "base", "col", "embed", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]

    /// Elements a browser lays out as blocks: each starts and ends a paragraph.
    static let blockElements: Set<String> = [
        "html", "head", "body", "p", "div", "section", "article", "header", "footer", "nav", "aside", "main",
        "address", "center", "figure", "figcaption", "details", "summary", "dialog", "fieldset", "legend", "hgroup",
        "dl", "dt", "dd", "li", "hr", "table", "caption", "thead", "tbody", "tfoot", "tr", "marquee",
    ]

    /// `node` and its following siblings.
    private static func appendNodes(from first: HTMLNode?, to writer: inout BlockWriter, depth: Int) {
        var node = first
        while let current = node {
            append(current, to: &writer, depth: depth)
            node = current.next
        }
    }

    /// Text and elements; comments, and the raw text the parser keeps for `<script>` and
    /// `<style>`, are other node types and are skipped.
    private static func append(_ node: HTMLNode, to writer: inout BlockWriter, depth: Int) {
        if node.isText {
            if let content = node.content { writer.run.text(String(cString: content)) }
        } else if node.isElement {
            appendElement(node, to: &writer, depth: depth + 1)
        }
    }

    private static func appendElement(_ node: HTMLNode, to writer: inout BlockWriter, depth: Int) {
        let kind = Kind(name: name(of: node))
        if kind == .dropped { return }
        if depth > maxDepth {
            appendText(below: node, to: &writer.run)
            return
        }
        let children = node.children
        switch kind {
        case .dropped:
            return
        case .lineBreak:
            writer.run.lineBreak()
        case .image:
            appendImage(node, to: &writer.run)
        case .link:
            appendLink(node, to: &writer, depth: depth)
        case .strong:
            appendStyled(.strong, children, to: &writer, depth: depth)
        case .emphasis:
            appendStyled(.emphasis, children, to: &writer, depth: depth)
        case .code:
            writer.run.code(text(below: node, lineBreak: " "))
        case .preformatted:
            writer.endParagraph()
            if let block = codeBlock(text(below: node, lineBreak: "\n")) { writer.blocks.append(block) }
        case .heading(let level):
            appendHeading(level, children, to: &writer, depth: depth)
        case .quote where writer.nesting < maxNesting:
            appendQuote(children, to: &writer, depth: depth)
        case .list(let ordered) where writer.nesting < maxNesting:
            appendList(ordered: ordered, children, to: &writer, depth: depth)
        case .cell:
            writer.run.space()
            appendNodes(from: children, to: &writer, depth: depth)
            writer.run.space()
        case .block, .quote, .list:
            writer.endParagraph()
            appendNodes(from: children, to: &writer, depth: depth)
            writer.endParagraph()
        case .inline, .void:
            appendNodes(from: children, to: &writer, depth: depth)
        }
    }

    /// Bold or italic around the content, unless already inside it (`**a**b****` is not bold
    /// twice in Markdown).
    private static func appendStyled(_ style: Style, _ children: HTMLNode?, to writer: inout BlockWriter, depth: Int) {
        let isNew = !writer.run.open.contains(style)
        if isNew { writer.run.begin(style) }
        appendNodes(from: children, to: &writer, depth: depth)
        if isNew { writer.run.end(style) }
    }

    /// A link to an allowed URL; otherwise, or inside another link (Markdown has no nested
    /// links), only its content.
    private static func appendLink(_ node: HTMLNode, to writer: inout BlockWriter, depth: Int) {
        guard !writer.run.isInsideLink, let href = attribute("href", of: node), let destination = destination(href, isImage: false) else {
            appendNodes(from: node.children, to: &writer, depth: depth)
            return
        }
        writer.run.begin(.link(destination))
        appendNodes(from: node.children, to: &writer, depth: depth)
        writer.run.end(.link(destination))
    }

    /// An image from an allowed URL; otherwise its alternative text, as a browser shows for an
    /// image it cannot load.
    private static func appendImage(_ node: HTMLNode, to run: inout InlineRun) {
        let alt = attribute("alt", of: node) ?? ""
        if let src = attribute("src", of: node), let destination = destination(src, isImage: true) {
            run.image(alt: alt, destination: destination)
        } else {
            run.text(alt)
        }
    }

    /// Each paragraph of the heading's content as a heading line (`<br>` is a space: an ATX
    /// heading is one line); lists or quotes inside stay what they are.
    private static func appendHeading(_ level: Int, _ children: HTMLNode?, to writer: inout BlockWriter, depth: Int) {
        var inner = writer.nested(singleLine: true)
        appendNodes(from: children, to: &inner, depth: depth)
        writer.endParagraph()
        let marker = String(repeating: "#", count: level) + " "
        for block in inner.finish() {
            if case .paragraph(let lines) = block {
                writer.blocks.append(.other(lines.map { marker + $0 }))
            } else {
                writer.blocks.append(block)
            }
        }
    }

    private static func appendQuote(_ children: HTMLNode?, to writer: inout BlockWriter, depth: Int) {
        var inner = writer.nested(container: true)
        appendNodes(from: children, to: &inner, depth: depth)
        writer.endParagraph()
        let lines = joinedLines(inner.finish(), tight: false)
        if !lines.isEmpty { writer.blocks.append(.other(lines.map { $0.isEmpty ? ">" : "> " + $0 })) }
    }

    /// The list's items; content directly in the list, outside any `<li>` (which browsers show
    /// too), makes an item of each run of it. Empty items are dropped.
    private static func appendList(ordered: Bool, _ children: HTMLNode?, to writer: inout BlockWriter, depth: Int) {
        var items: [[String]] = []
        var stray: BlockWriter?
        func add(_ item: inout BlockWriter) {
            let lines = joinedLines(item.finish(), tight: true)
            if !lines.isEmpty { items.append(lines) }
        }
        var node = children
        while let current = node {
            if current.isElement && name(of: current) == "li" {
                if var previous = stray { add(&previous) }
                stray = nil
                var item = writer.nested(container: true)
                appendNodes(from: current.children, to: &item, depth: depth + 1)
                add(&item)
            } else {
                var item = stray ?? writer.nested(container: true)
                append(current, to: &item, depth: depth)
                stray = item
            }
            node = current.next
        }
        if var previous = stray { add(&previous) }
        writer.endParagraph()
        if !items.isEmpty { writer.blocks.append(.list(ordered: ordered, items: items)) }
    }

    /// The text of everything below `node` that is not dropped, walked without recursion, with
    /// `<br>` as `lineBreak`: the content of `<pre>` and `<code>`, whose markup Markdown cannot
    /// hold.
    private static func text(below node: HTMLNode, lineBreak: String) -> String {
        var collected = ""
        walk(below: node) { descendant in
            if descendant.isText, let content = descendant.content {
                collected += String(cString: content)
            } else if descendant.isElement && name(of: descendant) == "br" {
                collected += lineBreak
            }
        }
        return collected
    }

    /// Below `maxDepth`: the text and line breaks, without structure.
    private static func appendText(below node: HTMLNode, to run: inout InlineRun) {
        walk(below: node) { descendant in
            if descendant.isText, let content = descendant.content {
                run.text(String(cString: content))
            } else if descendant.isElement && name(of: descendant) == "br" {
                run.lineBreak()
            }
        }
    }

    /// Calls `visit` for each node below `root` in document order, not entering dropped
    /// elements, with a loop over the parent links instead of recursion.
    private static func walk(below root: HTMLNode, _ visit: (HTMLNode) -> Void) {
        var node = root.children
        while let current = node {
            let enters = current.isElement && Kind(name: name(of: current)) != .dropped
            if enters || !current.isElement { visit(current) }
            if enters, let child = current.children {
                node = child
                continue
            }
            // The next sibling of this node or of the nearest ancestor below `root` that has one.
            node = nil
            var climbing: HTMLNode? = current
            while let step = climbing, step != root {
                if let sibling = step.next {
                    node = sibling
                    break
                }
                climbing = step.parent
            }
        }
    }

    /// The lowercased name of an element (the parser lowercases HTML names already; a name it
    /// does not know is kept as written).
    private static func name(of node: HTMLNode) -> String {
        guard let name = node.name else { return "" }
        return String(cString: name).lowercased()
    }

    /// The decoded value of one attribute, read from the element's attribute list (no copy
    /// for libxml2 to free).
    private static func attribute(_ wanted: String, of node: HTMLNode) -> String? {
        var attribute = node.attributes
        while let current = attribute {
            if let name = current.name, String(cString: name).lowercased() == wanted {
                var value = ""
                var child = current.children
                while let text = child {
                    if let content = text.content { value += String(cString: content) }
                    child = text.next
                }
                return value
            }
            attribute = current.next
        }
        return nil
    }

    // MARK: URLs

    /// The Markdown link destination for an `href` or `src`, or `nil` when it may not be
    /// kept: only http(s), mailto (not for images) and relative URLs are. The URL is trimmed of
    /// white space and controls first, as browsers do; a scheme is compared case-folded, and one
    /// with a control or white space inside (`java\tscript:`) is refused, as `URLSafety` does for
    /// Markdown links.
    static func destination(_ url: String, isImage: Bool) -> String? {
        let scalars = url.unicodeScalars
        let isPadding = { (scalar: Unicode.Scalar) in scalar.value <= 0x20 || scalar.value == 0x7F || scalar.properties.isWhitespace }
        guard let first = scalars.firstIndex(where: { !isPadding($0) }), let last = scalars.lastIndex(where: { !isPadding($0) }) else {
            return nil
        }
        let trimmed = String(scalars[first...last])
        if let scheme = URLSafety.scheme(of: trimmed) {
            guard URLSafety.isSafeAbsolute(trimmed), !(isImage && scheme == "mailto") else { return nil }
        }
        return markdownDestination(trimmed)
    }

    /// A URL written as a Markdown destination: spaces and controls percent-encoded (a
    /// destination ends at a space), and the characters that are Markdown inside one (`\`,
    /// parentheses, `<` `>`, `&` of an entity) escaped.
    private static func markdownDestination(_ url: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in url.unicodeScalars {
            if scalar.value <= 0x20 || scalar.value == 0x7F {
                out.append(contentsOf: "%\(hexDigit(scalar.value >> 4))\(hexDigit(scalar.value & 0xF))".unicodeScalars)
            } else {
                if "\\()<>&`".unicodeScalars.contains(scalar) { out.append("\\") }
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func hexDigit(_ value: UInt32) -> Character {
        Character(Unicode.Scalar(UInt8(value < 10 ? 48 + value : 55 + value)))
    }

    // MARK: Code

    /// `<pre>` as a fenced code block, with its lines as written except: a newline right
    /// after `<pre>` is dropped (browsers do), spaces at line ends and blank lines at the end
    /// go, and blank lines in a row become one (the output never has two).
    private static func codeBlock(_ text: String) -> Block? {
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var previous: Unicode.Scalar = "\0"
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            switch scalar.value {
            case 10 where previous == "\r":
                continue
            case 10, 13:
                lines.append(String(line))
                line = String.UnicodeScalarView()
            case 9:
                line.append(scalar)
            case 0..<32, 127:
                continue
            default:
                line.append(scalar)
            }
        }
        lines.append(String(line))
        if lines.count > 1 && lines[0].isEmpty { lines.removeFirst() }
        var kept: [String] = []
        for line in lines.map(trimmingTrailingSpaces) where !(line.isEmpty && (kept.last?.isEmpty ?? true)) {
            kept.append(line)
        }
        while kept.last?.isEmpty == true { kept.removeLast() }
        guard !kept.isEmpty else { return nil }
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(in: text) + 1))
        return .other([fence] + kept + [fence])
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var scalars = line.unicodeScalars
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    static func longestBacktickRun(in text: String) -> Int {
        var longest = 0
        var run = 0
        for scalar in text.unicodeScalars {
            run = scalar == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    // MARK: Blocks

    /// A finished block, without the prefixes of the quotes and lists around it.
    fileprivate enum Block {
        case paragraph([String])
        /// Each item's lines, without its marker.
        case list(ordered: Bool, items: [[String]])
        /// A heading, code block or quote.
        case other([String])
    }

    /// Blocks one after the other with a blank line between. In a list item (`tight`) a list
    /// follows a paragraph directly, so that `<li>a<ul>…</ul></li>` stays a tight list. A list
    /// right after another of the same kind takes the other marker (`-`/`*`, `.`/`)`), which
    /// is what keeps Markdown from joining them.
    private static func joinedLines(_ blocks: [Block], tight: Bool) -> [String] {
        var lines: [String] = []
        var previous: Block?
        var alternate = false
        for block in blocks {
            switch block {
            case .list(let ordered, let items):
                if case .list(let previousOrdered, _)? = previous, previousOrdered == ordered {
                    alternate.toggle()
                } else {
                    alternate = false
                }
                var follows = true
                if tight, case .paragraph? = previous { follows = false }
                if follows && !lines.isEmpty { lines.append("") }
                lines += listLines(ordered: ordered, items: items, alternate: alternate)
            case .paragraph(let blockLines), .other(let blockLines):
                if !lines.isEmpty { lines.append("") }
                lines += blockLines
            }
            previous = block
        }
        return lines
    }

    /// Items numbered from 1 (an `<ol start>` is one of the attributes not read), each line
    /// after an item's first indented to its content.
    private static func listLines(ordered: Bool, items: [[String]], alternate: Bool) -> [String] {
        var lines: [String] = []
        for (number, item) in items.enumerated() {
            let marker = ordered ? "\(number + 1)" + (alternate ? ")" : ".") : (alternate ? "*" : "-")
            let indent = String(repeating: " ", count: marker.count + 1)
            for (index, line) in item.enumerated() {
                lines.append(index == 0 ? marker + " " + line : line.isEmpty ? "" : indent + line)
            }
        }
        return lines
    }

    /// The blocks of one container (the document, a quote, a list item, a heading) as it is
    /// walked: inline content gathers in `run` until a block-level element ends it as a
    /// paragraph.
    fileprivate struct BlockWriter {
        var blocks: [Block] = []
        var run: InlineRun
        /// Quotes and lists around this writer.
        let nesting: Int

        init(open styles: [Style] = [], singleLine: Bool = false, nesting: Int = 0) {
            run = InlineRun(reopening: styles, singleLine: singleLine)
            self.nesting = nesting
        }

        /// A writer for a container inside this one: its paragraphs are bold, italic or in a
        /// link as this one's are now (`<b><ul><li>a</li></ul></b>`).
        func nested(singleLine: Bool = false, container: Bool = false) -> BlockWriter {
            BlockWriter(open: run.open, singleLine: singleLine || run.singleLine, nesting: nesting + (container ? 1 : 0))
        }

        /// Ends the current paragraph; bold, italic or a link still open go on in the next.
        mutating func endParagraph() {
            if let lines = run.finish() { blocks.append(.paragraph(lines)) }
            run = InlineRun(reopening: run.open, singleLine: run.singleLine)
        }

        mutating func finish() -> [Block] {
            endParagraph()
            return blocks
        }
    }
}

// MARK: Inline content

/// Bold, italic or a link (with its Markdown destination).
private enum Style: Equatable {
    case strong, emphasis
    case link(String)
}

/// One piece of a paragraph, before white space is settled and text escaped.
private enum Token: Equatable {
    /// Text without ASCII white space, not escaped.
    case word(String)
    case space
    case lineBreak
    case open(Style)
    case close(Style)
    /// Alternative text as in the attribute; a Markdown destination.
    case image(alt: String, destination: String)
    /// A code span's content, white space collapsed.
    case code(String)

    /// Something that shows: a paragraph of only markers and spaces is no paragraph.
    var isContent: Bool {
        switch self {
        case .word, .image, .code: true
        case .space, .lineBreak, .open, .close: false
        }
    }

    /// Written as `*`: such markers next to each other are one delimiter run for CommonMark.
    var isAsterisks: Bool {
        switch self {
        case .open(.strong), .open(.emphasis), .close(.strong), .close(.emphasis): true
        default: false
        }
    }
}

/// The inline content of one paragraph as it is walked, and its Markdown lines once finished.
private struct InlineRun {
    private(set) var tokens: [Token] = []
    /// Styles begun and not yet ended, outermost first.
    private(set) var open: [Style]
    /// A heading's content: `<br>` is a space.
    let singleLine: Bool

    init(reopening styles: [Style], singleLine: Bool) {
        open = styles
        tokens = styles.map(Token.open)
        self.singleLine = singleLine
    }

    var isInsideLink: Bool {
        open.contains { if case .link = $0 { true } else { false } }
    }

    /// Text as a browser lays it out: ASCII white space runs are one space; other controls
    /// show nothing and are dropped. A no-break space is text.
    mutating func text(_ text: String) {
        var word = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 9, 10, 12, 13, 32:
                appendWord(&word)
                space()
            case 0..<32, 127:
                continue
            default:
                word.append(scalar)
            }
        }
        appendWord(&word)
    }

    /// Text from two nodes with nothing between them is one word (`<span>1</span>.`).
    private mutating func appendWord(_ word: inout String.UnicodeScalarView) {
        guard !word.isEmpty else { return }
        if case .word(let previous)? = tokens.last {
            tokens[tokens.count - 1] = .word(previous + String(word))
        } else {
            tokens.append(.word(String(word)))
        }
        word = String.UnicodeScalarView()
    }

    mutating func space() {
        if tokens.last != .space { tokens.append(.space) }
    }

    mutating func lineBreak() {
        if singleLine { space() } else { tokens.append(.lineBreak) }
    }

    mutating func begin(_ style: Style) {
        open.append(style)
        tokens.append(.open(style))
    }

    mutating func end(_ style: Style) {
        if let index = open.lastIndex(of: style) { open.remove(at: index) }
        tokens.append(.close(style))
    }

    mutating func image(alt: String, destination: String) {
        tokens.append(.image(alt: alt, destination: destination))
    }

    /// A code span of the text, white space collapsed; white space at its ends goes outside.
    mutating func code(_ text: String) {
        var inner = InlineRun(reopening: [], singleLine: true)
        inner.text(text)
        let words = inner.tokens.compactMap { if case .word(let word) = $0 { word } else { nil } }
        if inner.tokens.first == .space { space() }
        if !words.isEmpty { tokens.append(.code(words.joined(separator: " "))) }
        if inner.tokens.last == .space, !words.isEmpty { space() }
    }

    /// `content` between backtick fences longer than any run inside it, padded with a space
    /// when it starts or ends with a backtick (CommonMark strips one from each end).
    static func codeSpan(_ content: String) -> String {
        let fence = String(repeating: "`", count: HTMLToMarkdown.longestBacktickRun(in: content) + 1)
        let pad = content.hasPrefix("`") || content.hasSuffix("`") ? " " : ""
        return fence + pad + content + pad + fence
    }

    /// The paragraph's Markdown lines (the ones before the last ending in a hard break), or
    /// `nil` when it shows nothing: only white space, no-break spaces included (the
    /// `<p>&nbsp;</p>` editors use for spacing).
    func finish() -> [String]? {
        var all = tokens
        for style in open.reversed() { all.append(.close(style)) }
        let laidOut = Self.layOut(all)
        let showsSomething = laidOut.contains {
            switch $0 {
            case .word(let word): word.unicodeScalars.contains { !$0.properties.isWhitespace }
            case .image, .code: true
            default: false
            }
        }
        guard showsSomething else { return nil }
        return Self.lines(of: laidOut, kept: Self.keptAsterisks(laidOut))
    }

    /// Where spaces and line breaks go: none at the start or end of a line, one between
    /// words, and outside bold, italic and links (`** a**` is not bold); styles around
    /// nothing are dropped, and one closing right where the same opens again is joined.
    private static func layOut(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var pendingSpace = false
        var lineHasContent = false
        var hasContent = false
        for token in tokens {
            switch token {
            case .space:
                pendingSpace = true
            case .lineBreak:
                pendingSpace = false
                guard hasContent else { continue }
                out.insert(.lineBreak, at: indexBeforeTrailingOpens(out))
                lineHasContent = false
            case .open(let style):
                if !pendingSpace, out.last == .close(style) {
                    out.removeLast()
                } else {
                    out.append(token)
                }
            case .close(let style):
                // Back to the opening marker (its own span only: spans in a row cost no more).
                var opening = out.count - 1
                var enclosesContent = false
                while opening >= 0, out[opening] != .open(style) {
                    enclosesContent = enclosesContent || out[opening].isContent
                    opening -= 1
                }
                guard opening >= 0 else { continue }
                if enclosesContent {
                    var at = out.count
                    while at > 0, out[at - 1] == .lineBreak { at -= 1 }
                    out.insert(token, at: at)
                } else {
                    out.remove(at: opening)
                }
            case .word, .image, .code:
                if pendingSpace && lineHasContent {
                    let at = indexBeforeTrailingOpens(out)
                    if out[at - 1] != .space { out.insert(.space, at: at) }
                }
                pendingSpace = false
                if case .word(let word) = token, case .word(let previous)? = out.last {
                    out[out.count - 1] = .word(previous + word)
                } else {
                    out.append(token)
                }
                lineHasContent = true
                hasContent = true
            }
        }
        // A `<br>` at the end of a paragraph shows nothing.
        if let last = out.lastIndex(where: \.isContent) {
            out = Array(out[...last]) + out[(last + 1)...].filter { $0 != .lineBreak }
        }
        return out
    }

    private static func indexBeforeTrailingOpens(_ tokens: [Token]) -> Int {
        var index = tokens.count
        while index > 0, case .open = tokens[index - 1] { index -= 1 }
        return index
    }

    // MARK: Emphasis that CommonMark reads

    /// Which tokens are written: all but the bold and italic markers CommonMark would not read
    /// back as the pairs they are. `*` opens only where left-flanking and closes only where
    /// right-flanking (`가**"인용"**` is not bold), and markers next to each other are one run
    /// that CommonMark pairs by its own rules (`***`). Rather than show stray asterisks, or
    /// bold where italic was, a misread pair is dropped (its text kept) and the rest read
    /// again, until CommonMark reads every pair left as written here.
    private static func keptAsterisks(_ tokens: [Token]) -> [Bool] {
        var kept = [Bool](repeating: true, count: tokens.count)
        var partner: [Int: Int] = [:]
        var opens: [Int] = []
        for (index, token) in tokens.enumerated() where token.isAsterisks {
            if case .open = token {
                opens.append(index)
            } else if let open = opens.popLast() {
                partner[open] = index
                partner[index] = open
            }
        }
        guard !partner.isEmpty else { return kept }
        // Symbols (`😀`, `₩`) are punctuation to CommonMark 0.31 and not to 0.30: read both ways.
        var rereads = 0
        while let misread = misreadMarker(tokens, kept, partner, symbols: .other)
            ?? misreadMarker(tokens, kept, partner, symbols: .punctuation)
        {
            rereads += 1
            guard rereads <= HTMLToMarkdown.maxRereads else {
                // Each reading costs the paragraph's length: past this many, no bold or italic.
                return tokens.map { !$0.isAsterisks }
            }
            kept[misread] = false
            kept[partner[misread]!] = false
        }
        return kept
    }

    /// A run of `*` as CommonMark's inline parser sees it: for each `*`, the marker token it
    /// belongs to.
    private struct DelimiterRun {
        var marks: [Int]
        let length: Int
        let canOpen: Bool
        let canClose: Bool
    }

    /// A marker that CommonMark would not pair with its partner, or `nil` when it reads them
    /// all as written. The text inside a link is read on its own, as CommonMark does when
    /// the link closes.
    private static func misreadMarker(_ tokens: [Token], _ kept: [Bool], _ partner: [Int: Int], symbols: CharacterClass) -> Int? {
        var segments: [[DelimiterRun]] = [[]]
        var index = 0
        while index < tokens.count {
            if kept[index], case .open(.link) = tokens[index] {
                segments.append([])
            } else if kept[index], case .close(.link) = tokens[index] {
                if let misread = misreadMarker(in: segments.removeLast(), tokens, partner) { return misread }
            } else if kept[index] && tokens[index].isAsterisks {
                var marks: [Int] = []
                var end = index
                while end < tokens.count && (!kept[end] || tokens[end].isAsterisks) {
                    if kept[end] { marks += tokens[end] == .open(.strong) || tokens[end] == .close(.strong) ? [end, end] : [end] }
                    end += 1
                }
                segments[segments.count - 1].append(delimiterRun(marks, tokens, kept, symbols: symbols))
                index = end
                continue
            }
            index += 1
        }
        return misreadMarker(in: segments.removeLast(), tokens, partner)
    }

    /// Flanking, as CommonMark decides it from the characters on either side of the run.
    private static func delimiterRun(_ marks: [Int], _ tokens: [Token], _ kept: [Bool], symbols: CharacterClass) -> DelimiterRun {
        func resolved(_ value: CharacterClass) -> CharacterClass { value == .symbol ? symbols : value }
        let before = resolved(classBefore(marks.first!, tokens, kept))
        let after = resolved(classAfter(marks.last!, tokens, kept))
        let leftFlanking = after != .whitespace && (after != .punctuation || before != .other)
        let rightFlanking = before != .whitespace && (before != .punctuation || after != .other)
        return DelimiterRun(marks: marks, length: marks.count, canOpen: leftFlanking, canClose: rightFlanking)
    }

    /// CommonMark's "process emphasis" over one segment's runs: each closer, left to right,
    /// takes the nearest opener on the delimiter stack it may pair with (not both lengths
    /// adding up to a multiple of 3 when either run could do both, unless both are), two `*`
    /// when both have two, from the inner ends; runs between them become text. A pairing
    /// other than the written one, or a `*` left as text, is a misread.
    private static func misreadMarker(in segment: [DelimiterRun], _ tokens: [Token], _ partner: [Int: Int]) -> Int? {
        // Runs that may still open, with `*` left.
        var stack: [DelimiterRun] = []
        for run in segment {
            var closer = run
            while closer.canClose, !closer.marks.isEmpty,
                let opener = stack.lastIndex(where: {
                    !(closer.canOpen || $0.canClose) || closer.length % 3 == 0 || ($0.length + closer.length) % 3 != 0
                })
            {
                if opener + 1 < stack.count { return stack[opener + 1].marks.first }
                let used = closer.marks.count >= 2 && stack[opener].marks.count >= 2 ? 2 : 1
                let opening = stack[opener].marks.suffix(used)
                let closing = closer.marks.prefix(used)
                let open = opening.first!
                let close = closing.first!
                let width = tokens[open] == .open(.strong) ? 2 : 1
                guard opening.allSatisfy({ $0 == open }), closing.allSatisfy({ $0 == close }), partner[open] == close, width == used else {
                    return close
                }
                stack[opener].marks.removeLast(used)
                closer.marks.removeFirst(used)
                if stack[opener].marks.isEmpty { stack.removeLast() }
            }
            if let left = closer.marks.first {
                guard closer.canOpen else { return left }
                stack.append(closer)
            }
        }
        return stack.first?.marks.first
    }

    private enum CharacterClass { case whitespace, punctuation, symbol, other }

    /// The class of the character written just before the delimiter run holding `index`.
    private static func classBefore(_ index: Int, _ tokens: [Token], _ kept: [Bool]) -> CharacterClass {
        var i = index - 1
        while i >= 0 {
            defer { i -= 1 }
            guard kept[i], !tokens[i].isAsterisks else { continue }
            switch tokens[i] {
            case .word(let word): return characterClass(word.unicodeScalars.last!)
            case .space, .lineBreak: return .whitespace
            default: return .punctuation  // `]`, `)` of a link or image, a backtick
            }
        }
        return .whitespace
    }

    /// The class of the character written just after the delimiter run holding `index`.
    private static func classAfter(_ index: Int, _ tokens: [Token], _ kept: [Bool]) -> CharacterClass {
        var i = index + 1
        while i < tokens.count {
            defer { i += 1 }
            guard kept[i], !tokens[i].isAsterisks else { continue }
            switch tokens[i] {
            case .word(let word): return characterClass(word.unicodeScalars.first!)
            case .space: return .whitespace
            default: return .punctuation  // the backslash of a hard break, `[`, `!`, a backtick
            }
        }
        return .whitespace
    }

    /// As CommonMark classes a character for flanking (an escaped character is written after
    /// a backslash, punctuation either way).
    private static func characterClass(_ scalar: Unicode.Scalar) -> CharacterClass {
        if scalar.isASCII {
            if scalar == " " || (9...13).contains(scalar.value) { return .whitespace }
            return isASCIIPunctuation(scalar) ? .punctuation : .other
        }
        switch scalar.properties.generalCategory {
        case .spaceSeparator:
            return .whitespace
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            return .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return .symbol
        default:
            return .other
        }
    }

    // MARK: Writing

    /// The Markdown lines of laid-out tokens; each line but the last ends with a backslash
    /// hard break (visible, unlike two spaces, and never stripped by an editor).
    private static func lines(of tokens: [Token], kept: [Bool]) -> [String] {
        var lines: [String] = []
        var line = ""
        // Words with dropped markers between them are one text; code spans next to each other
        // are one span (`` `a``b` `` would be neither).
        var text = ""
        var code = ""
        for (index, token) in tokens.enumerated() where kept[index] {
            if case .word(let word) = token, code.isEmpty {
                text += word
                continue
            }
            if case .code(let content) = token, text.isEmpty {
                code += content
                continue
            }
            line += escaped(text) + (code.isEmpty ? "" : codeSpan(code))
            text = ""
            code = ""
            switch token {
            case .word(let word): text = word
            case .code(let content): code = content
            case .space: line += " "
            case .lineBreak:
                lines.append(line + "\\")
                line = ""
            case .open(.strong), .close(.strong): line += "**"
            case .open(.emphasis), .close(.emphasis): line += "*"
            case .open(.link): line += "["
            case .close(.link(let destination)): line += "](" + destination + ")"
            case .image(let alt, let destination): line += "![" + escapedAlt(alt) + "](" + destination + ")"
            }
        }
        lines.append(line + escaped(text) + (code.isEmpty ? "" : codeSpan(code)))
        return lines.map(escapingLineStart)
    }

    /// Alternative text on one line, white space collapsed, escaped.
    private static func escapedAlt(_ alt: String) -> String {
        var run = InlineRun(reopening: [], singleLine: true)
        run.text(alt)
        return run.tokens.map { if case .word(let word) = $0 { escaped(word) } else { " " } }.joined().trimmingSpaces()
    }

    /// Text escaped so that none of it is Markdown. Always escaped: the characters that are
    /// Markdown anywhere in a line (`\` `` ` `` `*` `_` `[` `]` `<` `>` `&` `~` `|` `#`, and `!`
    /// which is an image before `[`). The rest of ASCII punctuation is Markdown only at the
    /// start of a line (`escapingLineStart`) and is left as written, so that Korean text keeps
    /// its `.` `,` `?` `^^` `;;` readable. (A web address in text stays whole, and the renderer
    /// links it as it does in any post: cmark joins the text around escapes.)
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isAlwaysEscaped) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isAlwaysEscaped(scalar) { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }

    private static func isAlwaysEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\\", "`", "*", "_", "[", "]", "<", ">", "&", "~", "|", "#", "!": true
        default: false
        }
    }

    /// A line that would start a block: `-` `+` (list items, thematic breaks, setext
    /// underlines), `=` (a setext underline) or digits and `.` or `)` (an ordered list item);
    /// the line-leading character is escaped. (`#` `>` `*` are escaped everywhere, and markup
    /// written here never starts with a digit, `-`, `+` or `=`.)
    private static func escapingLineStart(_ line: String) -> String {
        guard let first = line.unicodeScalars.first else { return line }
        if first == "-" || first == "+" || first == "=" { return "\\" + line }
        let digits = line.unicodeScalars.prefix { ("0"..."9").contains($0) }.count
        guard digits > 0, digits < line.unicodeScalars.count else { return line }
        let next = line.unicodeScalars[line.unicodeScalars.index(line.unicodeScalars.startIndex, offsetBy: digits)]
        guard next == "." || next == ")" else { return line }
        var scalars = line.unicodeScalars
        scalars.insert("\\", at: scalars.index(scalars.startIndex, offsetBy: digits))
        return String(scalars)
    }
}

/// `!` to `/`, `:` to `@`, `[` to `` ` ``, `{` to `~`: what CommonMark can backslash-escape.
private func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 33...47, 58...64, 91...96, 123...126: true
    default: false
    }
}

extension String {
    /// Without ASCII spaces at either end.
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}

/// A node of the tree libxml2 made, read through `CLibXML2`'s accessors.
private struct HTMLNode: Equatable {
    let pointer: OpaquePointer

    init?(_ pointer: OpaquePointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    var isElement: Bool { Int(bulletin_html_node_type(pointer)) == BULLETIN_HTML_ELEMENT }
    var isText: Bool { Int(bulletin_html_node_type(pointer)) == BULLETIN_HTML_TEXT }
    var next: HTMLNode? { HTMLNode(bulletin_html_node_next(pointer)) }
    var children: HTMLNode? { HTMLNode(bulletin_html_node_children(pointer)) }
    var parent: HTMLNode? { HTMLNode(bulletin_html_node_parent(pointer)) }
    var name: UnsafePointer<CChar>? { bulletin_html_node_name(pointer) }
    var content: UnsafePointer<CChar>? { bulletin_html_node_content(pointer) }
    var attributes: HTMLAttribute? { HTMLAttribute(bulletin_html_node_attributes(pointer)) }
}

/// An attribute of an element: its name, and the text nodes of its value.
private struct HTMLAttribute {
    let pointer: OpaquePointer

    init?(_ pointer: OpaquePointer?) {
        guard let pointer else { return nil }
        self.pointer = pointer
    }

    var name: UnsafePointer<CChar>? { bulletin_html_attribute_name(pointer) }
    var children: HTMLNode? { HTMLNode(bulletin_html_attribute_children(pointer)) }
    var next: HTMLAttribute? { HTMLAttribute(bulletin_html_attribute_next(pointer)) }
}
