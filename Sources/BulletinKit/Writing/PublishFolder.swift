import CBulletinSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Builds a site into a temporary folder beside the output and swaps it in only when the build
/// succeeded, so a failed or killed build leaves the published folder as it was.
public struct PublishFolder: Sendable {
    /// The folder the site is published in.
    public let output: String
    /// The temporary folder this build writes into.
    public let staging: String

    public init(output: String) {
        var trimmed = output
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        // An output that is a symbolic link (a web server's folder linked into the site) stays one:
        // the site replaces the folder it points to.
        var info = stat()
        if lstat(trimmed, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(trimmed, nil) {
            trimmed = String(cString: resolved)
            free(resolved)
        }
        self.output = trimmed
        let (parent, name) = Self.split(trimmed)
        self.staging = parent + "/." + name + ".bulletin-staging-" + String(getpid())
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        guard let (parent, name) = path.splitAtLastSlash else { return (".", path) }
        return (parent.isEmpty ? "/" : parent, name)
    }

    /// Why the output folder must not be replaced, if it must not: it holds files that Bulletin did
    /// not write (no `index.html` at its top), or it is not a folder.
    public func refusal() -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return "\(output) exists and is not a folder" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        if entries.isEmpty || entries.contains("index.html") { return nil }
        return "\(output) holds files that are not a built site (no index.html); refusing to replace it"
    }

    /// Removes staging folders that builds which are no longer running left behind.
    public func removeAbandonedStaging() {
        let (parent, name) = Self.split(output)
        let prefix = "." + name + ".bulletin-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.split(separator: "-").last ?? ""), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            let path = parent + "/" + entry
            // A build killed between its two renames left the published site here: put it back.
            if entry.hasPrefix(prefix + "old-") && !FileManager.default.fileExists(atPath: output) && rename(path, output) == 0 {
                continue
            }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Starts a fresh staging folder.
    public func prepare() throws {
        removeAbandonedStaging()
        try? FileManager.default.removeItem(atPath: staging)
        let (parent, _) = Self.split(output)
        if !FileManager.default.fileExists(atPath: parent) {
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard mkdir(staging, 0o755) == 0 else { throw OutputError(path: staging, reason: String(cString: strerror(errno))) }
    }

    /// Puts the staging folder in the output's place and removes the old output. Where the file
    /// system can, the two folders are exchanged in one atomic step, so the output is complete at
    /// every moment; elsewhere two renames leave a short window, which `removeAbandonedStaging`
    /// repairs if the build is killed inside it.
    public func publish() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            if bulletin_exchange_paths(staging, output) == 0 {
                // The staging folder now holds the old site.
                try? FileManager.default.removeItem(atPath: staging)
                return
            }
            guard errno == EINVAL || errno == ENOSYS else { throw OutputError(path: output, reason: String(cString: strerror(errno))) }
            let (parent, name) = Self.split(output)
            let old = parent + "/." + name + ".bulletin-old-" + String(getpid())
            try? FileManager.default.removeItem(atPath: old)
            guard rename(output, old) == 0 else { throw OutputError(path: output, reason: String(cString: strerror(errno))) }
            guard rename(staging, output) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = rename(old, output)
                throw OutputError(path: output, reason: reason)
            }
            try? FileManager.default.removeItem(atPath: old)
        } else {
            let (parent, _) = Self.split(output)
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            guard rename(staging, output) == 0 else { throw OutputError(path: output, reason: String(cString: strerror(errno))) }
        }
    }

    /// Removes the staging folder after a failed build.
    public func discard() {
        try? FileManager.default.removeItem(atPath: staging)
    }
}
