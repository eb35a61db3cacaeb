/// One log line's bytes, formatted into memory lent by ``withLine(_:_:)``: a fixed block on the stack, a
/// bigger one only for the rare line that outgrows it. An access line written through `ByteBuffer` spent
/// more on the buffer's per-write checks (capacity, uniqueness, exclusivity) than on its bytes (perf).
struct LogLineWriter: JSONOutput {
    private let memory: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    /// A write did not fit: the line is incomplete and must be written again with more room.
    private(set) var overflowed = false

    private init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    /// Formats a line with `write` and hands its bytes to `use`. `write` may run more than once (again with
    /// more room when the line did not fit), so it must only write.
    static func withLine<Result>(
        _ write: (inout LogLineWriter) -> Void, _ use: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        var capacity = 1024
        while true {
            let result = withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 1) { memory -> Result? in
                var line = LogLineWriter(memory)
                write(&line)
                guard !line.overflowed else { return nil }
                return use(UnsafeRawBufferPointer(rebasing: memory[..<line.count]))
            }
            if let result { return result }
            capacity *= 4
        }
    }

    private mutating func room(for bytes: Int) -> Bool {
        guard !overflowed, bytes <= memory.count - count else {
            overflowed = true
            return false
        }
        return true
    }

    mutating func append(byte: UInt8) {
        guard room(for: 1) else { return }
        memory[count] = byte
        count += 1
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        guard room(for: bytes.count), bytes.count > 0 else { return }
        memory.baseAddress!.advanced(by: count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(upTo limit: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int) {
        guard room(for: limit) else { return }
        count += write(UnsafeMutableRawBufferPointer(rebasing: memory[count..<(count + limit)]))
    }
}
