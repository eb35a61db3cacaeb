import Foundation
import Hummingbird

/// The `/api/users` routes.
public struct UsersController<Store: ActivityStore & UserStore>: Sendable {
    let feeds: FeedService<Store>

    public init(feeds: FeedService<Store>) {
        self.feeds = feeds
    }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("@{handle}/short", use: short)
    }

    /// A user's short profile.
    @Sendable func short(request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle")?.removingPercentEncoding ?? ""
        return JSONResponse.make(try await feeds.userShort(handle: handle, logger: context.logger))
    }
}
