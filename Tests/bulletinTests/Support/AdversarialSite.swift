import BulletinTestSupport
import Foundation

/// The adversarial snapshot of `AdversarialSiteTests`: every payload of
/// `Fixtures/xss-payloads.txt` in every field of a post and its comments (payload *i* in post *i*),
/// and a few payloads in the board and site fields; `smallArchive` puts a chunk of payloads into
/// the site and board fields of a small site.
enum AdversarialSite {
    static let baseURL = "https://example.org/mirror/"
    static let boardCount = 8

    /// The payloads, `{U+XXXX}` expanded.
    static let payloads: [String] = {
        let path = FixtureSite.repository + "/Tests/bulletinTests/Fixtures/xss-payloads.txt"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { expand(String($0)) }
    }()

    /// `{U+XXXX}` → that scalar.
    static func expand(_ line: String) -> String {
        guard line.contains("{U+") else { return line }
        var out = String.UnicodeScalarView()
        var rest = Substring(line)
        while let open = rest.range(of: "{U+") {
            out.append(contentsOf: rest[..<open.lowerBound].unicodeScalars)
            let after = rest[open.upperBound...]
            if let close = after.firstIndex(of: "}"), let value = UInt32(after[..<close], radix: 16), let scalar = Unicode.Scalar(value) {
                out.append(scalar)
                rest = after[after.index(after: close)...]
            } else {
                out.append(contentsOf: "{U+".unicodeScalars)
                rest = after
            }
        }
        out.append(contentsOf: rest.unicodeScalars)
        return String(out)
    }

    // MARK: Where things go

    static func board(of i: Int) -> Int { i % boardCount }
    static func postID(_ i: Int) -> String { "p" + String(format: "%03d", i) }
    /// The post's page, relative to the output.
    static func postPage(_ i: Int) -> String { "b\(board(of: i))/\(postID(i))/index.html" }

    /// A payload as a page shows it: white space trimmed (as Bulletin trims titles, authors, tags
    /// and settings), and past `limit` characters cut and ended with "…" (as Bulletin cuts long
    /// titles, authors and tags).
    static func shown(_ payload: String, limit: Int = 100, singleLine: Bool = true) -> String {
        // One-line fields show control characters (tabs, newlines, C1, U+2028/9) as spaces.
        var line = String.UnicodeScalarView()
        for c in payload.unicodeScalars {
            let control = c.value < 0x20 || (c.value >= 0x7F && c.value <= 0x9F) || c == "\u{2028}" || c == "\u{2029}"
            line.append(control && singleLine ? " " : c)
        }
        let scalars = line
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        let trimmed = String(scalars[first...last])
        return trimmed.utf8.count > limit && trimmed.count > limit ? String(trimmed.prefix(limit)) + "…" : trimmed
    }

    /// The text without the characters XML 1.0 cannot carry.
    static func droppingXMLForbidden(_ s: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in s.unicodeScalars where !((scalar.value < 0x20 && !"\t\n\r".unicodeScalars.contains(scalar)) || scalar.value == 0xFFFE || scalar.value == 0xFFFF) {
            kept.append(scalar)
        }
        return String(kept)
    }

    /// Payloads picked for the board and site fields of the main build.
    static func pick(_ needle: String, _ fallback: Int) -> String {
        payloads.first { $0.contains(needle) } ?? payloads[fallback % payloads.count]
    }
    static let siteTitle = pick("</title><script>", 0)
    static let siteDescription = pick("\" autofocus onfocus=", 1)
    static let anonymous = pick("'><img src=x onerror", 2)
    static let boardTitles = (0..<boardCount).map { payloads[($0 * 31 + 3) % payloads.count] }
    static let boardDescriptions = (0..<boardCount).map { payloads[($0 * 37 + 11) % payloads.count] }

    /// The payloads in chunks of at most 280 characters, for the site and board fields of small
    /// builds (Bulletin may cut a title past 300).
    static let chunks: [[String]] = {
        var result: [[String]] = [[]]
        var length = 0
        for payload in payloads {
            if length + payload.count + 3 > 280 && !result[result.count - 1].isEmpty {
                result.append([])
                length = 0
            }
            result[result.count - 1].append(payload)
            length += payload.count + 3
        }
        return result
    }()

    // MARK: Quoting

