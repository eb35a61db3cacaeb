import Foundation

/// RFC 3339 timestamps as the API writes them: UTC, millisecond precision, a `Z` suffix.
///
/// Formatting is done with integer arithmetic because it runs for every timestamp of every feed item,
/// and Foundation's date styles cost far more per call.
public enum RFC3339 {
    /// Formats `date` as `2026-03-09T17:52:15.123Z`.
    public static func string(from date: Date) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in write(date, into: buffer) }
    }

    /// Writes the 24 bytes of `date`'s timestamp into `output` (at least 24 bytes) and returns 24.
    static func write(_ date: Date, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let millis = Int(totalMillis.modulo(1000))
        let totalSeconds = (totalMillis - Int64(millis)) / 1000
        let secondsOfDay = Int(totalSeconds.modulo(86_400))
        let days = (totalSeconds - Int64(secondsOfDay)) / 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var position = 0
        func digits(_ value: Int, _ width: Int) {
            var rest = value
            for offset in stride(from: width - 1, through: 0, by: -1) {
                output[position + offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            position += width
        }
        func literal(_ byte: UInt8) {
            output[position] = byte
            position += 1
        }
        digits(year, 4)
        literal(UInt8(ascii: "-"))
        digits(month, 2)
        literal(UInt8(ascii: "-"))
        digits(day, 2)
        literal(UInt8(ascii: "T"))
        digits(secondsOfDay / 3600, 2)
        literal(UInt8(ascii: ":"))
        digits(secondsOfDay / 60 % 60, 2)
        literal(UInt8(ascii: ":"))
        digits(secondsOfDay % 60, 2)
        literal(UInt8(ascii: "."))
        digits(millis, 3)
        literal(UInt8(ascii: "Z"))
        return position
    }

    /// Parses an RFC 3339 timestamp with an offset or `Z`, with or without fractional seconds.
    public static func date(from string: some StringProtocol) -> Date? {
        let text = String(string)
        guard text.count <= 40 else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    fileprivate func modulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder >= 0 ? remainder : remainder + divisor
    }
}
