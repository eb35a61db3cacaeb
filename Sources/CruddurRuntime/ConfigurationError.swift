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
