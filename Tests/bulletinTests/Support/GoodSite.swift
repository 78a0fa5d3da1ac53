import BulletinTestSupport
import Foundation

/// A small but complete site: three boards (one with a `_board.yml`, one sorted by date), Korean
/// titles and tags, a notice, a deleted post, nested replies, comments in YAML and JSON, a post in a
/// subfolder, an attachment linked by relative path, and `per_page: 3` so that listings paginate.
///
/// What it must build to (times are in Asia/Seoul):
///
/// | board | posts (id: posted, last activity, recommends) |
/// |---|---|
/// | free  | 100 notice 01-05 · 101 06-21 (comments to 07-03) 12 · 102 06-22 12:00 3 · 103 deleted 06-23 · 104 06-22 08:30 (23:30Z the day before) 7 · 105 07-01 5 · 106 07-02 08:00 10 |
/// | humor | h1 2023-12-31 2 · 7 06-22 09:00 |
/// | qna   | 1 07-02 09:00 (comments in JSON) |
enum GoodSite {
    static let archive = #"""
        -- site.yml --
        title: 테스트 미러
        description: 시험용 게시판 스냅샷
        base_url: https://example.org/mirror/
        per_page: 3
        best_threshold: 5
        -- Content/free/_board.yml --
        title: 자유게시판
        description: 아무 이야기나 나누는 곳
        -- Content/free/100.md --
        ---
        title: "공지: 게시판 이용 안내"
        author: 운영자
        date: 2024-01-05T09:00:00+09:00
        notice: true
        ---
        서로 존중해 주세요.
        -- Content/free/101.md --
        ---
        title: 日정부, AI기업에 보조금
        date: 2024-06-21T14:47:47+09:00
        views: 116
        recommends: 12
        tags: [AI, 일본]
        source: https://board.example.com/free/101
        mood: 맑음
        ---
        일본 정부가 **AI 기업**에 보조금을 준다고 합니다.

        ![고양이 사진](img/cat.png)

        [점심 이야기](102.md)도 읽어 보세요.
        -- Content/free/101.comments.yml --
        - id: 1
          author: 고블린
          date: 2024-07-03T10:00:00+09:00
          body: 맞는 말이네
        - id: 2
          reply_to: 1
          date: 2024-07-03T10:05:00+09:00
          body: "**동의** 합니다"
          recommends: 3
        - id: 3
          reply_to: 2
          author: 오크
          date: 2024-07-03T10:10:00+09:00
          body: 저는 반대요
        - id: 4
          date: 2024-07-03T10:20:00+09:00
          deleted: true
        -- Content/free/102.md --
        ---
        title: 오늘 점심 뭐 먹지
        author: 배고픈사람
        date: 2024-06-22T12:00:00+09:00
        recommends: 3
        tags: [점심]
        ---
        김치찌개냐 된장찌개냐
        -- Content/free/2024/06/103.md --
        ---
        title: 삭제된 글입니다
        date: 2024-06-23 10:00
        deleted: true
        tags: [일본]
        ---
        지워지기 전의 본문
        -- Content/free/104.md --
        ---
        title: 일본 여행 후기
        date: 2024-06-21T23:30:00Z
        recommends: 7
        tags: [일본, 여행]
        ---
        오사카에 다녀왔습니다.
        -- Content/free/105.md --
        ---
        title: 주말 계획
        date: 2024-07-01T20:00:00+09:00
        recommends: 5
        tags: [일본]
        ---
        주말에는 쉽니다.
        -- Content/free/106.md --
        ---
        title: 질문 있어요
        date: 2024-07-02T08:00:00+09:00
        recommends: 10
        tags: [질문 답변, 일본]
        ---
        이 게시판은 언제 생겼나요?
        -- Content/humor/h1.md --
        ---
        title: 고양이 짤
        date: 2023-12-31T23:59:59+09:00
        recommends: 2
        tags: [고양이]
        ---
        야옹
        -- Content/humor/7.md --
        ---
        title: 웃긴 이야기
        date: 2024-06-22T09:00:00+09:00
        tags: [AI]
        ---
        하하하
        -- Content/qna/_board.yml --
        title: 질문과 답변
        sort: date
        -- Content/qna/1.md --
        ---
        title: 스위프트 질문
        date: 2024-07-02T09:00:00+09:00
        ---
        `async let`은 언제 쓰나요?
        -- Content/qna/1.comments.json --
        [
          {"id": 1, "date": "2024-07-02T09:30:00+09:00", "body": "구조화된 동시성에서요"},
          {"id": 2, "reply_to": 1, "date": "2024-07-02T09:40:00+09:00", "body": "감사합니다"}
        ]
        """#

    /// A few bytes that start like a PNG.
    static let image = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0xFF, 0x00])

    static let postCount = 10
    static let commentCount = 6
    /// home 1 · free 3+2+7 · humor 1+1+2 · qna 1+1+1 · tags 1+7 · archive 1 · years 1+3 ·
    /// months 1+1+2+1 · days 7 · 404 1 · search 1
    static let pageCount = 47

    /// Writes the site into a fresh temporary folder.
    static func make() throws -> FixtureSite {
        let site = try FixtureSite(archive)
        try site.write("Content/free/img/cat.png", image)
        return site
    }
}
