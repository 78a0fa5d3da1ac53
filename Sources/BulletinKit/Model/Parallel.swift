#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Maps `items` on all cores (or `jobs` threads), keeping their order in the result.
public func parallelMap<T: Sendable, R: Sendable>(
    _ items: [T], jobs: Int = ProcessInfoCores.count, _ transform: @Sendable (T) -> R
) -> [R] {
    if items.count < 2 || jobs <= 1 { return items.map(transform) }
    return parallelMap(count: items.count, jobs: jobs, chunk: 1) { transform(items[$0]) }
}

/// `(0..<count).map(transform)` on all cores, in chunks of `chunk` items taken one after
/// another by whichever thread is free (small chunks for items that cost much and little alike,
/// bigger ones for cheap items). Each result is put straight into its place in the array.
public func parallelMap<R: Sendable>(count: Int, jobs: Int = ProcessInfoCores.count, chunk: Int = 512, _ transform: @Sendable (Int) -> R) -> [R] {
    if count < 2 || jobs <= 1 { return (0..<count).map(transform) }
    let chunks = (count + chunk - 1) / chunk
    return [R](unsafeUninitializedCapacity: count) { buffer, initialized in
        let results = SharedBuffer(base: buffer.baseAddress!)
        let next = Atomic<Int>(0)
        // Each index is written by one thread, once; the last thread is done before this returns.
        DispatchQueue.concurrentPerform(iterations: min(jobs, chunks)) { _ in
            while true {
                let c = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if c >= chunks { break }
                for i in (c * chunk)..<min(count, c * chunk + chunk) { (results.base + i).initialize(to: transform(i)) }
            }
        }
        initialized = count
    }
}

/// The results' memory, which the threads of `parallelMap` write at indexes of their own.
private struct SharedBuffer<R>: @unchecked Sendable {
    let base: UnsafeMutablePointer<R>
}

/// A value computed on another thread while the caller goes on; `value` waits for it.
public final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping @Sendable () -> T) {
        DispatchQueue.global().async {
            let value = work()
            self.result.withLock { $0 = value }
            self.done.signal()
        }
    }

    /// A value known already: no thread is started (waking one cost a no-change rebuild 0.3 ms).
    public init(value: T) {
        result.withLock { $0 = value }
    }

    public var value: T {
        if let value = result.withLock({ $0 }) { return value }
        done.wait()
        return result.withLock { $0! }
    }
}

/// Runs `a` and `b` at the same time, `b` on a thread of its own, even on one core: the two may
/// wait for each other (``StampCheck``), which two iterations of `concurrentPerform` would not
/// allow where it runs them one after the other. Gives both results.
public func both<A: Sendable, B: Sendable>(_ a: @Sendable () -> A, _ b: @Sendable () -> B) -> (A, B) {
    withoutActuallyEscaping(b) { b in
        let result = Mutex<B?>(nil)
        let second = OwnThread { result.withLock { $0 = b() } }
        let first = a()
        second.join()
        return (first, result.withLock { $0.take()! })
    }
}

/// Runs `work` on a new thread (or, when none can be made, on a queue's); `join` waits for it.
private final class OwnThread: @unchecked Sendable {
    private let work: @Sendable () -> Void
    private var thread = pthread_t()
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    init(_ work: @escaping @Sendable () -> Void) {
        self.work = work
        let box = Unmanaged.passRetained(self).toOpaque()
        started =
            pthread_create(
                &thread, nil,
                { box in
                    Unmanaged<OwnThread>.fromOpaque(box!).takeRetainedValue().work()
                    return nil
                }, box) == 0
        if !started {
            Unmanaged<OwnThread>.fromOpaque(box).release()
            DispatchQueue.global().async {
                self.work()
                self.done.signal()
            }
        }
    }

    func join() {
        if started { pthread_join(thread, nil) } else { done.wait() }
    }
}

/// The number of cores to use by default.
public enum ProcessInfoCores {
    /// Asked once: the C library reads `/sys` for it each time, and the command line's options
    /// default to it as each is made (seven times in a `bulletin build`).
    public static let count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

/// `items` sorted: with `jobs` > 1 and enough items, each half on a thread of its own, then merged.
/// For orders where no two items are equal (paths), so that the result is the one `sorted` gives.
public func parallelSorted<T: Sendable>(_ items: [T], jobs: Int = ProcessInfoCores.count, by less: @escaping @Sendable (T, T) -> Bool) -> [T] {
    guard jobs > 1, items.count >= 4096 else { return items.sorted(by: less) }
    let middle = items.count / 2
    let (a, b) = both({ items[..<middle].sorted(by: less) }, { items[middle...].sorted(by: less) })
    var merged: [T] = []
    merged.reserveCapacity(items.count)
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
        if less(b[j], a[i]) {
            merged.append(b[j])
            j += 1
        } else {
            merged.append(a[i])
            i += 1
        }
    }
    merged += a[i...]
    merged += b[j...]
    return merged
}
