import Configuration
import Foundation
import SystemPackage

/// The server's settings, asked for by their environment variable's name (`CONNECTION_URL`) and read through
/// swift-configuration's `ConfigReader`: the environment first, then the secrets folder, one file per setting
/// (compose and Kubernetes mount secrets there; the file `connection-url` holds `CONNECTION_URL`). A bad value
/// fails with a ``ConfigurationError`` that names the variable; an empty value is unset.
public struct Settings: Sendable {
    let reader: ConfigReader

    public init(_ reader: ConfigReader) {
        self.reader = reader
    }

    /// Settings from `environment` alone.
    public init(environment: [String: String]) {
        self.init(ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// The process's settings: `environment`, then the files in `SECRETS_DIR` (`/run/secrets` when unset; a
    /// missing folder holds no settings).
    public static func load(environment: [String: String]) async throws -> Settings {
        let directory = Settings(environment: environment).string("SECRETS_DIR") ?? "/run/secrets"
        let secrets: DirectoryFilesProvider
        do {
            secrets = try await DirectoryFilesProvider(directoryPath: FilePath(directory), allowMissing: true)
        } catch {
            throw ConfigurationError(variable: "SECRETS_DIR", problem: "names a folder that cannot be read (\(error))")
        }
        return Settings(
            ConfigReader(providers: [EnvironmentVariablesProvider(environmentVariables: environment), secrets]))
    }

    /// The value of `name` (an environment variable's name), trimmed; empty is unset.
    public func string(_ name: String) -> String? {
        guard let value = reader.string(forKey: Self.key(name))?.trimmingCharacters(in: .whitespacesAndNewlines),
            !value.isEmpty
        else { return nil }
        return value
    }

    /// A whole number in `range`, or `defaultValue` when unset.
    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                variable: name,
                problem:
                    "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text.prefix(40))\""
            )
        }
        return value
    }

    /// A comma-separated list, empty entries dropped.
    public func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    /// `CONNECTION_URL` as swift-configuration's key `connection.url`, which its environment provider reads as
    /// `CONNECTION_URL` and its files provider as the file `connection-url`.
    static func key(_ name: String) -> ConfigKey {
        ConfigKey(name.lowercased().split(separator: "_").map(String.init))
    }
}
