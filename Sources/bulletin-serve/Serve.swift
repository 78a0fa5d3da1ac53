import ArgumentParser
import BulletinCommand
import BulletinKit
import BulletinServer
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The server could not start or stopped on an error (a port in use, an address not on this machine).
struct ServeFailure: Error, CustomStringConvertible {
    var description: String
}

/// `bulletin serve`, an executable of its own (`bulletin` runs it): the preview server's
/// libraries (Hummingbird, SwiftNIO) made every start of `bulletin` slower, about 1 ms.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin serve",
        abstract: serveAbstract,
        discussion: """
            Nothing is written to the output folder. site.yml, Content/ and Themes/ are watched; on a change the site \
            is rebuilt and open pages reload. A build that fails keeps the last good site served and shows its errors \
            in the terminal and on the pages. Stop with Ctrl-C.
            """)

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "The address to listen on. Other machines can reach the server only if it is not 127.0.0.1.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port to listen on (0: any free port).")
    var port = 8080

    @OptionGroup var render: RenderOptions

    @Flag(name: .long, help: "Open the site in the default browser (xdg-open).")
    var open = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        // The command line's entry point is synchronous: wait here while the server runs on
        // Swift's concurrency pool (the main thread is not one of its threads).
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let serve = self
        Task.detached {
            do {
                try await serve.serve()
            } catch {
                failure.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw ServeFailure(description: "cannot serve on \(host):\(port): \(error)") }
    }

    private func serve() async throws {
        let log: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let server = PreviewServer(
            configuration: .init(
                build: .init(source: source.folder, baseURL: render.baseURL, jobs: render.jobs), host: host, port: port, log: log))
        let open = open
        try await server.run(stopOnSignals: true) { url in
            FileHandle.standardOutput.write(Data("serving at \(url) (Ctrl-C to stop)\n".utf8))
            if open { Serve.openInBrowser(url) }
        }
        FileHandle.standardOutput.write(Data("stopped\n".utf8))
    }

    static func openInBrowser(_ url: String) {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let opener = path.map({ $0 + "/xdg-open" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            FileHandle.standardError.write(Data("cannot open a browser (no xdg-open); open \(url) yourself\n".utf8))
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("cannot open a browser (\(error)); open \(url) yourself\n".utf8))
        }
    }
}
