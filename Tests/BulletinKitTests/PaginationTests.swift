import BulletinKit
import Testing

/// Page counts, row ranges and the window of page numbers at their boundaries.
struct PaginationTests {
    @Test(arguments: [
        (0, 20, 1), (1, 20, 1), (19, 20, 1), (20, 20, 1), (21, 20, 2), (40, 20, 2), (41, 20, 3), (5, 1, 5), (0, 1, 1),
    ])
    func pageCount(_ total: Int, _ perPage: Int, _ pages: Int) {
        #expect(Pagination(total: total, perPage: perPage).pageCount == pages)
    }

    @Test func emptyListingHasOneEmptyPage() {
        let pagination = Pagination(total: 0, perPage: 3)
        #expect(pagination.rows(ofPage: 1) == 0..<0)
    }

    @Test func rowRanges() {
        #expect(Pagination(total: 1, perPage: 3).rows(ofPage: 1) == 0..<1)
        #expect(Pagination(total: 3, perPage: 3).rows(ofPage: 1) == 0..<3)
        let overflowing = Pagination(total: 4, perPage: 3)
        #expect(overflowing.rows(ofPage: 1) == 0..<3)
        #expect(overflowing.rows(ofPage: 2) == 3..<4)
        #expect(overflowing.rows(ofPage: 3) == 4..<4, "past the last page: no rows")
        let full = Pagination(total: 6, perPage: 3)
        #expect(full.rows(ofPage: 2) == 3..<6)
    }

    @Test func everyRowIsOnExactlyOnePage() {
        for total in 0...25 {
            let pagination = Pagination(total: total, perPage: 4)
            var seen: [Int] = []
            for page in 1...pagination.pageCount { seen += Array(pagination.rows(ofPage: page)) }
            #expect(seen == Array(0..<total), "total \(total)")
            for row in 0..<total {
                #expect(pagination.rows(ofPage: pagination.page(ofRow: row)).contains(row), "row \(row) of \(total)")
            }
        }
    }

    @Test func pageOfRow() {
        let pagination = Pagination(total: 7, perPage: 3)
        #expect((0..<7).map(pagination.page(ofRow:)) == [1, 1, 1, 2, 2, 2, 3])
    }

    @Test func folders() {
        #expect(Pagination.folder("free/", page: 1) == "free/")
        #expect(Pagination.folder("free/", page: 2) == "free/page/2/")
        #expect(Pagination.folder("tags/게임/", page: 12) == "tags/게임/page/12/")
    }

    @Test func windowWhenThereAreFewPages() {
        #expect(Pagination(total: 0, perPage: 3).window(around: 1) == 1...1)
        #expect(Pagination(total: 10, perPage: 3).window(around: 1) == 1...4)
        #expect(Pagination(total: 10, perPage: 3).window(around: 4) == 1...4)
        #expect(Pagination(total: 30, perPage: 3).window(around: 7) == 1...10, "exactly ten pages")
    }

    @Test func windowSlidesAroundTheCurrentPage() {
        let pagination = Pagination(total: 100, perPage: 1)
        #expect(pagination.window(around: 1) == 1...10)
        #expect(pagination.window(around: 5) == 1...10)
        #expect(pagination.window(around: 6) == 2...11)
        #expect(pagination.window(around: 50) == 46...55)
        #expect(pagination.window(around: 95) == 91...100)
        #expect(pagination.window(around: 100) == 91...100)
        for current in 1...100 {
            let window = pagination.window(around: current)
            #expect(window.contains(current))
            #expect(window.count == 10)
        }
    }

    @Test func narrowerWindow() {
        let pagination = Pagination(total: 20, perPage: 1)
        #expect(pagination.window(around: 10, width: 5) == 9...13)
        #expect(pagination.window(around: 1, width: 5) == 1...5)
        #expect(pagination.window(around: 20, width: 5) == 16...20)
    }
}
