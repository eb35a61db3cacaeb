import Hummingbird

/// `cruddur-bench bare-server PORT`: Hummingbird 2 with one route and no middleware, answering `GET /api/health`
/// with the bytes our liveness route answers. `bench/run` drives it beside our liveness route, so the price of
/// our middleware is read against what the framework itself costs on the same machine, in the same run.
enum BareServer {
    static func run(port: Int) async throws {
        let router = Router()
        router.get("/api/health") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"success":true}"#)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil))
        try await app.runService()
    }
}
