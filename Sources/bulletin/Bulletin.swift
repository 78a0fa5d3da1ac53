import ArgumentParser
import BulletinCommand
import BulletinKit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct Bulletin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Build static mirror sites from board snapshots.",
        subcommands: [Build.self, Check.self, ServeLauncher.self, Import.self],
        defaultSubcommand: Build.self
    )
}

func printDiagnostics(_ diagnostics: [Diagnostic]) {
    for d in diagnostics { FileHandle.standardError.write(Data((d.description + "\n").utf8)) }
}

func summary(of diagnostics: [Diagnostic]) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    return "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the site into its output folder.",
        discussion: """
            The site is built into a temporary folder and replaces the output only when the build succeeded. \
            A manifest kept in the cache folder lets the next build of the same output render only the pages whose \
            content changed and write only the files whose bytes changed (the others keep their dates); \
            a build with no change writes nothing.
            """)

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "The folder to write the site to (default: site.yml's output, inside --source).")
    var output: String?

    @OptionGroup var render: RenderOptions

    @Flag(name: .long, help: "Print only errors and warnings.")
    var quiet = false

    @Flag(name: .long, help: "Render and write every file, ignoring what the last build kept.")
    var clean = false

    @Option(name: .long, help: ArgumentHelp("Above this many posts, keep only what listings need in memory and read each post again to render its page.", valueName: "posts"))
    var dropContentAbove = 200_000

    @Option(name: .long, help: "The file that keeps the build's manifest between runs (default: .NAME.bulletin-manifest beside the output folder NAME).")
    var manifest: String?

    /// The most changed files a rebuild puts in place one by one (more are staged and swapped in
    /// whole); hidden: the tests use it to take each way.
    @Option(name: .long, help: .hidden)
    var inPlaceLimit: Int?

    func run() throws {
        let clock = ContinuousClock.now
        let showProgress = !quiet && isatty(STDERR_FILENO) == 1
        var progress: (@Sendable (Int, Int) -> Void)?
        if showProgress {
            progress = { done, total in
                if total >= 2000 { FileHandle.standardError.write(Data("\rrendering pages \(done)/\(total)".utf8)) }
            }
        }
        let builder = SiteBuilder(
            options: .init(
                source: source.folder, output: output, baseURL: render.baseURL, jobs: render.jobs, progress: progress, manifest: manifest, clean: clean,
                dropContentAbove: dropContentAbove, inPlaceLimit: inPlaceLimit, freesMemory: false))
        let report = builder.build()
        if showProgress && report.pages >= 2000 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printDiagnostics(report.diagnostics)
        guard report.succeeded, let out = report.output else {
            FileHandle.standardError.write(Data("build failed: \(summary(of: report.diagnostics)); the output folder was left as it was\n".utf8))
            throw ContentErrors()
        }
        if !quiet {
            let elapsed = ContinuousClock.now - clock
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let megabytes = Double(report.bytes) / 1_048_576
            print(
                "built \(report.posts) posts, \(report.comments) comments: \(report.pages) pages, \(report.files) files "
                    + "(\(fixedPoint(megabytes, places: 1)) MB) in \(fixedPoint(seconds, places: 2)) s; "
                    + (report.changed || report.rendered > 0 ? "rendered \(report.rendered), wrote \(report.written), removed \(report.removed)" : "nothing changed, nothing written")
                    + " → \(out)")
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Merge captures of a board into Content/.",
        discussion: """
            A capture is a folder in Bulletin's content format or a JSON Lines file, one post a line. Counts come from \
            the newest capture; a changed title or body keeps its earlier versions; comments are kept forever, and \
            posts and comments that a newer capture lacks are marked deleted. Any order of the same captures, imported \
            any number of times, gives the same Content/. Nothing is written unless every capture reads without error.
            """)

    @Argument(help: "Capture folders and JSON Lines files.")
    var captures: [String]

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "The board of posts that name none.")
    var board: String?

    @Option(name: .long, help: "When the captures were taken, if they do not say (ISO 8601; the site's zone when no offset is given).")
    var captured: String?

    @Option(name: .long, help: "The captures' text encoding: utf-8, cp949 or euc-kr (default: UTF-8 when valid, else CP949).")
    var encoding: CaptureEncoding?

    @Flag(name: .long, help: "Print what would change, and change nothing.")
    var dryRun = false

    func run() throws {
        let importer = Importer(
            options: .init(source: source.folder, board: board, captured: captured, encoding: encoding, dryRun: dryRun))
        let report = importer.run(captures)
        printDiagnostics(report.diagnostics)
        if report.failed {
            FileHandle.standardError.write(Data("import failed: \(summary(of: report.diagnostics)); Content/ was not changed\n".utf8))
            throw ContentErrors()
        }
        for change in report.changes { print((dryRun ? "would " : "") + (change.isNew ? "add " : "update ") + change.path) }
        let files = "\(report.changes.count) file\(report.changes.count == 1 ? "" : "s")"
        print("\(report.posts) post\(report.posts == 1 ? "" : "s") from \(report.captures) capture\(report.captures == 1 ? "" : "s"): \(dryRun ? "would write" : "wrote") \(files)")
    }
}

extension CaptureEncoding: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Load and validate the site without writing anything.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "How to print the diagnostics: text or json.")
    var format: Format = .text

    func run() throws {
        let builder = SiteBuilder(options: .init(source: source.folder))
        let (site, _, diagnostics) = builder.check()
        switch format {
        case .text:
            printDiagnostics(diagnostics)
            if let site, !diagnostics.hasErrors {
                print("ok: \(site.boards.count) boards, \(site.postCount) posts, \(site.commentCount) comments; \(summary(of: diagnostics))")
            } else {
                FileHandle.standardError.write(Data("check failed: \(summary(of: diagnostics))\n".utf8))
            }
        case .json:
            let items = diagnostics.map { d -> [String: Any] in
                ["severity": d.severity.rawValue, "path": d.location.path, "line": d.location.line, "column": d.location.column, "message": d.message]
            }
            let data = try JSONSerialization.data(withJSONObject: ["ok": !diagnostics.hasErrors, "diagnostics": items], options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
        if diagnostics.hasErrors { throw ContentErrors() }
    }
}
