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
    let results = Mutex<[R?]>(Array(repeating: nil, count: items.count))
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(jobs, items.count)) { _ in
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if index >= items.count { break }
            let value = transform(items[index])
            results.withLock { $0[index] = value }
        }
    }
    return results.withLock { $0.map { $0! } }
}

/// The number of cores to use by default.
public enum ProcessInfoCores {
    public static var count: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
