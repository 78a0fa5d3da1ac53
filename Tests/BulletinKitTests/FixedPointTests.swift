@testable import BulletinKit
import Foundation
import Testing

/// The numbers a build prints (`built … (136.8 MB) in 0.03 s`) are formatted without Foundation,
/// as `String(format:)` formats them.
struct FixedPointTests {
    @Test(arguments: [0.0, 0.004, 0.005, 0.03, 0.0349, 1.0, 9.995, 136.8, 136.849, 1234.5678, 0.25, 99.999])
    func matchesPrintfAwayFromHalves(value: Double) {
        for places in [1, 2, 3] {
            let scaled = value * pow(10, Double(places))
            // Exact halves are rounded away from zero here, to even by printf: not compared.
            if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-9 { continue }
            #expect(fixedPoint(value, places: places) == String(format: "%.\(places)f", value), "\(value), \(places) places")
        }
    }

    @Test func edges() {
        #expect(fixedPoint(0.125, places: 2) == "0.13")
        #expect(fixedPoint(2.5, places: 0) == "3")
        #expect(fixedPoint(-1.25, places: 1) == "-1.3")
        #expect(fixedPoint(-0.001, places: 2) == "0.00")
        #expect(fixedPoint(0.05, places: 3) == "0.050")
        #expect(fixedPoint(.infinity, places: 2) == "inf")
    }

    /// A value known already is there at once, and one computed elsewhere once ready.
    @Test func backgroundValues() {
        #expect(Background(value: 7).value == 7)
        let later = Background { (1...100).reduce(0, +) }
        #expect(later.value == 5050)
        #expect(later.value == 5050)
    }
}
