import CLibPQ

/// The rows one statement returned, in binary format. Immutable once made, so any thread may read it; the
/// memory is libpq's and is freed with the last reference.
public final class PostgresResult: @unchecked Sendable {
    let pointer: OpaquePointer
    public let rowCount: Int
    public let columnCount: Int

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        rowCount = Int(PQntuples(pointer))
        columnCount = Int(PQnfields(pointer))
    }

    deinit { PQclear(pointer) }

    /// How many rows an INSERT, UPDATE or DELETE touched (0 for other statements).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(pointer))) ?? 0 }

    /// The rows, in order.
    public var rows: Rows { Rows(result: self) }

    /// The value at `row`, `column`.
    @inline(__always)
    public func decode<Value: PostgresDecodable>(
        _: Value.Type = Value.self, row: Int, column: Int
    ) throws(PostgresError) -> Value {
        guard row < rowCount, column < columnCount else {
            throw PostgresError(.decoding, "no cell at row \(row), column \(column)")
        }
        let (row, column) = (Int32(row), Int32(column))
        let type = PQftype(pointer, column)
        if PQgetisnull(pointer, row, column) != 0 { return try Value.decodeNull(type: type) }
        let length = Int(PQgetlength(pointer, row, column))
        let bytes = UnsafeRawBufferPointer(start: PQgetvalue(pointer, row, column), count: length)
        return try Value.decode(bytes, type: type)
    }

    /// The rows of a result, each read cell by cell.
    public struct Rows: RandomAccessCollection, Sendable {
        let result: PostgresResult
        public var startIndex: Int { 0 }
        public var endIndex: Int { result.rowCount }
        public subscript(index: Int) -> PostgresRow { PostgresRow(result: result, index: index) }
    }
}

/// One row: its cells read in order with ``next(_:)``, or by column with ``decode(_:column:)``.
public struct PostgresRow: Sendable {
    let result: PostgresResult
    public let index: Int
    var column = 0

    /// The next cell, as `Value`.
    @inline(__always)
    public mutating func next<Value: PostgresDecodable>(_: Value.Type = Value.self) throws(PostgresError) -> Value {
        defer { column += 1 }
        return try result.decode(row: index, column: column)
    }

    public func decode<Value: PostgresDecodable>(_: Value.Type = Value.self, column: Int) throws(PostgresError)
        -> Value
    {
        try result.decode(row: index, column: column)
    }
}
