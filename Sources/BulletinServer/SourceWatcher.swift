import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Watches a site's `site.yml`, `Content/` and `Themes/` with inotify and reports changed paths.
///
/// One inotify watch per folder (inotify is not recursive); folders created or moved in later
/// are watched as they appear. A thread of its own waits on the inotify descriptor, so no
/// thread of Swift's concurrency pool is ever blocked. Editor leftovers (names starting with
/// `.`, ending in `~` or `.swp`) are ignored.
public final class SourceWatcher: Sendable {
    /// Yields when something changed; several changes may arrive as one signal. The paths are
    /// taken with ``takeChanges()``.
    public let signals: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let pending = Mutex<(paths: [String], last: ContinuousClock.Instant?)>(([], nil))
    private let root: String
    private let descriptor: Int32
    private let stopped = Atomic<Bool>(false)
    /// Watch descriptor → folder relative to the root (`""`, `Content`, `Content/free`, …).
    private let folders = Mutex<[Int32: String]>([:])

    static let watchedTopLevel: Set<String> = ["site.yml", "Content", "Themes"]

    /// Starts watching `root`; nil when inotify is not available.
    public init?(root: String) {
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { return nil }
        self.root = root
        (signals, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        addWatch("")
        for name in ["Content", "Themes"] { addTree(name) }
        let thread = Thread { [self] in self.loop() }
        thread.name = "bulletin-watcher"
        thread.start()
    }

    /// The paths changed since the last call, relative to the site's folder.
    public func takeChanges() -> [String] {
        pending.withLock { state in
            defer { state.paths = [] }
            return state.paths
        }
    }

    /// How long until nothing will have changed for `period`; nil when that is already so.
    public func timeUntilQuiet(for period: Duration) -> Duration? {
        pending.withLock { state in
            guard let last = state.last else { return nil }
            let left = period - (ContinuousClock.now - last)
            return left > .zero ? left : nil
        }
    }

    /// Stops the thread and ends `signals`.
    public func stop() {
        stopped.store(true, ordering: .releasing)
    }

    private static let mask: UInt32 =
        UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

    private func addWatch(_ relative: String) {
        let path = relative.isEmpty ? root : root + "/" + relative
        let wd = inotify_add_watch(descriptor, path, Self.mask | UInt32(IN_ONLYDIR))
        if wd >= 0 { folders.withLock { $0[wd] = relative } }
    }

    /// Watches a folder and every folder below it.
    private func addTree(_ relative: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        addWatch(relative)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []
        for entry in entries where !Self.isIgnored(entry) {
            let child = relative + "/" + entry
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + child, isDirectory: &childIsDirectory), childIsDirectory.boolValue {
                addTree(child)
            }
        }
    }

    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".swx") || name == "4913"
    }

    private func loop() {
        defer {
            close(descriptor)
            continuation.finish()
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .acquiring) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { continue }
            let changed = parse(buffer, count: count)
            if !changed.isEmpty {
                pending.withLock { state in
                    state.paths += changed
                    state.last = .now
                }
                continuation.yield()
            }
        }
    }

    private func parse(_ buffer: [UInt8], count: Int) -> [String] {
        var changed: [String] = []
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                return (event.wd, event.mask, Int(event.len))
            }
            let nameBytes = buffer[(offset + headerSize)..<min(count, offset + headerSize + length)].prefix { $0 != 0 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            offset += headerSize + length
            if mask & UInt32(IN_IGNORED) != 0 {
                folders.withLock { $0[wd] = nil }
                continue
            }
            guard let folder = folders.withLock({ $0[wd] }) else { continue }
            if name.isEmpty {
                // The watched folder itself was deleted or moved.
                if !folder.isEmpty { changed.append(folder) }
                continue
            }
            if Self.isIgnored(name) { continue }
            if folder.isEmpty && !Self.watchedTopLevel.contains(name) { continue }
            let relative = folder.isEmpty ? name : folder + "/" + name
            if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                addTree(relative)
            }
            changed.append(relative)
        }
        return changed
    }
}
