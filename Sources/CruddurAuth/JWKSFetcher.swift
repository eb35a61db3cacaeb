import AsyncHTTPClient
import CruddurRuntime
import Foundation
import NIOCore
import NIOFoundationCompat

/// Fetches the raw JWKS document.
public protocol JWKSFetching: Sendable {
    /// The key set as published now.
    func fetch() async throws(JWKSError) -> JSONWebKeySet
}

/// Fetches the JWKS over HTTP(S) within one deadline for the whole response, capped in size, following no
/// redirect (see ``OutboundHTTP``).
public struct JWKSFetcher: JWKSFetching {
    public let url: String
    public let timeout: Duration
    public let maxBytes: Int
    let client: HTTPClient

    public init(
        url: String, client: HTTPClient = OutboundHTTP.client, timeout: Duration = .seconds(5),
        maxBytes: Int = 256 * 1024
    ) {
        self.url = url
        self.client = client
        self.timeout = timeout
        self.maxBytes = maxBytes
    }

    public func fetch() async throws(JWKSError) -> JSONWebKeySet {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let body: ByteBuffer
        do {
            let response = try await OutboundHTTP.fetch(request, deadline: timeout, maxBytes: maxBytes, client: client)
            guard response.status == 200 else { throw JWKSError.httpStatus(response.status) }
            body = response.body
        } catch let error as JWKSError {
            throw error
        } catch is NIOTooManyBytesError {
            throw .tooLarge
        } catch is DeadlineExceeded {
            throw .transport("no complete answer within \(timeout)")
        } catch {
            throw .transport(String(describing: type(of: error)) + ": \(error)")
        }
        return try JSONWebKeySet(json: body.readableBytesView)
    }
}
