import BulletinTestSupport
import Foundation
import Testing

@Test func helpExitsZero() throws {
    let result = try Binary.run(["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("build"))
}
