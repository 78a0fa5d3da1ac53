import Foundation

/// Runs the built `bulletin` executable.
public enum Binary {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The executable of the same build as the running tests: `$BULLETIN_BINARY` if set, else
    /// `bulletin` beside the test bundle (`<scratch>/<config>/bulletin`, so that
    /// `swift test --scratch-path X` runs X's binary), else `.build/debug/bulletin`.
    public static var path: String {
        if let given = ProcessInfo.processInfo.environment["BULLETIN_BINARY"], !given.isEmpty { return given }
        var folders: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for folder in folders {
            let candidate = folder.appendingPathComponent("bulletin").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return FixtureSite.repository + "/.build/debug/bulletin"
    }

    /// Runs the binary to its end. Its output goes through files rather than pipes, so a chatty
    /// stderr cannot block it while stdout is being read.
    /// - Parameter fileSizeLimit: the most KiB any file the binary writes may have (`ulimit -f`),
    ///   to make writes fail the way a full disk does.
    /// - Parameter executable: another copy of the binary to run instead.
    /// - Parameter environment: variables to set besides this process's.
    public static func run(
        _ arguments: [String], in folder: String? = nil, fileSizeLimit: Int? = nil, executable: String? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.path + "/bulletin-run-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/stdout"
        let errPath = scratch + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = try start(
            arguments, in: folder, stdout: out, stderr: err, fileSizeLimit: fileSizeLimit, executable: executable, environment: environment)
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }

    /// Starts the binary and returns at once; output is discarded unless handles are given.
    public static func start(
        _ arguments: [String], in folder: String? = nil, stdout: FileHandle? = nil, stderr: FileHandle? = nil,
        fileSizeLimit: Int? = nil, executable: String? = nil, environment: [String: String] = [:]
    ) throws -> Process {
        let path = executable ?? path
        let process = Process()
        if let fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "ulimit -f \(fileSizeLimit) && exec \"$0\" \"$@\"", path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        return process
    }
}
