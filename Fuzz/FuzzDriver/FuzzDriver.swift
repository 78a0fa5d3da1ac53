import CFuzzDriver
import Foundation

/// The check the running fuzz target applies to each input (set once, before fuzzing starts).
nonisolated(unsafe) private var check: (([UInt8]) -> [String])?

/// One input through the target's check; a broken invariant is a crash, with its description.
/// (libFuzzer's own objects refer to this symbol, so every fuzz target has it.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, let check else { return 0 }
    if let problem = check(Array(UnsafeBufferPointer(start: data, count: size))).first {
        fatalError(problem)  // not preconditionFailure: -O builds drop its message
    }
    return 0
}

/// What every fuzz target's `@main` does: runs libFuzzer on one `FuzzHarness` check.
public enum FuzzDriver {
    public static func run(_ harness: @escaping ([UInt8]) -> [String]) -> Never {
        check = harness
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
