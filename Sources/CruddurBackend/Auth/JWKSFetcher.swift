import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches the raw JWKS document.
public protocol JWKSFetching: Sendable {
    /// The key set as published now.
    func fetch() async throws(JWKSError) -> JSONWebKeySet
}

/// Fetches the JWKS over HTTP(S) with a timeout and a cap on the response size.
public struct JWKSFetcher: JWKSFetching {
    public let url: String
    public let timeout: TimeAmount
    public let maxBytes: Int
    let client: HTTPClient

    public init(
        url: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(5), maxBytes: Int = 256 * 1024
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
            let response = try await client.execute(request, timeout: timeout)
            guard response.status == .ok else { throw JWKSError.httpStatus(response.status.code) }
            body = try await response.body.collect(upTo: maxBytes)
        } catch let error as JWKSError {
            throw error
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw .tooLarge
        } catch {
            throw .transport(String(describing: type(of: error)) + ": \(error)")
        }
        return try JSONWebKeySet(json: body.readableBytesView)
    }
}
