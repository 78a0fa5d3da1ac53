import ArgumentParser
// Linked for its malloc, which takes the place of the C library's for the whole process.
import CMimalloc
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// A file-size limit (or a full quota) makes writes fail with EFBIG instead of killing the
// process, so the build can report it and leave the published site alone.
signal(SIGXFSZ, SIG_IGN)

var command: ParsableCommand
do {
    command = try Bulletin.parseAsRoot()
} catch {
    // --version and the like are "errors" that exit 0.
    if Bulletin.exitCode(for: error) == .success { Bulletin.exit(withError: error) }
    FileHandle.standardError.write(Data((Bulletin.fullMessage(for: error) + "\n").utf8))
    exit(ExitStatus.usage)
}
do {
    try command.run()
} catch is ContentErrors {
    exit(ExitStatus.contentErrors)
} catch {
    // Help asked for with `--help` arrives here, from the help command ArgumentParser runs.
    switch Bulletin.exitCode(for: error) {
    case .success: Bulletin.exit(withError: error)
    case .validationFailure:
        FileHandle.standardError.write(Data((Bulletin.fullMessage(for: error) + "\n").utf8))
        exit(ExitStatus.usage)
    default:
        FileHandle.standardError.write(Data("error: \(Bulletin.message(for: error))\n".utf8))
        exit(ExitStatus.contentErrors)
    }
}
