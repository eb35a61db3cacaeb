import CruddurStore
import Foundation
import Logging

/// The two faces of the store protocols; the behavioural suite runs every test on both.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case postgres

    var description: String { rawValue }

    static let seed = try! SeedData.load(path: TestApp.seedPath)

    /// Runs `body` with a store of this kind holding the demo seed as of `now`.
    func withStore<T: Sendable>(
        now: Date = Date(), _ body: @escaping @Sendable (any CruddurStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .memory:
            return try await body(CruddurMemoryStore(seed: Self.seed, now: now))
        case .postgres:
            return try await PostgresTestDatabase.withStore(seed: Self.seed, now: now) { store, _ in
                try await body(store)
            }
        }
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "store-test")
    logger.logLevel = .error
    return logger
}()
