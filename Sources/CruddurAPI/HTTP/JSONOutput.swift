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

/// A response body written into a byte array and copied into a `ByteBuffer` once: `ByteBuffer`'s bookkeeping on
/// every small write (uniqueness, capacity, indices) was a quarter of rendering a page of cruds (perf).
struct JSONBytes: JSONOutput {
    var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(bytes more: UnsafeRawBufferPointer) { bytes.append(contentsOf: more) }

    mutating func append(upTo count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        let written = bytes.withUnsafeMutableBytes { raw in
            write(UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + count]))
        }
        bytes.removeLast(count - written)
    }

    func buffer() -> ByteBuffer { ByteBuffer(bytes: bytes) }
}
