/// The values bound to a statement's `$1…$n`, each in PostgreSQL's binary format with its type's OID.
///
/// One contiguous buffer for all of them, so binding a statement allocates a handful of arrays however
/// many values it has.
public struct PostgresParameters: Sendable {
    var bytes: [UInt8] = []
    /// Where each value starts in ``bytes``, or -1 for NULL.
    var starts: [Int32] = []
    var lengths: [Int32] = []
    var types: [UInt32] = []

    public init() {}

    public init(capacity: Int) {
        bytes.reserveCapacity(capacity * 16)
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        types.reserveCapacity(capacity)
    }

    public var count: Int { starts.count }

    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        let start = bytes.count
        value.encode(into: &bytes)
        starts.append(Int32(start))
        lengths.append(Int32(bytes.count - start))
        types.append(Value.postgresType)
    }

    /// Binds NULL for `nil`, typed as `Value`, so a statement prepared on a NULL gets the same types as on a value.
    public mutating func append<Value: PostgresEncodable>(_ value: Value?) {
        guard let value else {
            starts.append(-1)
            lengths.append(0)
            types.append(Value.postgresType)
            return
        }
        append(value)
    }

    /// Calls `body` with the C arrays libpq takes: values (NULL pointers for NULLs), lengths and formats.
    func withCArrays<T>(
        _ body: (
            _ values: UnsafePointer<UnsafePointer<CChar>?>?, _ lengths: UnsafePointer<Int32>?,
            _ formats: UnsafePointer<Int32>?
        ) -> T
    ) -> T {
        let count = starts.count
        guard count > 0 else { return body(nil, nil, nil) }
        return bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                for index in 0..<count {
                    let start = starts[index]
                    values[index] =
                        start < 0 ? nil : (base + Int(start)).assumingMemoryBound(to: CChar.self)
                }
                return withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { formats in
                    formats.initialize(repeating: 1)
                    return lengths.withUnsafeBufferPointer { lengths in
                        body(UnsafePointer(values.baseAddress), lengths.baseAddress, UnsafePointer(formats.baseAddress))
                    }
                }
            }
        }
    }
}
