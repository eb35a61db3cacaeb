import Crypto

extension Substring.UTF8View {
    /// SHA-256 of these bytes, hashed in place when they are contiguous (a token's always are).
    var sha256: SHA256Digest {
        withContiguousStorageIfAvailable { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
            ?? SHA256.hash(data: Array(self))
    }
}
