import Foundation
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard output, buffered: whole lines only, written every 50 ms by a thread of its own. Past 4 MiB
/// waiting (standard output is not being read fast enough), the request that appends writes them itself,
/// so memory stays bounded and a blocked pipe slows the server rather than growing it.
final class LogOutput: Sendable {
    /// Where both log handlers' lines collect; they reach standard output at most 50 ms later, written by a thread
    /// of its own: a write per line was the larger half of an access log line's cost, and a write on the
    /// request's path every 32 KiB still 2% of a signed-in home request's CPU (perf). ``flush()`` empties it (the
    /// commands call it before they exit).
    static let standard = LogOutput()

    let pending = Mutex(ByteBuffer())
    static let highWater = 4 * 1024 * 1024

    init() {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.05)
                flush()
            }
        }
    }

    /// Appends one whole line, under the lock, so lines never interleave.
    func append(bytes line: UnsafeRawBufferPointer) {
        let full: ByteBuffer? = pending.withLock { pending in
            pending.writeBytes(line)
            guard pending.readableBytes >= Self.highWater else { return nil }
            return Self.take(&pending)
        }
        if let full { Self.write(full) }
    }

    func flush() {
        let lines: ByteBuffer? = pending.withLock { pending in
            guard pending.readableBytes > 0 else { return nil }
            return Self.take(&pending)
        }
        if let lines { Self.write(lines) }
    }

    /// The buffered lines, leaving an empty buffer behind (no copy of the bytes) with room for a batch like
    /// this one, so the next 50 ms of lines do not grow it from nothing, copying at every doubling.
    static func take(_ pending: inout ByteBuffer) -> ByteBuffer {
        var taken = ByteBuffer()
        taken.reserveCapacity(min(pending.readableBytes + pending.readableBytes / 4, highWater))
        swap(&taken, &pending)
        return taken
    }

    /// One write(2) per batch; a batch holds whole lines, so lines never interleave.
    static let writing = Mutex(())

    /// write(2), from Glibc on Linux and Darwin on macOS (`Package.swift` declares both).
    static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, bytes, count)
        #else
            Darwin.write(descriptor, bytes, count)
        #endif
    }

    static func write(_ buffer: ByteBuffer) {
        writing.withLock { _ in
            buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = systemWrite(1, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
