import FuzzDriver
import FuzzHarness

/// libFuzzer on `FuzzHarness.frontMatter`.
@main
enum FuzzFrontMatter {
    static func main() {
        FuzzDriver.run(FuzzHarness.frontMatter)
    }
}
