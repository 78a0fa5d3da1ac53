import ArgumentParser
import BulletinCommand
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `bulletin serve …` runs `bulletin-serve …`, the executable built beside this one, in this
/// process's place (`execv`: the same process, so Ctrl-C and other signals reach the server).
/// The preview server (Hummingbird, SwiftNIO) lives in that executable only: linked into this
/// one, it made every build's start about 1 ms longer (relocations and Swift's conformance
/// records), a thirtieth of a rebuild that finds nothing changed.
struct ServeLauncher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: serveAbstract,
        discussion: "Runs bulletin-serve, built beside bulletin; 'bulletin serve --help' shows its options.",
        // `--help` is passed on, so that bulletin-serve shows its options.
        helpNames: [])

    @Argument(parsing: .captureForPassthrough, help: "serve's options (see 'bulletin serve --help').")
    var options: [String] = []

    /// Where bulletin-serve is expected: beside the running executable.
    static var executable: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let own = count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        let folder = own.lastIndex(of: "/").map { String(own[..<$0]) } ?? "."
        return (folder.isEmpty ? "" : folder) + "/bulletin-serve"
    }

    func run() throws {
        let path = Self.executable
        let arguments = [path] + options
        var pointers = arguments.map { strdup($0) } + [nil]
        execv(path, &pointers)
        // Only a failed execv returns.
        let reason = String(cString: strerror(errno))
        throw Unavailable(
            description: "bulletin serve runs bulletin-serve, which cannot be run from \(path) (\(reason)); `swift build` builds it beside bulletin, and an installed bulletin needs it beside it too")
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }
}
