/// Splits a listing of `total` rows into pages of `perPage`; an empty listing still has one page.
public struct Pagination: Sendable, Equatable {
    public let total: Int
    public let perPage: Int

    public init(total: Int, perPage: Int) {
        precondition(perPage > 0)
        self.total = total
        self.perPage = perPage
    }

    public var pageCount: Int { max(1, (total + perPage - 1) / perPage) }

    /// Rows of page `number` (1-based).
    public func rows(ofPage number: Int) -> Range<Int> {
        let start = min(total, (number - 1) * perPage)
        return start..<min(total, start + perPage)
    }

    /// The page (1-based) that row `index` (0-based) is on.
    public func page(ofRow index: Int) -> Int { index / perPage + 1 }

    /// The output folder of page `number` below a listing's folder: `free/`, `free/page/2/`.
    public static func folder(_ listing: String, page number: Int) -> String {
        number == 1 ? listing : listing + "page/" + String(number) + "/"
    }

    /// Up to `width` page numbers around `current`.
    public func window(around current: Int, width: Int = 10) -> ClosedRange<Int> {
        let count = pageCount
        let start = max(1, min(current - width / 2 + 1, count - width + 1))
        return start...min(count, start + width - 1)
    }
}
