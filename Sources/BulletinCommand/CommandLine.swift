import ArgumentParser
import BulletinKit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the two executables share: `bulletin` (build, check, import) and `bulletin-serve`,
/// which `bulletin serve` runs (the preview server's libraries stay out of every other start).

/// `serve`'s one-line help, which `bulletin --help` lists and `bulletin serve --help` shows.
public let serveAbstract = "Build the site into memory and serve it, rebuilding and reloading on every change."

/// Exit codes: 0 success, 1 content errors, 2 usage errors.
public enum ExitStatus {
    public static let contentErrors: Int32 = 1
    public static let usage: Int32 = 2
}

/// A build or check that found errors in the content; they have been printed.
public struct ContentErrors: Error {
    public init() {}
}

public struct SourceOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "The site's folder, holding site.yml, Content/ and Themes/.")
    public var source: String = "."

    public init() {}

    public func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--source \(source) is not a folder")
        }
    }

    /// The source path without trailing slashes (but `/` stays `/`).
    public var folder: String {
        var s = source
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// How to build: for `build` and `serve`.
public struct RenderOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("base-url"), help: "The URL the site is published at, overriding site.yml's base_url (serve serves below its path).")
    public var baseURL: String?

    @Option(name: .long, help: "Threads to render with (default: all cores).")
    public var jobs: Int = ProcessInfoCores.count

    public init() {}

    public func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let baseURL, !(baseURL.hasPrefix("/") || baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
            throw ValidationError("--base-url must start with http://, https:// or /")
        }
    }
}

/// Parses the command line with `root` and runs the command it names, then exits with
/// ``ExitStatus``'s codes: help and `--version` exit 0, a usage error 2, content errors 1.
public func runCommandLine(_ root: any ParsableCommand.Type) -> Never {
    // A file-size limit (or a full quota) makes writes fail with EFBIG instead of killing the
    // process, so the build can report it and leave the published site alone.
    signal(SIGXFSZ, SIG_IGN)

    var command: any ParsableCommand
    do {
        command = try root.parseAsRoot()
    } catch {
        // --version and the like are "errors" that exit 0.
        if root.exitCode(for: error) == .success { root.exit(withError: error) }
        FileHandle.standardError.write(Data((root.fullMessage(for: error) + "\n").utf8))
        exit(ExitStatus.usage)
    }
    do {
        try command.run()
    } catch is ContentErrors {
        exit(ExitStatus.contentErrors)
    } catch {
        // Help asked for with `--help` arrives here, from the help command ArgumentParser runs.
        switch root.exitCode(for: error) {
        case .success: root.exit(withError: error)
        case .validationFailure:
            FileHandle.standardError.write(Data((root.fullMessage(for: error) + "\n").utf8))
            exit(ExitStatus.usage)
        default:
            FileHandle.standardError.write(Data("error: \(root.message(for: error))\n".utf8))
            exit(ExitStatus.contentErrors)
        }
    }
    exit(0)
}
