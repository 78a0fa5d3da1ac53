import BulletinTestSupport
import Foundation
import Testing

/// The same site always builds to the same bytes, whatever the output folder or thread count.
@Suite struct DeterminismTests {
    /// The good site plus 120 generated posts over its boards, with tags, comments and
    /// attachments, so that rendering in parallel has something to reorder.
    static func makeSite() throws -> FixtureSite {
        let site = try GoodSite.make()
        let boards = ["free", "humor", "qna"]
        for n in 0..<120 {
            let board = boards[n % 3]
            let day = 1 + n % 28
            let month = 1 + (n / 28) % 12
            let hour = n % 24
            var post = "---\ntitle: 생성된 글 \(n)번\nauthor: 작성자\(n % 7)\n"
            post += "date: 2022-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) \(hour < 10 ? "0" : "")\(hour):15\n"
            post += "recommends: \(n % 13)\nviews: \(n * 7)\ntags: [태그\(n % 5), 공통]\n---\n"
            post += "\(n)번째 본문입니다. https://example.com/\(n) 참고.\n\n![그림](files/\(n).png)\n"
            try site.write("Content/\(board)/gen/g\(n).md", post)
            try site.write("Content/\(board)/gen/files/\(n).png", Data([0x89, 0x50, 0x4E, 0x47, UInt8(n)]))
            if n % 4 == 0 {
                try site.write(
                    "Content/\(board)/gen/g\(n).comments.yml",
                    "- id: a\n  date: 2023-01-01T00:00:00Z\n  body: 첫 댓글\n- id: b\n  reply_to: a\n  date: 2023-01-02T00:00:00Z\n  body: 답글\n")
            }
        }
        return site
    }

    @Test func twoBuildsAreByteIdentical() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try Binary.run(["build", "--source", site.root, "--output", folder + "/one"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let second = try Binary.run(["build", "--source", site.root, "--output", folder + "/two"])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let one = OutputTree(folder + "/one")
        let two = OutputTree(folder + "/two")
        #expect(one.files.count > 300)
        #expect(one.differences(from: two) == [])
    }

    /// A site too big to hold lets go of bodies and comments after loading and reads each post
    /// again for its page: the same bytes and the same warnings.
    @Test func droppingContentAfterLoadingDoesNotChangeTheOutput() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let held = try Binary.run(["build", "--source", site.root, "--output", folder + "/held"])
        #expect(held.status == 0, "stderr: \(held.stderr)")
        let dropped = try Binary.run(["build", "--source", site.root, "--output", folder + "/dropped", "--drop-content-above", "0"])
        #expect(dropped.status == 0, "stderr: \(dropped.stderr)")
        #expect(held.stderr == dropped.stderr)
        #expect(held.stdout.split(separator: " ").prefix(8) == dropped.stdout.split(separator: " ").prefix(8))
        let one = OutputTree(folder + "/held")
        #expect(one.files.count > 300)
        #expect(one.differences(from: OutputTree(folder + "/dropped")) == [])
    }

    @Test func threadCountDoesNotChangeTheOutput() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let serial = try Binary.run(["build", "--source", site.root, "--output", folder + "/serial", "--jobs", "1"])
        #expect(serial.status == 0, "stderr: \(serial.stderr)")
        let parallel = try Binary.run(["build", "--source", site.root, "--output", folder + "/parallel", "--jobs", "4"])
        #expect(parallel.status == 0, "stderr: \(parallel.stderr)")
        #expect(serial.stderr == parallel.stderr)
        let one = OutputTree(folder + "/serial")
        let four = OutputTree(folder + "/parallel")
        #expect(one.files.count > 300)
        #expect(one.differences(from: four) == [])
    }

    @Test func rebuildingInPlaceGivesTheSameTree() throws {
        let site = try Self.makeSite()
        defer { site.remove() }
        #expect(try site.bulletin("build", "--quiet").status == 0)
        let first = site.published
        #expect(try site.bulletin("build", "--quiet", "--jobs", "3").status == 0)
        #expect(site.published.differences(from: first) == [])
        #expect(stagingLeftovers(beside: site.root + "/public") == [])
    }
}
