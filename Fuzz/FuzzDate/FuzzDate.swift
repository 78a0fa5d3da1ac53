import FuzzDriver
import FuzzHarness

/// libFuzzer on `FuzzHarness.date`.
@main
enum FuzzDate {
    static func main() {
        FuzzDriver.run(FuzzHarness.date)
    }
}
