import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import Logging
import Synchronization
import Testing

@testable import CruddurAPI

@Suite("A caller's user, found once per replica")
struct CallerUserServiceTests {
    /// Counts the lookups by `sub` that reach the store.
    final class CountingUsers: UserStore {
        let base = CruddurMemoryStore(seed: StoreKind.seed)
        let lookups = Mutex(0)

        func user(handle: String, logger: Logger) async throws -> User? {
            await base.user(handle: handle, logger: logger)
        }

        func user(cognitoUserID: String, logger: Logger) async throws -> User? {
            lookups.withLock { $0 += 1 }
            return await base.user(cognitoUserID: cognitoUserID, logger: logger)
        }

        func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User {
            await base.provisionUser(profile, logger: logger)
        }

        func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User? {
            await base.updateProfile(user, update, logger: logger)
        }
    }

    static func identity(_ sub: String) -> CallerIdentity {
        CallerIdentity(sub: sub, username: sub, clientID: "client", expiresAt: .distantFuture, accessToken: "unused")
    }

    @Test func aFoundCallerIsLookedUpOnceAndAMissEveryTime() async throws {
        let users = CountingUsers()
        let andrew = try #require(await users.base.user(handle: "andrewbrown", logger: testLogger))
        let sub = "sub-\(UUID())"
        _ = await users.base.provisionUser(
            CognitoProfile(sub: sub, preferredUsername: "fresh", name: "Fresh", email: nil), logger: testLogger)
        let callers = CallerUserService(store: users, profiles: nil)
        let first = try await callers.user(for: Self.identity(sub), logger: testLogger)
        let again = try await callers.user(for: Self.identity(sub), logger: testLogger)
        #expect(first == again && first.handle == "fresh" && first.uuid != andrew.uuid)
        #expect(users.lookups.withLock { $0 } == 1)
        // Unknown (and provisioning off): refused each time, and each time asked again.
        for _ in 0..<2 {
            await #expect(throws: APIError.self) {
                try await callers.user(for: Self.identity("nobody"), logger: testLogger)
            }
        }
        #expect(users.lookups.withLock { $0 } == 3)
    }
}
