import Foundation
import Testing

@testable import BulletinKit

/// NFC without Foundation for text that is surely NFC already, and with it otherwise.
@Suite struct SourceTextTests {
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// What the byte scan must say of a text, worked out another way: every scalar is in one of
    /// the stable ranges.
    static func surelyNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in SourceText.stableRanges.contains { $0.contains(scalar.value) } }
    }

    static func scan(_ text: String) -> (surelyNFC: Bool, hasCR: Bool) {
        Array(text.utf8).withUnsafeBufferPointer(SourceText.scan)
    }

    @Test func everyStableScalarIsNFCAloneAndAfterOthers() {
        var failures: [String] = []
        for range in SourceText.stableRanges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                for base in ["", "A", "가", "\u{1100}"] {
                    var text = base
                    text.unicodeScalars.append(scalar)
                    if !Self.same(text.precomposedStringWithCanonicalMapping, text) { failures.append(String(value, radix: 16)) }
                }
            }
        }
        #expect(failures.isEmpty, "not NFC-stable: \(failures.prefix(20))")
    }

    @Test func textOutsideTheRangesIsNormalised() throws {
        // 가 as two jamo, é as e and a combining accent, Å as the Ångström sign.
        for (raw, nfc) in [("\u{1100}\u{1161}", "가"), ("cafe\u{301}", "café"), ("\u{212B}", "Å"), ("ㅋㅋ \u{1100}\u{1161}", "ㅋㅋ 가")] {
            #expect(!Self.scan(raw).surelyNFC)
            let decoded = try SourceText.decode(Array(raw.utf8)).get()
            #expect(Self.same(decoded, nfc))
        }
    }

    @Test func mixedTextGivesWhatFoundationGives() throws {
        var random = SplitMix(seed: 7)
        let samples: [UInt32] = [0x41, 0x20, 0x0A, 0xE9, 0x2026, 0x3131, 0x314B, 0x4E2D, 0xAC00, 0xD55C, 0xFF01, 0x1F600, 0x301, 0x1161, 0x11A8, 0x212B]
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int(random.next() % 12) { text.unicodeScalars.append(Unicode.Scalar(samples[Int(random.next() % UInt64(samples.count))])!) }
            let decoded = try SourceText.decode(Array(text.utf8)).get()
            #expect(Self.same(decoded, text.precomposedStringWithCanonicalMapping), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// The byte scan `decode` uses says what the ranges say scalar by scalar, and finds CRs, for every length of UTF-8 sequence.
    @Test func byteScanAgreesWithTheScalarCheck() {
        var random = SplitMix(seed: 11)
        let samples: [UInt32] = [0x41, 0x0D, 0x0A, 0x7F, 0x80, 0x2FF, 0x300, 0x7FF, 0x800, 0x2026, 0x3131, 0xABFF, 0xAC00, 0xD7A3, 0xD7A4, 0xFFFD, 0x10000, 0x1F600, 0x1FB00, 0x10FFFF]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int(random.next() % 8) { text.unicodeScalars.append(Unicode.Scalar(samples[Int(random.next() % UInt64(samples.count))])!) }
            let (nfc, cr) = Self.scan(text)
            #expect(nfc == Self.surelyNFC(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(cr == text.utf8.contains(13))
        }
    }
}
