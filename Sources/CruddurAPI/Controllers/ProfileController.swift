import CruddurStore
import Foundation
import Hummingbird

/// `/api/profile/update`: the caller edits their own display name and bio. `PUT` is what the upstream
/// frontend sends; `POST` is what the upstream backend declared; both are served.
public struct ProfileController<Store: ActivityStore & UserStore>: Sendable {
    let profiles: ProfileService<Store>
    let callers: CallerUserService<Store>
    let bodyDecoder: JSONBodyDecoder

    public init(profiles: ProfileService<Store>, callers: CallerUserService<Store>, bodyDecoder: JSONBodyDecoder) {
        self.profiles = profiles
        self.callers = callers
        self.bodyDecoder = bodyDecoder
    }

    public var handlers: [RouteName: RouteHandler] {
        [.updateProfile: .caller(update)]
    }

    /// Updates the caller's profile and answers the new one.
    @Sendable func update(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let body = try await bodyDecoder.decode(ProfileUpdateBody.self, from: request)
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let profile = try await profiles.update(
            user, displayName: body.displayName, bio: body.bio, bioIsString: body.bioIsString, logger: context.logger)
        return JSONResponse.bytes(ProfileJSON.object(profile))
    }
}

/// `PUT /api/profile/update` body: `{"display_name", "bio"}`. A missing or null bio clears it; a bio that
/// is there but not a string is reported, not taken for a clear.
struct ProfileUpdateBody: Decodable {
    let displayName: String?
    let bio: String?
    let bioIsString: Bool

    enum CodingKeys: String, CodingKey {
        case bio
        case displayName = "display_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = container.lenientString(forKey: .displayName)
        bio = container.lenientString(forKey: .bio)
        bioIsString = bio != nil || !container.contains(.bio) || ((try? container.decodeNil(forKey: .bio)) ?? false)
    }
}
