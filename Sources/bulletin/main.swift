import ArgumentParser
import Foundation

do {
    var command = try Bulletin.parseAsRoot()
    try command.run()
} catch is ContentErrors {
    exit(ExitStatus.contentErrors)
} catch {
    let code = Bulletin.exitCode(for: error)
    if code == .success {
        Bulletin.exit(withError: error)
    }
    FileHandle.standardError.write(Data((Bulletin.fullMessage(for: error) + "\n").utf8))
    if !(error is ValidationError) && Bulletin.message(for: error).isEmpty == false && code != .validationFailure {
        exit(code.rawValue == 64 ? ExitStatus.usage : ExitStatus.contentErrors)
    }
    exit(ExitStatus.usage)
}
