import Hummingbird
import HummingbirdCore

/// Query parameters read the way browsers write them (`+` for a space, then percent-decoding).
public struct QueryParameters: Sendable {
    let values: [(name: String, value: String)]

    public init(_ uri: URI) {
        values = (uri.query ?? "").split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            return value.map { (name, $0) }
        }
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    static func decode(_ text: Substring) -> String? {
        PercentEncoding.decode(text, plusAsSpace: true)
    }

    /// Percent-encodes `text` for use as a query value.
    static func encode(_ text: String) -> String {
        PercentEncoding.encode(text)
    }
}
