import CFuzzDriver
import Foundation
import FuzzHarness

/// The input through `FuzzHarness.date`; a broken invariant is a crash, with its description.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let problem = FuzzHarness.date(Array(UnsafeBufferPointer(start: data, count: size))).first {
        fatalError(problem)  // not preconditionFailure: -O builds drop its message
    }
    return 0
}

@main
enum FuzzDate {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            guard let data else { return 0 }
            return fuzz(data, size)
        }
        exit(status)
    }
}
