import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization

/// A real HTTP server publishing a JWKS document that tests change on the fly: the body, the status,
/// a delay. It counts the fetches it answers.
final class JWKSTestServer: Sendable {
    struct State {
        var body = TestKeys.jwksJSON([TestKeys.jwk(TestKeys.primary, kid: "key-1")])
        var status: HTTPResponse.Status = .ok
        var delay: Duration = .zero
        var fetches = 0
    }

    let state = Mutex(State())

    var fetches: Int { state.withLock { $0.fetches } }

    func publish(_ body: Data, status: HTTPResponse.Status = .ok) {
        state.withLock {
            $0.body = body
            $0.status = status
        }
    }

    func setDelay(_ delay: Duration) { state.withLock { $0.delay = delay } }

    /// Runs the server on a free loopback port for the duration of `test`, passing the JWKS URL.
    func run<Value: Sendable>(_ test: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.get("/{pool}/.well-known/jwks.json") { _, _ -> Response in
            let (body, status, delay) = self.state.withLock { state in
                state.fetches += 1
                return (state.body, state.status, state.delay)
            }
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        var logger = Logger(label: "jwks-test-server")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(.live) { client in
            try await test("http://127.0.0.1:\(client.port!)/\(TestTokens.poolID)/.well-known/jwks.json")
        }
    }
}
