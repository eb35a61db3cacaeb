import NIOCore

/// Where the hand-written JSON writers (``ActivityJSON``, ``ProfileJSON``, the JSON log lines) put their bytes:
/// a response's `ByteBuffer`, or a log line's ``LogLineWriter``, which formats on the stack without a
/// `ByteBuffer`'s bookkeeping on every write.
protocol JSONOutput {
    mutating func append(byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
    /// Lets `write` fill up to `count` bytes in place and return how many it wrote.
    mutating func append(upTo count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int)
}

extension JSONOutput {
    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension ByteBuffer: JSONOutput {
    mutating func append(byte: UInt8) { writeInteger(byte) }

    mutating func append(bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }

    mutating func append(upTo count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: count, write)
    }
}
