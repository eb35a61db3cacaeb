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
    package static func write(_ date: Date, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
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

    /// Parses an RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` and `Z` in either
    /// case, any offset the grammar allows (±23:59), any number of fraction digits (kept to microseconds).
    /// Hand-written because Foundation's ISO 8601 parser refuses offsets past ±18:00 and some fraction
    /// lengths that RFC 3339 allows, so a valid cursor was answered 422.
    public static func date(from string: some StringProtocol) -> Date? {
        guard let micros = microseconds(from: Array(string.utf8.prefix(64))), string.utf8.count <= 64 else {
            return nil
        }
        return Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }

    /// Microseconds since 1970 of an RFC 3339 `date-time`, or `nil`.
    public static func microseconds(from bytes: [UInt8]) -> Int64? {
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        var fraction: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 6 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if expect("Zz") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHour = number(2), expect(":"), let offsetMinute = number(2), offsetHour <= 23,
                offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds =
            daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
            - offsetSeconds
        return seconds * 1_000_000 + fraction
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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
