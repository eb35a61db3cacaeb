import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last second's timestamp text, shared by every line written in that second.
final class Timestamps: Sendable {
    let last = Mutex((second: time_t(-1), text: ""))

    func text(for second: time_t) -> String {
        if let text = last.withLock({ $0.second == second ? $0.text : nil }) { return text }
        let text = Self.format(second)
        last.withLock { $0 = (second, text) }
        return text
    }

    static func format(_ second: time_t) -> String {
        var second = second
        var local = tm()
        guard localtime_r(&second, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
