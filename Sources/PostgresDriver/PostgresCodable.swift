import Foundation

/// The OIDs of the types this driver reads and writes (`pg_type`).
public enum PostgresOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let varchar: UInt32 = 1043
    public static let timestamptz: UInt32 = 1184
    public static let uuid: UInt32 = 2950
    public static let int4Array: UInt32 = 1007
    public static let textArray: UInt32 = 1009
    public static let int8Array: UInt32 = 1016
    public static let float4Array: UInt32 = 1021
    public static let uuidArray: UInt32 = 2951
}

/// A Swift value that binds as a parameter, in PostgreSQL's binary format.
public protocol PostgresEncodable: Sendable {
    static var postgresType: UInt32 { get }
    func encode(into bytes: inout [UInt8])
}

/// A Swift value read from a result cell in PostgreSQL's binary format.
public protocol PostgresDecodable {
    /// Reads `bytes`, a cell of type `type`; throws when the type is not one this Swift type reads.
    static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Self
    /// The value for SQL NULL; throws for a type that has none.
    static func decodeNull(type: UInt32) throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func decodeNull(type: UInt32) throws(PostgresError) -> Self {
        throw PostgresError(.decoding, "NULL where \(Self.self) was expected")
    }
}

/// A type that may stand in a one-dimensional array parameter or result.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    static var postgresArrayType: UInt32 { get }
}

extension PostgresDecodable {
    static func mismatch(_ type: UInt32) -> PostgresError {
        PostgresError(.decoding, "a cell of type OID \(type) cannot be read as \(Self.self)")
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian integer at `offset` (the caller has checked the length).
    @inline(__always)
    func bigEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int = 0) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Self {
        try Wrapped.decode(bytes, type: type)
    }

    public static func decodeNull(type: UInt32) throws(PostgresError) -> Self { nil }
}

extension Bool: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.bool }
    public static var postgresArrayType: UInt32 { 1000 }
    public func encode(into bytes: inout [UInt8]) { bytes.append(self ? 1 : 0) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Bool {
        guard type == PostgresOID.bool, bytes.count == 1 else { throw mismatch(type) }
        return bytes[0] != 0
    }
}

extension Int16: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.int2 }
    public static var postgresArrayType: UInt32 { 1005 }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(self) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Int16 {
        guard type == PostgresOID.int2, bytes.count == 2 else { throw mismatch(type) }
        return bytes.bigEndian(Int16.self)
    }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.int4 }
    public static var postgresArrayType: UInt32 { PostgresOID.int4Array }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(self) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Int32 {
        switch (type, bytes.count) {
        case (PostgresOID.int4, 4): return bytes.bigEndian(Int32.self)
        case (PostgresOID.int2, 2): return Int32(bytes.bigEndian(Int16.self))
        default: throw mismatch(type)
        }
    }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.int8 }
    public static var postgresArrayType: UInt32 { PostgresOID.int8Array }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(self) }
    /// Reads any of PostgreSQL's integer types (`count(*)` is `bigint`, a cast one `integer`).
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Int64 {
        switch (type, bytes.count) {
        case (PostgresOID.int8, 8): return bytes.bigEndian(Int64.self)
        case (PostgresOID.int4, 4): return Int64(bytes.bigEndian(Int32.self))
        case (PostgresOID.int2, 2): return Int64(bytes.bigEndian(Int16.self))
        default: throw mismatch(type)
        }
    }
}

/// `Int` binds as `bigint` and reads any integer type.
extension Int: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.int8 }
    public static var postgresArrayType: UInt32 { PostgresOID.int8Array }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(Int64(self)) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Int {
        Int(try Int64.decode(bytes, type: type))
    }
}

extension Float: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.float4 }
    public static var postgresArrayType: UInt32 { PostgresOID.float4Array }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(bitPattern) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Float {
        switch (type, bytes.count) {
        case (PostgresOID.float4, 4): return Float(bitPattern: bytes.bigEndian(UInt32.self))
        case (PostgresOID.float8, 8): return Float(Double(bitPattern: bytes.bigEndian(UInt64.self)))
        default: throw mismatch(type)
        }
    }
}

extension Double: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.float8 }
    public static var postgresArrayType: UInt32 { 1022 }
    public func encode(into bytes: inout [UInt8]) { bytes.appendBigEndian(bitPattern) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Double {
        switch (type, bytes.count) {
        case (PostgresOID.float8, 8): return Double(bitPattern: bytes.bigEndian(UInt64.self))
        case (PostgresOID.float4, 4): return Double(Float(bitPattern: bytes.bigEndian(UInt32.self)))
        default: throw mismatch(type)
        }
    }
}

/// Text, `varchar` and `name` cells; binds as `text`. The bytes are UTF-8 as the server sends them
/// (the connection's client encoding is UTF8).
extension String: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.text }
    public static var postgresArrayType: UInt32 { PostgresOID.textArray }
    public func encode(into bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> String {
        switch type {
        case PostgresOID.text, PostgresOID.varchar, PostgresOID.name, 1042:  // 1042: bpchar
            return String(decoding: bytes, as: UTF8.self)
        default: throw mismatch(type)
        }
    }
}

extension UUID: PostgresArrayElement {
    public static var postgresType: UInt32 { PostgresOID.uuid }
    public static var postgresArrayType: UInt32 { PostgresOID.uuidArray }
    public func encode(into bytes: inout [UInt8]) { Swift.withUnsafeBytes(of: uuid) { bytes.append(contentsOf: $0) } }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> UUID {
        guard type == PostgresOID.uuid, bytes.count == 16 else { throw mismatch(type) }
        return UUID(uuid: bytes.loadUnaligned(as: uuid_t.self))
    }
}

/// `timestamptz`: microseconds since 2000-01-01 UTC. A `Date` binds truncated to the microsecond, as
/// PostgreSQL stores it; dates past what 64 bits of microseconds hold bind just inside that bound, which
/// PostgreSQL refuses as out of range (SQLSTATE 22008) rather than the process trapping. `infinity` and
/// `-infinity` read as `Date.distantFuture` and `Date.distantPast`.
extension Date: PostgresArrayElement {
    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    public static var postgresType: UInt32 { PostgresOID.timestamptz }
    public static var postgresArrayType: UInt32 { 1185 }

    public func encode(into bytes: inout [UInt8]) {
        let micros = timeIntervalSince(Self.postgresEpoch) * 1_000_000
        // One inside the 64-bit ends, which PostgreSQL reads as ±infinity; past its own range (294276 AD).
        let value: Int64 =
            micros.isNaN ? 0 : micros >= 9.2e18 ? .max - 1 : micros <= -9.2e18 ? .min + 1 : Int64(micros)
        bytes.appendBigEndian(value)
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Date {
        guard type == PostgresOID.timestamptz || type == 1114, bytes.count == 8 else { throw mismatch(type) }
        let micros = bytes.bigEndian(Int64.self)
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        return Date(timeInterval: Double(micros) / 1_000_000, since: postgresEpoch)
    }
}

/// `bytea`.
extension Data: PostgresEncodable, PostgresDecodable {
    public static var postgresType: UInt32 { PostgresOID.bytea }
    public func encode(into bytes: inout [UInt8]) { bytes.append(contentsOf: self) }
    public static func decode(_ bytes: UnsafeRawBufferPointer, type: UInt32) throws(PostgresError) -> Data {
        guard type == PostgresOID.bytea else { throw mismatch(type) }
        return Data(bytes)
    }
}