    /// A YAML double-quoted scalar: `\` and `"` escaped, and every scalar that is not printable
    /// ASCII written as an escape, so that nothing (not even Unicode normalisation of the file)
    /// changes it on the way in.
    static func yaml(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, 4)
                } else {
                    out += "\\U" + hex(scalar.value, 8)
                }
            }
        }
        return out + "\""
    }

    /// A JSON string: `\`, `"` and controls escaped, the other non-ASCII of the Basic Multilingual
    /// Plane as `\uXXXX`; scalars past it are written as they are (libyaml, which reads the JSON,
    /// takes no surrogate pairs).
    static func json(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F || scalar.value > 0xFFFF {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u" + hex(scalar.value, 4)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: The main site

    /// A post's Markdown body: the payload alone, inline, as link text, image alt text and link
    /// title, and quoted.
    static func body(_ p: String) -> String {
        """
        \(p)

        앞 \(p) 뒤

        [\(p)](https://example.com/) ![\(p)](https://example.com/x.png) [제목](https://example.com/ "\(p)")

        > \(p)

        """
    }

    static func date(_ i: Int, minutes: Int = 0) -> String {
        // 7 hours apart, from 2024-01-01 00:00 in Seoul.
        let seconds = 1_704_034_800 + i * 7 * 3600 + minutes * 60
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'+09:00'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The files of the main site: (path, text).
    static func mainFiles() -> [(String, String)] {
        var files: [(String, String)] = []
        files.append((
            "site.yml",
            """
            title: \(yaml(siteTitle))
            description: \(yaml(siteDescription))
            anonymous: \(yaml(anonymous))
            base_url: \(baseURL)
            per_page: 25
            best_threshold: 2

            """
        ))
        for b in 0..<boardCount {
            files.append(("Content/b\(b)/_board.yml", "title: \(yaml(boardTitles[b]))\ndescription: \(yaml(boardDescriptions[b]))\n"))
        }
        let n = payloads.count
        for (i, p) in payloads.enumerated() {
            let q = payloads[(i + 1) % n]
            let folder = "Content/b\(board(of: i))/" + (i % 10 == 0 ? "sub/dir/" : "")
            var front = """
                title: \(yaml(p))
                author: \(yaml(p))
                date: \(date(i))
                views: \(i)
                recommends: \(i % 4)
                tags:
                  - \(yaml(p))
                source: \(yaml(p))
                captured: 2024-12-01T00:00:00+09:00
                \(yaml(p)): "값"
                payload_value: \(yaml(p))
                nested_value: {\(yaml(p)): [\(yaml(p))]}

                """
            if i % 53 == 7 { front += "notice: true\n" }
            if i % 47 == 5 { front += "deleted: true\n" }
            files.append((folder + postID(i) + ".md", "---\n" + front + "---\n" + body(p)))

            // 1: the payload as author and body; 2: as id, author and body, a reply to 1;
            // 3: anonymous, a reply to 2 by the payload id (so its reply link's title= names
            // the payload author); 4: a reply to the next payload, which names no comment here.
            typealias Field = (key: String, value: String, quoted: Bool)
            let comments: [[Field]] = [
                [("id", "1", true), ("author", p, true), ("date", date(i, minutes: 1), false), ("body", body(p), true)],
                [("id", p, true), ("reply_to", "1", true), ("author", p, true), ("date", date(i, minutes: 2), false), ("body", p, true)],
                [("id", "3", true), ("reply_to", p, true), ("date", date(i, minutes: 3), false), ("body", p, true), ("recommends", "2", false)],
                [("id", "4", true), ("reply_to", q, true), ("author", p, true), ("date", date(i, minutes: 4), false), ("body", p, true)]
                    + (i % 3 == 0 ? [("deleted", "true", false)] : []),
            ]
            if i % 2 == 0 {
                var text = ""
                for comment in comments {
                    for (k, field) in comment.enumerated() {
                        text += (k == 0 ? "- " : "  ") + field.key + ": " + (field.quoted ? yaml(field.value) : field.value) + "\n"
                    }
                }
                files.append((folder + postID(i) + ".comments.yml", text))
            } else {
                let objects = comments.map { comment in
                    "  {" + comment.map { json($0.key) + ": " + ($0.quoted ? json($0.value) : ($0.key == "date" ? json($0.value) : $0.value)) }.joined(separator: ", ") + "}"
                }
                files.append((folder + postID(i) + ".comments.json", "[\n" + objects.joined(separator: ",\n") + "\n]\n"))
            }
        }
        return files
    }

    /// A small site whose site title, description and anonymous name, board title and
    /// description each hold the chunk's payloads, one after another; its two posts and their
    /// comments name no author.
    static func smallArchive(_ chunk: [String]) -> String {
        let joined = chunk.joined(separator: " | ")
        var archive = """
            -- site.yml --
            title: \(yaml(joined))
            description: \(yaml(joined))
            anonymous: \(yaml(joined))
            base_url: \(baseURL)
            -- Content/free/_board.yml --
            title: \(yaml(joined))
            description: \(yaml(joined))

            """
        for n in 1...2 {
            archive += """
                -- Content/free/\(n).md --
                ---
                title: \(yaml(chunk[(n - 1) % chunk.count]))
                date: 2024-06-2\(n)T14:47:47+09:00
                recommends: 20
                tags: [\(yaml(chunk[(n - 1) % chunk.count]))]
                ---
                \(chunk.map { "- " + $0 }.joined(separator: "\n"))
                -- Content/free/\(n).comments.yml --
                - id: 1
                  date: 2024-06-2\(n)T15:00:00+09:00
                  body: \(yaml(joined))

                """
        }
        return archive
    }

    // MARK: The main build, once

    struct Build: Sendable {
        var tree: OutputTree
        var result: Binary.Result
        var seconds: Double
    }

    /// The main site, built once by the binary, its output read into memory and its folder removed.
    static let main: (build: Build?, error: String?) = {
        do {
            let fixture = try FixtureSite("-- README --\nadversarial\n")
            defer { fixture.remove() }
            try fixture.delete("README")
            for (path, text) in mainFiles() { try fixture.write(path, text) }
            let start = Date()
            let result = try Binary.run(["build", "--source", fixture.root])
            let seconds = Date().timeIntervalSince(start)
            guard result.status == 0 else {
                return (nil, "status \(result.status)\nstdout: \(result.stdout)\nstderr: \(result.stderr.prefix(4000))")
            }
            return (Build(tree: fixture.published, result: result, seconds: seconds), nil)
        } catch {
            return (nil, "\(error)")
        }
    }()
}
