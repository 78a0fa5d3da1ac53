import FuzzDriver
import FuzzHarness

/// libFuzzer on `FuzzHarness.markdown`.
@main
enum FuzzMarkdown {
    static func main() {
        FuzzDriver.run(FuzzHarness.markdown)
    }
}
