import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction on one connection and returns once PostgreSQL has acknowledged its `COMMIT`.
    ///
    /// Every write the API acknowledges goes through here. A statement run on its own commits only when the
    /// server reaches the Sync after it, after sending its rows and CommandComplete, and PostgresNIO ends the
    /// row sequence at CommandComplete: a crash (or a deferred constraint) in that gap would acknowledge a
    /// write that was never stored. A `COMMIT` statement completes after the commit, so its answer is the
    /// acknowledgement. Errors are the statements' own (`PSQLError`), not PostgresNIO's transaction wrapper,
    /// so callers and ``PostgresDatabase/run(_:_:)`` classify them as before.
    func committed<T: Sendable>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
