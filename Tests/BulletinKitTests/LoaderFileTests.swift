import BulletinKit
import BulletinTestSupport
import Foundation
import Testing

/// Broken files, names and folders: each an error (or warning) at the exact place.
struct LoaderFileTests {
    static let goodPost = postText(["title: 글", "date: 2024-06-21T14:47:47+09:00"])

    // MARK: Front matter and encoding

    @Test func postWithoutFrontMatter() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n# 제목\n본문\n")
        #expect(
            result.errors == ["Content/free/1.md:1:1: error: a post must start with front matter: a line '---', YAML, and a line '---'"])
    }

    @Test func postWithUnclosedFrontMatter() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n---\ntitle: 글\ndate: 2024-06-21T14:47:47+09:00\n본문\n")
        #expect(result.errors == ["Content/free/1.md:1:1: error: the front matter is not closed by a line '---'"])
    }

    @Test func frontMatterMayUseWindowsLineEndingsAndABOM() throws {
        let result = try loadFixture(minimalSiteYML) { fixture in
            try fixture.write("Content/free/1.md", Data([0xEF, 0xBB, 0xBF]) + Data("---\r\ntitle: 글\r\ndate: 2024-06-21\r\n---\r\n본문\r\n".utf8))
        }
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.post("free", "1")?.title == "글")
        #expect(result.post("free", "1")?.body == "본문\n")
    }

    /// The load gives the hash of every post and comment file it read, under its path in the
    /// site, so that the build's manifest need not read them again; other files are not there.
    @Test func theLoadHashesWhatItReads() throws {
        var files: [String: Data] = [:]
        let result = try loadFixture(minimalSiteYML) { fixture in
            files["Content/free/1.md"] = Data(Self.goodPost.utf8)
            files["Content/free/한글 이름.md"] = Data(postText(["id: h1", "title: 글", "date: 2024-06-21"]).utf8)
            files["Content/free/한글 이름.comments.json"] = Data(#"[{"id": "c1", "date": "2024-06-21", "body": "댓글"}]"#.utf8)
            files["Content/free/2024/9.md"] = Data(Self.goodPost.utf8)
            files["Content/free/2024/9.comments.yml"] = Data("- id: c1\n  date: 2024-06-21\n  body: 댓글\n".utf8)
            for (path, bytes) in files { try fixture.write(path, bytes) }
            try fixture.write("Content/free/2024/photo.png", Data([1, 2, 3]))
        }
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(Set(result.contentHashes.keys) == Set(files.keys))
        for (path, bytes) in files { #expect(result.contentHashes[path] == StableHasher.hash([UInt8](bytes)), "\(path)") }
    }

    @Test func postThatIsNotUTF8() throws {
        let result = try loadFixture(minimalSiteYML) { fixture in
            var bytes = Data("---\ntitle: 한글 ".utf8)
            bytes.append(0xFF)
            bytes.append(contentsOf: "\ndate: 2024-06-21\n---\n".utf8)
            try fixture.write("Content/free/1.md", bytes)
        }
        // "title: 한글 " is 10 characters: the bad byte is the 11th.
        #expect(result.errors == ["Content/free/1.md:2:11: error: the file is not valid UTF-8 (save it as UTF-8)"])
    }

    @Test func truncatedUTF8SequenceInAComment() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost) { fixture in
            var bytes = Data("- id: 1\n  date: 2024-06-21\n  body: 안".utf8)
            bytes.append(contentsOf: Array("녕".utf8).prefix(2))
            bytes.append(contentsOf: "\n".utf8)
            try fixture.write("Content/free/1.comments.yml", bytes)
        }
        #expect(result.errors == ["Content/free/1.comments.yml:3:10: error: the file is not valid UTF-8 (save it as UTF-8)"])
    }

    @Test func siteFileThatIsNotUTF8() throws {
        let result = try loadFixture("-- Content/free/1.md --\n" + Self.goodPost + "-- Content/free/2.md --\n본문\n") { fixture in
            try fixture.write("site.yml", Data([0x74, 0x69, 0x74, 0x6C, 0x65, 0x3A, 0x20, 0xC0, 0xAF, 0x0A]))
        }
        #expect(
            result.errors == [
                "Content/free/2.md:1:1: error: a post must start with front matter: a line '---', YAML, and a line '---'",
                "site.yml:1:8: error: the file is not valid UTF-8 (save it as UTF-8)",
            ])
    }

    @Test func nfdTitleIsLoadedAsNFC() throws {
        let decomposed = "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}"  // 한글, as macOS file systems write it
        #expect(decomposed.unicodeScalars.count == 6)
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText(["title: \(decomposed)", "date: 2024-06-21", "tags: [\(decomposed)]"], body: decomposed))
        let post = try #require(result.post("free", "1"))
        #expect(post.title.unicodeScalars.map(\.value) == [0xD55C, 0xAE00])
        #expect(post.tags.first?.unicodeScalars.count == 2)
        #expect(post.body.unicodeScalars.count == 3)
    }

    // MARK: YAML syntax

    @Test func yamlSyntaxErrorInFrontMatterPointsIntoThePostFile() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n"
                + postText(["title: 글", "date: 2024-06-21", "tags: [a, b", "views: 3"]))
        // The unclosed sequence runs on into the next line ('b views', a plain scalar over two
        // lines, which cannot be a key), so libyaml stops at the ':' of 'views: 3': 0-based line 3,
        // column 5 of the YAML, which is line 5, column 6 of the file after the opening '---'.
        #expect(result.errors.count == 1)
        expectOne(result.errors, "Content/free/1.md:5:6: error:", containing: "while parsing a flow sequence")
    }

    @Test func yamlSyntaxErrorAfterKoreanTextCountsCharacters() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "author: \"한글 \\q\""]))
        // The bad escape '\q' is the 13th character of 'author: "한글 \q"', 0-based column 12.
        #expect(result.errors.count == 1)
        expectOne(result.errors, "Content/free/1.md:4:13: error:", containing: "unknown escape character")
    }

    @Test func yamlSyntaxErrorInSiteFile() throws {
        let result = try loadFixture("-- site.yml --\ntitle: 글\n  per_page: 3\n-- Content/free/1.md --\n" + Self.goodPost)
        #expect(result.errors.count == 1)
        expectOne(result.errors, "site.yml:2:11: error:", containing: "mapping values are not allowed")
    }

    @Test func yamlSyntaxErrorInCommentFile() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21
                  body: "열린 따옴표
                """)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.hasPrefix("Content/free/1.comments.yml:") == true, "\(result.errors)")
        #expect(result.errors.first?.contains("while scanning a quoted scalar") == true, "\(result.errors)")
    }

    @Test func yamlSyntaxErrorInBoardFile() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- Content/free/_board.yml --\ntitle: [자유\n")
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.hasPrefix("Content/free/_board.yml:") == true, "\(result.errors)")
    }

    @Test func duplicateKeys() throws {
        let result = try loadFixture(
            "-- site.yml --\ntitle: a\nper_page: 3\ntitle: b\n-- Content/free/1.md --\n"
                + postText(["title: 글", "date: 2024-06-21", "views: 1", "title: 또"]) + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21
                  body: a
                  body: b
                """)
        #expect(
            result.errors == [
                "Content/free/1.comments.yml:4:3: error: duplicate key 'body'",
                "Content/free/1.md:5:1: error: duplicate key 'title'",
                "site.yml:3:1: error: duplicate key 'title'",
            ])
    }

    @Test func yamlAliasBombIsAnErrorNotAHang() throws {
        let bomb = [
            "a: &a [x, x, x, x, x, x, x, x, x]",
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
            "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
            "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
            "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
            "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]",
        ]
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21"] + bomb))
        #expect(result.site == nil)
        #expect(result.errors.count == 1)
        // A front matter may hold 10,000 values: 5 for the root, title and date, 11 + 92 + 821 for
        // a, b and c, 2 + 9 × 820 for d make 8,311; the first alias of 'e' (line 7 of the YAML, line
        // 8 of the file) adds 7,381. (The alias budget itself is tested in YAMLTests.)
        expectOne(result.errors, "Content/free/1.md:8:8: error:", containing: "more than 10000 values in one file")
    }

    @Test func deeplyNestedParamIsAnErrorNotACrash() throws {
        let nested = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "extra: \(nested)"]))
        #expect(result.errors == ["Content/free/1.md:4:207: error: lists and mappings are nested more than 200 levels deep"])
    }

    // MARK: Comment files

    @Test func commentsInJSONWithoutSpaces() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + """
                -- Content/free/1.comments.json --
                [{"id":1,"date":"2024-06-21T14:50:02+09:00","body":"hi"},{"id":"2","reply_to":1,"author":"고블린","date":"2024-06-21T14:52:40+09:00","body":"**동의**","recommends":3,"deleted":false}]
                """)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let comments = try #require(result.post("free", "1")?.comments)
        #expect(comments.map(\.id) == ["1", "2"])
        #expect(comments[0].body == "hi")
        #expect(comments[0].date == instantUTC(2024, 6, 21, 5, 50, 2))
        #expect(comments[1].replyTo == "1")
        #expect(comments[1].author == "고블린")
        #expect(comments[1].recommends == 3)
    }

    @Test func commentsInJSONErrorsHaveLinesAndColumns() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + """
                -- Content/free/1.comments.json --
                [
                  {"id": 1, "date": "2024-06-21T14:50:02+09:00", "body": "hi"},
                  {"id": 2, "date": "2024-06-31T14:50:02+09:00", "body": "bad day"}
                ]
                """)
        // Day 31 of June: the opening quote is the 21st character of the line, the day 8 characters
        // after the one following it.
        #expect(result.errors.count == 1)
        expectOne(result.errors, "Content/free/1.comments.json:3:30: error:", containing: "day 31 is out of range")
    }

    @Test func replyToAMissingCommentIsAWarning() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + """
                -- Content/free/1.comments.yml --
                - id: 1
                  date: 2024-06-21T14:50:02+09:00
                  body: a
                - id: 2
                  reply_to: 99
                  date: 2024-06-21T14:51:02+09:00
                  body: b
                - id: 3
                  reply_to: 4
                  date: 2024-06-21T14:52:02+09:00
                  body: a reply to a later comment
                - id: 4
                  date: 2024-06-21T14:53:02+09:00
                  body: d
                """)
        #expect(result.errors.isEmpty)
        #expect(
            result.warnings == [
                "Content/free/1.comments.yml:5:13: warning: 'reply_to' names no earlier comment '99'; shown as a top-level comment",
                "Content/free/1.comments.yml:9:13: warning: 'reply_to' names no earlier comment '4'; shown as a top-level comment",
            ])
        let comments = try #require(result.post("free", "1")?.comments)
        #expect(comments.map(\.replyTo) == [nil, nil, nil, nil])
    }

    @Test func unknownKeysAreWarnings() throws {
        let result = try loadFixture(
            """
            -- site.yml --
            title: 테스트
            titl: 오타
            color: blue
            -- Content/free/_board.yml --
            title: 자유
            sortt: date
            -- Content/free/1.md --
            ---
            title: 글
            date: 2024-06-21
            recomends: 3
            mood: 맑음
            ---
            -- Content/free/1.comments.yml --
            - id: 1
              date: 2024-06-21
              body: a
              autor: 누군가
            """)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.site != nil)
        #expect(
            result.warnings == [
                "Content/free/1.comments.yml:4:3: warning: unknown key 'autor' in a comment is ignored (did you mean 'author'?)",
                "Content/free/1.md:4:1: warning: 'recomends' is kept as a template param; did you mean 'recommends'?",
                "Content/free/_board.yml:2:1: warning: unknown key 'sortt' in _board.yml is ignored (did you mean 'sort'?)",
                "site.yml:2:1: warning: unknown key 'titl' in site.yml is ignored (did you mean 'title'?)",
                "site.yml:3:1: warning: unknown key 'color' in site.yml is ignored",
            ])
    }

    @Test func twoCommentFilesForOnePost() throws {
        let comment = "- id: 1\n  date: 2024-06-21\n  body: a\n"
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- Content/free/1.comments.yml --\n" + comment
                + "-- Content/free/1.comments.json --\n[]\n" + "-- Content/free/2.comments.yml --\n" + comment)
        #expect(result.errors.isEmpty)
        #expect(
            result.warnings == [
                "Content/free/1.comments.json:1:1: warning: '1.comments.yml' is used; this comment file is ignored",
                "Content/free/2.comments.yml:1:1: warning: no post '2.md' beside this comment file; ignored",
            ])
        #expect(result.post("free", "1")?.comments.count == 1)
    }

    // MARK: Ids

    @Test func duplicatePostIDsInOneBoard() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- Content/free/sub/x.md --\n"
                + postText(["id: 1", "title: 다른 글", "date: 2024-06-21"]) + "-- Content/game/1.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/free/sub/x.md:1:1: error: duplicate post id '1' in board 'free' (also in Content/free/1.md)"
            ])
    }

    @Test func postIDsDifferingOnlyInCase() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/Ab.md --\n" + Self.goodPost + "-- Content/free/aB.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/free/aB.md:1:1: error: post id 'aB' differs only in case from another in board 'free' (also in Content/free/Ab.md)"
            ])
    }

    @Test(arguments: ["../etc", "a/b", "_x", "-x", "a b", "글", "a.b", "%2e%2e"])
    func invalidIDInFrontMatter(_ id: String) throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "id: '\(id)'", "date: 2024-06-21"]))
        #expect(result.site == nil)
        expectOne(result.errors, "Content/free/1.md:3:5: error:", containing: "'id' must be letters, digits, '_' or '-'")
    }

    @Test func invalidFileStemWithoutID() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/a b.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/free/a b.md:1:1: error: the file name 'a b' is not a valid post id; rename it or set 'id' (letters, digits, '_', '-')"
            ])
    }

    @Test func invalidFileStemWithAValidID() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/a b.md --\n" + postText(["id: ab", "title: 글", "date: 2024-06-21"]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.post("free", "ab") != nil)
    }

    @Test func listingNamesAreNotPostIDs() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "id: page"])
                + "-- Content/free/best.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/free/1.md:4:5: error: 'page' cannot be a post id: /<board>/page/ is a listing page",
                "Content/free/best.md:1:1: error: 'best' cannot be a post id: /<board>/best/ is a listing page",
            ])
    }

    @Test func listingNamesInAnotherCaseAreNotPostIDsEither() throws {
        // On a case-insensitive host, /free/Best/ would overwrite the recommended listing.
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + postText(["title: 글", "date: 2024-06-21", "id: PAGE"])
                + "-- Content/free/Best.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/free/1.md:4:5: error: 'PAGE' cannot be a post id: /<board>/page/ is a listing page",
                "Content/free/Best.md:1:1: error: 'Best' cannot be a post id: /<board>/best/ is a listing page",
            ])
    }

    // MARK: Boards and folders

    @Test(arguments: ["tags", "archive", "search", "page", "css", "Tags", "CSS"])
    func reservedBoardNames(_ name: String) throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/\(name)/1.md --\n" + Self.goodPost)
        #expect(result.site == nil)
        #expect(result.errors == ["Content/\(name):1:1: error: a board cannot be named '\(name)': /\(name)/ is one of the site's own paths"])
    }

    @Test func invalidBoardFolderName() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/자유/1.md --\n" + Self.goodPost)
        #expect(
            result.errors == [
                "Content/자유:1:1: error: board folder names must be letters, digits, '_' or '-' (starting with a letter or digit)"
            ])
    }

    @Test func boardsDifferingOnlyInCase() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/Free/1.md --\n" + Self.goodPost + "-- Content/free/1.md --\n" + Self.goodPost)
        #expect(result.errors == ["Content/free:1:1: error: board 'free' differs from board 'Free' only in case; rename one"])
    }

    @Test func emptyBoardIsAWarning() throws {
        let result = try loadFixture(
            minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- Content/empty/_board.yml --\ntitle: 빈 게시판\n")
        #expect(result.errors.isEmpty)
        #expect(result.warnings == ["Content/empty:1:1: warning: board 'empty' has no posts"])
        let board = try #require(result.site?.boards.first { $0.slug == "empty" })
        #expect(board.posts.isEmpty)
    }

    @Test func postOutsideABoardIsAWarning() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- Content/stray.md --\n" + Self.goodPost)
        #expect(result.errors.isEmpty)
        #expect(result.warnings == ["Content/stray.md:1:1: warning: a post must be inside a board folder (Content/<board>/); ignored"])
    }

    @Test func symlinkedPostPointingOutsideContentIsRefused() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- outside/secret.md --\n" + Self.goodPost) {
            fixture in
            try FileManager.default.createSymbolicLink(
                atPath: fixture.root + "/Content/free/2.md", withDestinationPath: fixture.root + "/outside/secret.md")
            try FileManager.default.createSymbolicLink(atPath: fixture.root + "/Content/free/3.md", withDestinationPath: "../../site.yml")
        }
        #expect(result.site == nil)
        #expect(
            result.errors == [
                "Content/free/2.md:1:1: error: symbolic link points outside Content/; refused",
                "Content/free/3.md:1:1: error: symbolic link points outside Content/; refused",
            ])
    }

    @Test func symlinkedBoardPointingOutsideContentIsRefused() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost + "-- elsewhere/1.md --\n" + Self.goodPost) {
            fixture in
            try FileManager.default.createSymbolicLink(atPath: fixture.root + "/Content/linked", withDestinationPath: fixture.root + "/elsewhere")
        }
        #expect(result.errors == ["Content/linked:1:1: error: symbolic link points outside Content/; refused"])
    }

    @Test func symlinkInsideContentIsFollowed() throws {
        let result = try loadFixture(minimalSiteYML + "-- Content/free/1.md --\n" + Self.goodPost) { fixture in
            try FileManager.default.createSymbolicLink(atPath: fixture.root + "/Content/free/2.md", withDestinationPath: "1.md")
        }
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.post("free", "2") != nil)
    }

    // MARK: Every error at once

    @Test func everyErrorOfABrokenSiteInOneLoad() throws {
        let result = try loadFixture(
            minimalSiteYML + """
                -- Content/free/1.md --
                ---
                title: 글
                date: 2024-13-01
                ---
                -- Content/free/2.md --
                ---
                date: 2024-06-21
                ---
                -- Content/free/3.md --
                본문만
                -- Content/free/4.md --
                ---
                title: 글
                date: 2024-06-21
                ---
                -- Content/free/4.comments.yml --
                - id: 1
                  body: 날짜 없음
                -- Content/free/5.md --
                ---
                title: [
                ---
                -- Content/game/1.md --
                ---
                title: 정상
                date: 2024-06-21
                ---
                -- Content/tags/1.md --
                ---
                title: 글
                date: 2024-06-21
                ---
                """)
        #expect(result.site == nil)
        let files = result.errors.map { $0.prefix { $0 != ":" } }
        #expect(
            files == [
                "Content/free/1.md", "Content/free/2.md", "Content/free/3.md", "Content/free/4.comments.yml", "Content/free/5.md",
                "Content/tags",
            ], "\(result.errors)")
        #expect(result.errors[0] == "Content/free/1.md:3:12: error: 'date' is not a valid date (month 13 is out of range): '2024-13-01'")
    }
}
