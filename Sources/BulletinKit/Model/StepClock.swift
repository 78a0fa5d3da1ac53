#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times the steps of a build for `BULLETIN_STEPS=1 bulletin build`, which prints each step's
/// wall and CPU time to stderr: where a slow build spends its time, without a profiler.
struct StepClock {
    let enabled: Bool
    private var wall: Double
    private var cpu: Double

    init(enabled: Bool = getenv("BULLETIN_STEPS").map { String(cString: $0) == "1" } ?? false) {
        self.enabled = enabled
        wall = Self.wallNow()
        cpu = Self.cpuNow()
    }

    /// Prints the time since the last step (or since `init`) under `name`.
    mutating func step(_ name: String) {
        guard enabled else { return }
        let (w, c) = (Self.wallNow(), Self.cpuNow())
        let line = "step \(name): \(Self.ms(w - wall)) ms wall, \(Self.ms(c - cpu)) ms CPU\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        (wall, cpu) = (w, c)
    }

    private static func ms(_ seconds: Double) -> String { String(Int((seconds * 1000).rounded())) }

    private static func wallNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private static func cpuNow() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// `value` with `places` decimals (0 to 9), rounded half away from zero, for the lines a build
/// prints: what `String(format: "%.2f")` gives but at an exact half, without Foundation's
/// formatting, whose first use took 0.2 ms of a 34 ms rebuild that found nothing changed.
public func fixedPoint(_ value: Double, places: Int) -> String {
    let places = min(max(places, 0), 9)
    var scale: Int64 = 1
    for _ in 0..<places { scale *= 10 }
    guard value.isFinite, abs(value) * Double(scale) < 9e18 else { return String(value) }
    let scaled = Int64((abs(value) * Double(scale)).rounded())
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard places > 0 else { return sign + String(scaled) }
    let fraction = String(scaled % scale)
    return sign + String(scaled / scale) + "." + String(repeating: "0", count: places - fraction.count) + fraction
}
