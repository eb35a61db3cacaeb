import Foundation

/// A bad configuration value. Its description is the one sentence printed when start-up stops.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "Configuration error: \(variable) \(problem)." }
}

/// Reads typed values from the environment, failing with a ``ConfigurationError`` that names the variable.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value of `name`, treating an empty string as unset.
    public func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
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
}
