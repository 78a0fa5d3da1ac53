/// A 64-bit hash that is the same in every run and on every machine, unlike Swift's `Hasher`
/// (seeded per process): what the build manifest stores to recognise inputs, pages and files
/// across runs. Word at a time, in the manner of xxHash64's single lane; not cryptographic.
public struct StableHasher: Sendable {
    private var state: UInt64 = 0x27D4_EB2F_1656_67C5
    private var length: UInt64 = 0

    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63

    public init() {}

    @inline(__always)
    private static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 { rotate(lane &+ UInt64(littleEndian: word) &* p2, 31) &* p1 }

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        var k = word &* Self.p2
        k = (k << 31) | (k >> 33)
        k = k &* Self.p1
        state ^= k
        state = ((state << 27) | (state >> 37)) &* Self.p1 &+ Self.p4
    }

    public mutating func combine(_ value: UInt64) {
        mix(value)
        length &+= 8
    }

    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    public mutating func combine(_ value: Int64) { combine(UInt64(bitPattern: value)) }

    public mutating func combine(_ value: Bool) { combine(value ? 1 as UInt64 : 2) }

    /// A string by its UTF-8 bytes and length, so that ("ab", "c") and ("a", "bc") differ.
    public mutating func combine(_ value: String) {
        var value = value
        value.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    public mutating func combine(_ value: String?) {
        if let value { combine(value) } else { combine(0x6E75_6C6C as UInt64) }
    }

    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        var offset = 0
        let count = bytes.count
        if count >= 32 {
            // Four independent lanes, 32 bytes a step (xxHash64's main loop): a page is hashed
            // at memory speed rather than at the speed of one chain of multiplications.
            var lanes = (state &+ Self.p1 &+ Self.p2, state &+ Self.p2, state, state &- Self.p1)
            while offset + 32 <= count {
                lanes.0 = Self.round(lanes.0, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                lanes.1 = Self.round(lanes.1, bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                lanes.2 = Self.round(lanes.2, bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                lanes.3 = Self.round(lanes.3, bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                offset += 32
            }
            mix(Self.rotate(lanes.0, 1) &+ Self.rotate(lanes.1, 7) &+ Self.rotate(lanes.2, 12) &+ Self.rotate(lanes.3, 18))
        }
        while offset + 8 <= count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        // The tail's length goes with it, so that trailing zero bytes count.
        mix(tail ^ (UInt64(count & 7) << 56))
        mix(UInt64(count))
        length &+= UInt64(count)
    }

    public func finalize() -> Int {
        var h = state ^ length
        h ^= h >> 33
        h = h &* Self.p2
        h ^= h >> 29
        h = h &* 0x1656_67B1_9E37_79F9
        h ^= h >> 32
        return Int(bitPattern: UInt(h))
    }

    /// The hash of a run of bytes.
    public static func hash(bytes: UnsafeRawBufferPointer) -> Int {
        var hasher = StableHasher()
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: some Collection<UInt8>) -> Int {
        if let hash = bytes.withContiguousStorageIfAvailable({ hash(bytes: UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(bytes).withUnsafeBytes { hash(bytes: $0) }
    }
}
