import CruddurStore
import Foundation
import Hummingbird

/// The `/api/users` routes.
public struct UsersController<Store: ActivityStore & UserStore>: Sendable {
    let feeds: FeedService<Store>
    let profiles: ProfileService<Store>

    public init(feeds: FeedService<Store>, profiles: ProfileService<Store>) {
        self.feeds = feeds
        self.profiles = profiles
    }

    public var handlers: [RouteName: RouteHandler] {
        [.userShort: .anyone(short), .userProfile: .anyone(profile)]
    }

    /// A user's profile.
    @Sendable func profile(request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle").flatMap { PercentEncoding.decode($0) } ?? ""
        let profile = try await profiles.profile(handle: handle, caller: context.caller, logger: context.logger)
        return JSONResponse.bytes(ProfileJSON.object(profile))
    }

    /// A user's short profile.
    @Sendable func short(request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle").flatMap { PercentEncoding.decode($0) } ?? ""
        return JSONResponse.bytes(ProfileJSON.short(try await feeds.userShort(handle: handle, logger: context.logger)))
    }
}
