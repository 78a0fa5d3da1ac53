import FuzzDriver
import FuzzHarness

/// libFuzzer on `FuzzHarness.postDecoder`.
@main
enum FuzzPostDecoder {
    static func main() {
        FuzzDriver.run(FuzzHarness.postDecoder)
    }
}
