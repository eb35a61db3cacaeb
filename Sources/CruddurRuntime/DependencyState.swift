/// How a dependency is doing, as the readiness check reports it.
public enum DependencyState: String, Sendable, Encodable {
    case ok
    case down
    case degraded
    case memory
    case disabled
    /// Shutting down after SIGTERM: still answering, but traffic should go elsewhere.
    case draining

    /// Whether the server can serve requests that need this dependency.
    public var isServing: Bool { self != .down && self != .draining }
}
