import Foundation
import Testing

@testable import BulletinKit

#if canImport(FuzzHarness)
import FuzzHarness  // with BULLETIN_FUZZ set, the harness is a module of its own (Package.swift)
#endif

/// Inputs the fuzzers found (or kept for the code they reach), run through the same code and
/// invariants as their fuzz target (FuzzHarness.swift). A file is named after its target:
/// `fuzz-markdown-<what>` goes through `FuzzHarness.markdown`.
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")

    static let targets: [(prefix: String, check: @Sendable ([UInt8]) -> [String])] = [
        ("fuzz-front-matter-", FuzzHarness.frontMatter),
        ("fuzz-post-decoder-", FuzzHarness.postDecoder),
        ("fuzz-date-", FuzzHarness.date),
        ("fuzz-markdown-", FuzzHarness.markdown),
    ]

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }()

    @Test func everyTargetHasRegressionInputs() {
        for target in Self.targets {
            #expect(Self.files.contains { $0.hasPrefix(target.prefix) }, "no file \(target.prefix)* in \(Self.folder.path)")
        }
    }

    @Test(arguments: files)
    func inputKeepsTheInvariants(_ name: String) throws {
        let target = try #require(Self.targets.first { name.hasPrefix($0.prefix) }, "\(name) names no fuzz target")
        let bytes = try [UInt8](Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let problems = target.check(bytes)
        #expect(problems.isEmpty, "\(name): \(problems)")
    }
}
