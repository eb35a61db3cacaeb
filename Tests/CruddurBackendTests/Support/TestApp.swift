import CruddurAPI
import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// Builds the real application over an in-memory store and a real token verifier.
enum TestApp {
    static let frontend = "http://localhost:3000"
    static let seedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("db/seed.json").path

    static func seededStore() throws -> CruddurMemoryStore {
        CruddurMemoryStore(seed: try SeedData.load(path: seedPath))
    }

    static func configuration(_ extra: [String: String] = [:]) throws -> AppConfiguration {
        var environment = ["FRONTEND_URL": frontend, "LOG_LEVEL": "error"]
        environment.merge(extra) { _, new in new }
        var configuration = try AppConfiguration(environment: environment)
        configuration.port = 0
        return configuration
    }

    /// The application over `store`; signed-in callers are those `TestTokens` signs for.
    static func make<Store: CruddurStore>(
        store: Store, configuration: AppConfiguration? = nil,
        verifier: CognitoTokenVerifier = TestTokens.verifier()
    ) throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return makeApplication(
            store: store, verifier: verifier, profiles: nil, configuration: try configuration ?? self.configuration(),
            services: [], logger: logger)
    }

    /// A store where Cognito user `sub-andrew` is andrewbrown and `sub-worf` is worf.
    static func storeWithSignedInUsers() async throws -> CruddurMemoryStore {
        let store = try seededStore()
        let logger = Logger(label: "test")
        _ = await store.provisionUser(
            CognitoProfile(
                sub: "sub-andrew", preferredUsername: "andrewbrown", name: "Andrew Brown", email: "andrew@exampro.co",
                emailVerified: true),
            logger: logger)
        _ = await store.provisionUser(
            CognitoProfile(
                sub: "sub-worf", preferredUsername: "worf", name: "Worf", email: "worf@example.com", emailVerified: true
            ),
            logger: logger)
        return store
    }
}

extension HTTPFields {
    /// `Authorization: Bearer <token>` for `sub`.
    static func bearer(sub: String = "sub-andrew") -> HTTPFields {
        [.authorization: "Bearer \(TestTokens.token(claims: TestTokens.claims(sub: sub)))"]
    }

    static func json(sub: String? = "sub-andrew") -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let sub { fields.append(contentsOf: bearer(sub: sub)) }
        return fields
    }
}

extension TestResponse {
    /// The body as a JSON object, for what a typed body cannot tell: which keys are present, and which are
    /// present with `null` (WireBodies.swift has the typed bodies).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
    /// The spec's error code, or `nil` when the body is not the error shape.
    var errorCode: String? { (try? decode(ErrorBody.self))?.error.code }
    /// A 422's body: the bare array of validation codes.
    var validationErrors: [String] { (try? decode([String].self)) ?? [] }
    var text: String { String(buffer: body) }
}

extension ByteBuffer {
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}
