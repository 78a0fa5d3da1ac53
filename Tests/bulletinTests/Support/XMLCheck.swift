import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an XML document with Foundation's `XMLParser`, collecting the text of chosen elements.
final class XMLCheck: NSObject, XMLParserDelegate {
    /// Whether the document is well-formed XML.
    private(set) var wellFormed = false
    private(set) var error: String?
    /// Names of the elements, in document order.
    private(set) var elements: [String] = []
    /// The text of each element named in `collect`, in document order.
    private(set) var texts: [(element: String, text: String)] = []
    /// Attributes of each element, in document order.
    private(set) var attributes: [(element: String, attributes: [String: String])] = []

    private let collect: Set<String>
    private var current: (String, String)?
    /// Open elements, and root elements seen: swift-corelibs-foundation's `parse()` returns true
    /// for mismatched or unclosed tags and content after the root, so balance is checked here.
    private var depth = 0
    private var roots = 0
    private var reportedErrors: [String] = []

    init(_ data: Data, collect: Set<String> = []) {
        self.collect = collect
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        let parsed = parser.parse()
        wellFormed = parsed && parser.parserError == nil && reportedErrors.isEmpty && depth == 0 && roots == 1
        if !wellFormed {
            error = parser.parserError.map { "\($0)" } ?? reportedErrors.first
                ?? (depth != 0 ? "\(depth) elements not closed" : "\(roots) root elements")
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        reportedErrors.append("line \(parser.lineNumber): \(parseError)")
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if depth == 0 { roots += 1 }
        depth += 1
        elements.append(elementName)
        attributes.append((elementName, attributeDict))
        if collect.contains(elementName) { current = (elementName, "") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        current?.1 += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        current?.1 += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        if let (name, text) = current, name == elementName {
            texts.append((name, text))
            current = nil
        }
    }

    func texts(of element: String) -> [String] { texts.filter { $0.element == element }.map(\.text) }
}
