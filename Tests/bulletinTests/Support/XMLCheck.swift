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

    init(_ data: Data, collect: Set<String> = []) {
        self.collect = collect
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        wellFormed = parser.parse()
        if !wellFormed { error = parser.parserError.map { "\($0)" } ?? "line \(parser.lineNumber)" }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
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
        if let (name, text) = current, name == elementName {
            texts.append((name, text))
            current = nil
        }
    }

    func texts(of element: String) -> [String] { texts.filter { $0.element == element }.map(\.text) }
}
