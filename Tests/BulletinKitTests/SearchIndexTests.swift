@testable import BulletinKit
import Foundation
import Testing

/// The search index: tokens as the page's script makes them, and the files it reads.
struct SearchIndexTests {
    @Test func hangulGivesOverlappingSyllablePairs() {
        #expect(SearchTokenizer.tokens(of: "검색했는데") == ["검색", "색했", "했는", "는데"])
        // A particle stays attached: the query's pairs are among the word's.
        #expect(Set(SearchTokenizer.tokens(of: "검색")).isSubset(of: SearchTokenizer.tokens(of: "검색을 해 봤다")))
        // One syllable alone is its own token.
        #expect(SearchTokenizer.tokens(of: "글 좀 봐") == ["글", "좀", "봐"])
        #expect(SearchTokenizer.tokens(of: "ㅋㅋㅋ") == ["ㅋㅋ", "ㅋㅋ"])
    }

    @Test func latinWordsAreLowerCaseWholeWords() {
        #expect(SearchTokenizer.tokens(of: "Swift 6.3 on Linux!") == ["swift", "6", "3", "on", "linux"])
        #expect(SearchTokenizer.tokens(of: "Café ÉCOLE") == ["café", "école"])
        // Each code point lower-cased on its own (as the page's script does); full-width folded.
        #expect(SearchTokenizer.tokens(of: "ΟΔΟΣ Ｐｙｔｈｏｎ３") == ["οδοσ", "python3"])
        let long = String(repeating: "a", count: 40)
        #expect(SearchTokenizer.tokens(of: long) == [String(repeating: "a", count: SearchTokenizer.wordLimit)])
    }

    @Test func mixedScriptsSplitWhereTheScriptChanges() {
        #expect(SearchTokenizer.tokens(of: "아이폰15프로 iOS업데이트") == ["아이", "이폰", "15", "프로", "ios", "업데", "데이", "이트"])
        #expect(SearchTokenizer.tokens(of: "漢字とかな") == ["漢字", "字と", "とか", "かな"])
    }

    @Test func emojiAndPunctuationSeparate() {
        #expect(SearchTokenizer.tokens(of: "좋아요👍👍최고") == ["좋아", "아요", "최고"])
        #expect(SearchTokenizer.tokens(of: "🎮…!!! ~~ ") == [])
        #expect(SearchTokenizer.tokens(of: "") == [])
    }

