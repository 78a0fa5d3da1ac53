import Foundation

/// Runs the built `bulletin` executable.
public enum Binary {
    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The executable beside the test bundle (`.build/<config>/bulletin`).
    public static var path: String {
        var url = Bundle.main.bundleURL
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent("bulletin").path) {
            url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        }
        let candidate = url.appendingPathComponent("bulletin").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return FixtureSite.repository + "/.build/debug/bulletin"
    }

    public static func run(_ arguments: [String], in folder: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
