/// One-dimensional arrays in PostgreSQL's binary array format: dimensions, a has-NULLs flag, the element
/// OID, each dimension's length and lower bound, then each element as a length (-1 for NULL) and its bytes.
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: UInt32 { Element.postgresArrayType }

    public func encode(into bytes: inout [UInt8]) {
        bytes.appendBigEndian(Int32(isEmpty ? 0 : 1))
        bytes.appendBigEndian(Int32(0))
        bytes.appendBigEndian(Element.postgresType)
        guard !isEmpty else { return }
        bytes.appendBigEndian(Int32(count))
        bytes.appendBigEndian(Int32(1))
        for element in self {
            let lengthAt = bytes.count
            bytes.appendBigEndian(Int32(0))
            element.encode(into: &bytes)
            let length = Int32(bytes.count - lengthAt - 4).bigEndian
            Swift.withUnsafeBytes(of: length) { bytes.replaceSubrange(lengthAt..<lengthAt + 4, with: $0) }
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    /// Reads a one-dimensional array (or an empty one) of `Element`; a NULL element throws.
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> [Element] {
        func malformed() -> PostgresError { PostgresError(.decoding, "a malformed array of type OID \(type)") }
        guard bytes.count >= 12 else { throw malformed() }
        let dimensions = bytes.bigEndian(Int32.self)
        let elementType = bytes.bigEndian(UInt32.self, at: 8)
        guard dimensions == 0 || dimensions == 1 else {
            throw PostgresError(.decoding, "an array of \(dimensions) dimensions where one was expected")
        }
        guard dimensions == 1 else { return [] }
        guard bytes.count >= 20 else { throw malformed() }
        let count = Int(bytes.bigEndian(Int32.self, at: 12))
        var offset = 20
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard offset + 4 <= bytes.count else { throw malformed() }
            let length = Int(bytes.bigEndian(Int32.self, at: offset))
            offset += 4
            guard length >= 0 else {
                elements.append(try Element.decodeNull(type: elementType))
                continue
            }
            guard offset + length <= bytes.count else { throw malformed() }
            elements.append(
                try Element.decode(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), type: elementType)
            )
            offset += length
        }
        return elements
    }
}
