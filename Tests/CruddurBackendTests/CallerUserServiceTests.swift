import CruddurAuth
import CruddurDomain
import Foundation
import Logging
import Testing

@testable import CruddurAPI
@testable import CruddurStore

extension CruddurMemoryStore {
    /// The row gone from the store, as if deleted behind the service's back.
    func forget(_ user: UUID) { users[user] = nil }
}

@Suite("A caller's user, found once per replica")
struct CallerUserServiceTests {
    static func identity(_ sub: String) -> CallerIdentity {
        CallerIdentity(sub: sub, username: sub, clientID: "client", expiresAt: .distantFuture, accessToken: "unused")
    }

    /// The store's own memory implementation: a found caller is answered from the service's cache even once the
    /// row is gone from the store (it was read once), while an unknown caller is asked for again each time (a
    /// row provisioned after the refusal is found).
    @Test func aFoundCallerIsLookedUpOnceAndAMissEveryTime() async throws {
        let store = CruddurMemoryStore(seed: StoreKind.seed)
        let andrew = try #require(await store.user(handle: "andrewbrown", logger: testLogger))
        let sub = "sub-\(UUID())"
        let fresh = await store.provisionUser(
            CognitoProfile(sub: sub, preferredUsername: "fresh", name: "Fresh", email: nil), logger: testLogger)
        let callers = CallerUserService(store: store, profiles: nil)
        let first = try await callers.user(for: Self.identity(sub), logger: testLogger)
        await store.forget(fresh.uuid)
        let again = try await callers.user(for: Self.identity(sub), logger: testLogger)
        #expect(first == again && first.handle == "fresh" && first.uuid != andrew.uuid)
        // Unknown (and provisioning off): refused each time, and each time asked again.
        let nobody = "nobody-\(UUID())"
        for _ in 0..<2 {
            await #expect(throws: APIError.self) {
                try await callers.user(for: Self.identity(nobody), logger: testLogger)
            }
        }
        _ = await store.provisionUser(
            CognitoProfile(sub: nobody, preferredUsername: "late", name: "Late", email: nil), logger: testLogger)
        let late = try await callers.user(for: Self.identity(nobody), logger: testLogger)
        #expect(late.handle == "late")
    }
}
