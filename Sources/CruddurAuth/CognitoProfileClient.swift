import AsyncHTTPClient
import CruddurDomain
import Foundation
import Logging
import NIOCore
import Tracing

/// Cognito's `GetUser`, called with the caller's own access token, to provision their `users` row.
/// This happens once per new user, never per request.
public struct CognitoProfileClient: CognitoProfileSource {
    let endpoint: String
    let client: HTTPClient

    public init(endpoint: String, client: HTTPClient = OutboundHTTP.client) {
        self.endpoint = endpoint
        self.client = client
    }

    public func profile(accessToken: String, logger: Logger) async throws -> CognitoProfile {
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
        request.headers.add(name: "X-Amz-Target", value: "AWSCognitoIdentityProviderService.GetUser")
        let body = try JSONEncoder().encode(["AccessToken": accessToken])
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        let bytes: ByteBuffer
        do {
            (status, bytes) = try await withSpan("cognito GetUser", ofKind: .client) { _ in
                try await OutboundHTTP.fetch(request, deadline: .seconds(5), maxBytes: 64 * 1024, client: client)
            }
        } catch {
            logger.warning("Cognito GetUser failed", metadata: ["error": "\(type(of: error))"])
            throw APIError.serviceUnavailable("Cognito could not be reached to set up this account")
        }
        guard status == 200 else {
            logger.warning("Cognito GetUser refused", metadata: ["status": "\(status)"])
            throw APIError.forbidden(code: "user_not_provisioned", message: "Cognito did not confirm this account")
        }
        guard let user = try? JSONDecoder().decode(GetUserResponse.self, from: Data(bytes.readableBytesView)) else {
            throw APIError.serviceUnavailable("Cognito answered GetUser with an unexpected body")
        }
        let attributes = Dictionary(
            user.userAttributes.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let sub = attributes["sub"] else {
            throw APIError.forbidden(code: "user_not_provisioned", message: "Cognito returned no sub for this account")
        }
        return CognitoProfile(
            sub: sub, preferredUsername: attributes["preferred_username"] ?? user.username,
            name: attributes["name"] ?? attributes["preferred_username"] ?? user.username, email: attributes["email"],
            emailVerified: attributes["email_verified"] == "true")
    }

    struct GetUserResponse: Decodable {
        struct Attribute: Decodable {
            let name: String
            let value: String

            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case value = "Value"
            }
        }

        let username: String
        let userAttributes: [Attribute]

        enum CodingKeys: String, CodingKey {
            case username = "Username"
            case userAttributes = "UserAttributes"
        }
    }
}
