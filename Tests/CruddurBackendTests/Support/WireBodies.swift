import Foundation
import HummingbirdTesting

/// The response bodies the suites read, decoded strictly: a field that is missing, renamed or of another
/// type fails the decode (and the test) instead of reading as `nil`.
struct CrudBody: Decodable, Equatable {
    var uuid: String
    var displayName: String
    var handle: String
    var message: String
    var repliesCount: Int
    var repostsCount: Int
    var likesCount: Int
    var replyToActivityUuid: String?
    var expiresAt: String
    var createdAt: String
    var replies: [CrudBody]
}

struct ProfileBody: Decodable, Equatable {
    var uuid: String
    var cognitoUserUuid: String?
    var handle: String
    var displayName: String
    var bio: String?
    var crudsCount: Int
    var createdAt: String
}

/// `GET /api/users/@handle/short`.
struct UserShortBody: Decodable {
    var uuid: String
    var handle: String
    var displayName: String
}

/// `GET /api/activities/@handle`.
struct UserFeedBody: Decodable {
    var profile: ProfileBody
    var activities: [CrudBody]
}

/// `GET /api/activities/@handle/status/:uuid`.
struct ShowBody: Decodable {
    var activity: CrudBody
    var replies: [CrudBody]
}

/// A direct message, or a conversation in the list of them (its newest message).
struct MessageBody: Decodable {
    var uuid: String
    var messageGroupUuid: String?
    var handle: String
    var displayName: String
    var message: String
    var createdAt: String
}

/// `GET /api/health`.
struct HealthBody: Decodable {
    var success: Bool
    var ver: Int
    var checks: [String: String]
}

/// The spec's error shape.
struct ErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }
    var error: Detail
}

extension TestResponse {
    /// The body decoded as `type`, with the wire's snake_case names.
    func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(body.readableBytesView))
    }

    /// A feed: an array of cruds.
    var cruds: [CrudBody] { get throws { try decode([CrudBody].self) } }
    /// One crud.
    var crud: CrudBody { get throws { try decode(CrudBody.self) } }
    var profile: ProfileBody { get throws { try decode(ProfileBody.self) } }
    var messages: [MessageBody] { get throws { try decode([MessageBody].self) } }
    var message: MessageBody { get throws { try decode(MessageBody.self) } }
}