    @Test func decomposedTextGivesTheSameTokens() {
        let nfd = "검색했는데 café".decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count > "검색했는데 café".unicodeScalars.count)
        #expect(SearchTokenizer.tokens(of: nfd) == SearchTokenizer.tokens(of: "검색했는데 café"))
    }

    /// Pinned: the page's script computes the same shard for a token.
    @Test func shardsComeFromFNV1a() {
        #expect(SearchTokenizer.fnv1a32("") == 0x811C_9DC5)
        #expect(SearchTokenizer.fnv1a32("a") == 0xE40C_292C)
        #expect(SearchTokenizer.fnv1a32("foobar") == 0xBF9C_F968)
        #expect(SearchTokenizer.shardKey("swift", isWord: true) == "sw")
        #expect(SearchTokenizer.shardKey("검색", isWord: false) == "검색")
    }

    /// A shard file read back: the token's docs, newest first by number, with heavier weights
    /// for titles than for bodies and for bodies than for comments; the board filter's token.
    @Test func shardsHoldEachTokensDocsAndWeights() throws {
        let loaded = try loadFixture(
            """
            -- site.yml --
            title: 검색 시험
            -- Content/free/1.md --
            ---
            title: 오래된 글
            date: 2024-06-01T10:00:00+09:00
            ---
            본문에 검색이라는 말이 있습니다.
            -- Content/free/2.md --
            ---
            title: 검색 방법
            date: 2024-06-03T10:00:00+09:00
            author: Kimchi_Dev
            ---
            다른 이야기.
            -- Content/game/3.md --
            ---
            title: 게임 이야기
            date: 2024-05-20T10:00:00+09:00
            ---
            본문에는 없습니다.
            -- Content/game/3.comments.yml --
            - id: c1
              author: 익명
              date: 2024-05-21T10:00:00+09:00
              body: 댓글에서 검색해 봤어요
            """)
        let site = try #require(loaded.site)
        let index = SearchIndex(site: site, fields: Set(SearchField.allCases), contentRoot: "", jobs: 2)
        let files = Dictionary(uniqueKeysWithValues: index.files().map { ($0.path, $0.bytes) })
        func json(_ path: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(files[path] ?? [])) }
        let meta = try #require(try json("search/meta.json") as? [String: Any])
        #expect(meta["docs"] as? Int == 3 && meta["chunk"] as? Int == SearchIndex.chunk)
        let shards = try #require(meta["shards"] as? Int)
        #expect(files.keys.filter { $0.hasPrefix("search/s/") }.count == shards)
        // Newest first: 2 (June 3), 1 (June 1), 3 (May 20).
        let docs = try #require(try json("search/d/0.json") as? [[Any]])
        #expect(docs.map { $0[0] as? String } == ["free/2/", "free/1/", "game/3/"])
        #expect(docs[2][3] as? String == "익명" && docs[2][6] as? Int == 1 && docs[0][5] as? Int == 20240603)
        #expect((meta["months"] as? [[Int]]) == [[202406, 0], [202405, 2]])

        func postings(_ token: String, isWord: Bool = false) throws -> [Int: Int] {
            let shard = Int(SearchTokenizer.fnv1a32(SearchTokenizer.shardKey(token, isWord: isWord)) % UInt32(shards))
            let bytes = try #require(files["search/s/\(shard).bin"])
            return try #require(Self.read(shard: bytes)[token])
        }
        let found = try postings("검색")
        #expect(Set(found.keys) == [0, 1, 2])
        #expect(found[0]! > found[1]! && found[1]! > found[2]!)
        #expect(try postings("kimchi", isWord: true) == [0: Int(SearchIndex.weight([.author: 1]))])
        // A title beats any body; a body's repeats saturate.
        #expect(SearchIndex.weight([.title: 1]) > SearchIndex.weight([.body: 5, .comments: 5]))
        #expect(SearchIndex.weight([.tags: 1]) > SearchIndex.weight([.body: 1]))
        #expect(SearchIndex.weight([.body: 5]) < 3 * SearchIndex.weight([.body: 1]))
        #expect(SearchIndex.weight([:]) == 1)
        #expect(try postings(SearchIndex.boardToken("game")).keys.sorted() == [2])
        // Each token's doc numbers ascend; the file is the same in every build.
        #expect(index.files().map(\.bytes) == SearchIndex(site: site, fields: Set(SearchField.allCases), contentRoot: "", jobs: 1).files().map(\.bytes))
    }

    /// A big site's postings go to disk in parts, each gathered alone: together they give the
    /// same shard files as postings held in memory, whether or not the parts divide the shards.
    @Test func spilledPartsGiveTheSameShards() throws {
        var archive = "-- site.yml --\ntitle: 부분\n"
        for n in 1...60 {
            archive += "-- Content/\(n % 2 == 0 ? "free" : "game")/\(n).md --\n---\ntitle: 글 \(n)번 검색\(n % 7)\n"
            archive += "date: 2024-06-\(10 + n % 20)T10:00:00+09:00\n---\n본문 \(n) word\(n % 5) 가나다라 \(n % 3 == 0 ? "검색했는데" : "다른 말")\n"
        }
        let site = try #require(try loadFixture(archive).site)
        let index = SearchIndex(site: site, fields: Set(SearchField.allCases), contentRoot: "", jobs: 2)
        let shards = SearchIndex.shardCount(posts: 60)
        #expect(shards == 4)
        func shardFiles(_ parts: Int?) -> [(path: String, bytes: [UInt8])] {
            var files: [(path: String, bytes: [UInt8])] = []
            index.shardFiles(docs: index.docs, shards: shards, spillParts: parts) { files.append(($0, $1)) }
            return files
        }
        let held = shardFiles(nil)
        #expect(held.count == shards && held.allSatisfy { $0.bytes.count > 2 })
        for parts in [1, 3, 4, 7] {
            let spilled = shardFiles(parts)
            #expect(spilled.sorted { $0.path < $1.path }.map(\.bytes) == held.sorted { $0.path < $1.path }.map(\.bytes), "\(parts) parts")
        }
    }

    /// A post with thousands of different tokens outgrows the token table while it is being
    /// read: what it counted before still counts.
    @Test func aPostThatGrowsTheTableKeepsItsCounts() throws {
        let run = String(String.UnicodeScalarView((0..<5000).map { Unicode.Scalar(0xAC00 + $0)! }))
        let site = try #require(
            try loadFixture(
                """
                -- site.yml --
                title: 큰 글
                -- Content/free/1.md --
                ---
                title: 가각
                date: 2024-06-01T10:00:00+09:00
                ---
                \(run)
                """
            ).site)
        let files = SearchIndex(site: site, fields: Set(SearchField.allCases), contentRoot: "", jobs: 1).files()
        var postings: [String: [Int: Int]] = [:]
        for file in files where file.path.hasPrefix("search/s/") { postings.merge(Self.read(shard: file.bytes)) { a, _ in a } }
        #expect(postings.count == 4999 + 2)  // the run's pairs, the board's token, and nothing else
        #expect(postings["가각"] == [0: Int(SearchIndex.weight([.title: 1, .body: 1]))])
        let body = Int(SearchIndex.weight([.body: 1]))
        let pairs = (1..<4999).map { String(String.UnicodeScalarView([Unicode.Scalar(0xAC00 + $0)!, Unicode.Scalar(0xAC01 + $0)!])) }
        #expect(pairs.allSatisfy { postings[$0] == [0: body] })
    }

    @Test func fieldsLeftOutAreNotIndexed() throws {
        let loaded = try loadFixture(
            """
            -- site.yml --
            title: 시험
            search:
              fields: [title]
            -- Content/free/1.md --
            ---
            title: 제목만
            date: 2024-06-01T10:00:00+09:00
            ---
            본문의 낱말
            """)
        let site = try #require(loaded.site)
        #expect(site.config.search == [.title])
        let files = SearchIndex(site: site, fields: [.title], contentRoot: "", jobs: 1).files()
        let tokens = files.filter { $0.path.hasPrefix("search/s/") }.flatMap { Self.read(shard: $0.bytes).keys }
        #expect(tokens.contains("제목") && !tokens.contains("본문") && !tokens.contains("낱말"))
    }

    @Test func searchFalseTurnsItOff() throws {
        let loaded = try loadFixture(
            """
            -- site.yml --
            title: 시험
            search: false
            -- Content/free/1.md --
            ---
            title: 글
            date: 2024-06-01T10:00:00+09:00
            ---
            본문
            """)
        #expect(try #require(loaded.site).config.search == nil)
        let bad = try loadFixture(
            """
            -- site.yml --
            title: 시험
            search:
              fields: [title, 본문]
            """)
        #expect(bad.diagnostics.contains { $0.message.contains("unknown search field '본문'") })
    }

    @Test func excerptsAreTheBodysStartAsPlainText() {
        #expect(SearchIndex.excerpt("# 제목\n\n**굵게** 그리고 [링크](https://example.com/a_(b)) 끝") == "제목 굵게 그리고 링크 끝")
        #expect(SearchIndex.excerpt("> 인용\n- 20~30분 걸림, `word[2]`와 snake_case\n\n```python\nprint(1)\n```\n![그림](a.png) ~~취소~~") == "인용 20~30분 걸림, word[2]와 snake_case print(1) 그림 취소")
        #expect(SearchIndex.excerpt(String(repeating: "가", count: 500)).count == SearchIndex.excerptLength)
    }

    /// Token → (doc → weight), as `search.js` reads a shard.
    static func read(shard bytes: [UInt8]) -> [String: [Int: Int]] {
        var at = 0
        func varint() -> Int {
            var value = 0, shift = 0
            while true {
                let b = Int(bytes[at])
                at += 1
                value |= (b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }
        #expect(bytes[0] == 1)
        at = 1
        var terms: [(String, Int, Int)] = []
        for _ in 0..<varint() {
            let length = varint()
            let text = String(decoding: bytes[at..<(at + length)], as: UTF8.self)
            at += length
            let count = varint()
            let blockLength = varint()
            terms.append((text, count, blockLength))
        }
        #expect(terms.map(\.0) == terms.map(\.0).sorted { BuildManifest.byBytes($0, $1) })
        var out: [String: [Int: Int]] = [:]
        for (text, count, blockLength) in terms {
            let end = at + blockLength
            var doc = 0
            var docs: [Int: Int] = [:]
            for i in 0..<count {
                let delta = varint()
                #expect(i == 0 || delta > 0)
                doc += delta
                docs[doc] = Int(bytes[at])
                at += 1
            }
            #expect(at == end)
            out[text] = docs
        }
        #expect(at == bytes.count)
        return out
    }
}

extension SearchIndex {
    /// The weight of a token counted so many times in each field (the tests' shorthand).
    static func weight(_ count: [SearchField: Int]) -> UInt8 {
        weight(
            title: count[.title, default: 0], named: count[.tags, default: 0] + count[.author, default: 0], body: count[.body, default: 0],
            comments: count[.comments, default: 0])
    }
}
