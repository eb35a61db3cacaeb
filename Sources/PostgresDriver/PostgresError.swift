/// Why a statement or a connection failed.
///
/// ``Kind/server`` errors carry PostgreSQL's own fields (SQLSTATE, constraint); every other kind means the
/// statement's fate is unknown or it never reached the server: the connection could not be made, was lost,
/// or stopped answering.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No connection could be made (refused, unreachable, authentication, TLS, timed out connecting).
        case connect
        /// The connection broke or stopped answering with the statement in flight.
        case connectionLost
        /// The unit's deadline passed before its answer came (its statements may still run).
        case timeout
        /// PostgreSQL answered the statement with an error.
        case server
        /// A statement of the same unit failed first, so this unit was not applied.
        case aborted
        /// A value in a result could not be read as the type asked for.
        case decoding
        /// The pool is closed.
        case closed
    }

    public let kind: Kind
    /// libpq's or the server's message (never holds a password: libpq leaves them out).
    public let message: String
    /// The SQLSTATE of a ``Kind/server`` error.
    public let sqlState: String?
    /// The constraint a ``Kind/server`` error names (a unique violation's index, say).
    public let constraint: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.constraint = constraint
    }

    /// Whether the database could not serve the statement (as opposed to refusing it): a connection that
    /// failed or broke, or the server's own "cannot serve now" states (SQLSTATE classes 08, 53 and 57P).
    public var isUnavailability: Bool {
        switch kind {
        case .connect, .connectionLost, .timeout, .closed: return true
        case .aborted, .decoding: return false
        case .server:
            let state = sqlState ?? ""
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
        }
    }

    public var description: String {
        var text = "PostgreSQL \(kind.rawValue): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }
}
