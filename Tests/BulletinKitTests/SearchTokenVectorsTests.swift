@testable import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Texts and their tokens, shared with the page's script: `search.js` must give the same tokens
/// (the browser test checks it against this file), or a query misses what the index holds.
struct SearchTokenVectorsTests {
    static let path = FixtureSite.repository + "/Tests/BulletinKitTests/SearchTokenVectors.json"

    @Test func theTokenizerGivesTheSharedVectors() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.path))
        let vectors = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        #expect(vectors.count >= 20)
        for vector in vectors {
            let text = try #require(vector[0] as? String)
            let tokens = try #require(vector[1] as? [String])
            #expect(SearchTokenizer.tokens(of: text) == tokens, "\(text)")
        }
    }
}
