import AsyncHTTPClient
import CruddurRuntime
import NIOCore

/// Requests the server itself makes (the JWKS, Cognito `GetUser`): one deadline covers the whole exchange,
/// head and body, so a server that drips its answer cannot hold signed-in requests; redirects are never
/// followed (a key set must come from where it was configured); bodies are capped and never decompressed.
public enum OutboundHTTP {
    public static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(
            certificateVerification: .fullVerification, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(3), read: .seconds(5)), decompression: .disabled))

    /// The response's status and its body of at most `maxBytes`, all within `deadline`.
    /// Throws ``DeadlineExceeded`` past the deadline and `NIOTooManyBytesError` past the cap.
    public static func fetch(
        _ request: HTTPClientRequest, deadline: Duration, maxBytes: Int, client: HTTPClient = client
    ) async throws -> (status: UInt, body: ByteBuffer) {
        try await withDeadline(deadline) {
            let response = try await client.execute(request, timeout: .init(deadline))
            let body = try await response.body.collect(upTo: maxBytes)
            return (response.status.code, body)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
