import CLibPQ
import Foundation

/// What libpq connects with: a connection URL or `key=value` string (several hosts, `sslmode`,
/// `sslrootcert`, `target_session_attrs`, everything libpq reads) and settings that override it.
///
/// The URL is libpq's own syntax, parsed by libpq (`PQconninfoParse`), so what this accepts is exactly
/// what `psql` accepts. It may hold a password: ``description`` never shows it.
public struct PostgresConnectionOptions: Sendable, CustomStringConvertible {
    public let url: String
    /// Keywords that override the URL's (`sslmode`, `connect_timeout`, …), applied in order.
    public var overrides: [(String, String)]

    /// Checks `url` with libpq's own parser; throws libpq's message when it cannot read it.
    public init(url: String, overrides: [(String, String)] = []) throws(PostgresError) {
        var error: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(url, &error) else {
            defer { if let error { PQfreemem(error) } }
            let message = error.map { String(cString: $0) } ?? "out of memory"
            throw PostgresError(.connect, message.trimmingTrailingNewlines)
        }
        PQconninfoFree(parsed)
        self.url = url
        self.overrides = overrides
    }

    /// The URL's settings as libpq reads them (`host`, `port`, `user`, `dbname`, `sslmode`, …): only those it sets.
    public var settings: [String: String] {
        guard let parsed = PQconninfoParse(url, nil) else { return [:] }
        defer { PQconninfoFree(parsed) }
        var settings: [String: String] = [:]
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { settings[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        for (key, value) in overrides { settings[key] = value }
        return settings
    }

    /// `host:port/dbname`, for messages: never the user's password.
    public var description: String {
        let settings = self.settings
        let hosts = (settings["host"] ?? settings["hostaddr"] ?? "localhost").split(separator: ",")
        let ports = (settings["port"] ?? "5432").split(separator: ",")
        let targets = hosts.enumerated().map { index, host in
            "\(host):\(ports.count > index ? ports[index] : ports.last ?? "5432")"
        }
        return "\(targets.joined(separator: ","))/\(settings["dbname"] ?? settings["user"] ?? "")"
    }

    /// The same options with `key` set to `value` (replacing an earlier override of it).
    public func with(_ key: String, _ value: String) -> PostgresConnectionOptions {
        var copy = self
        copy.overrides.removeAll { $0.0 == key }
        copy.overrides.append((key, value))
        return copy
    }

    /// Calls `body` with libpq's keyword and value arrays: the URL first (as `dbname`, which libpq expands),
    /// then the overrides, which win.
    func withKeywords<T>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> T
    ) -> T {
        let pairs = [("dbname", url), ("client_encoding", "UTF8")] + overrides
        var keywords = pairs.map { strdup($0.0) }
        var values = pairs.map { strdup($0.1) }
        keywords.append(nil)
        values.append(nil)
        defer {
            for pointer in keywords + values { free(pointer) }
        }
        return keywords.withUnsafeBufferPointer { keywords in
            values.withUnsafeBufferPointer { values in
                keywords.withMemoryRebound(to: UnsafePointer<CChar>?.self) { keywords in
                    values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                        body(keywords.baseAddress!, values.baseAddress!)
                    }
                }
            }
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
