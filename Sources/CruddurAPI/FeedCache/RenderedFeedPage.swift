import CruddurDomain
import Foundation
import Logging
import NIOCore

/// A feed page and its items written as the wire's JSON array.
public struct RenderedFeedPage: Sendable {
    public var page: FeedPage
    public var json: ByteBuffer

    public init(_ page: FeedPage) {
        self.page = page
        self.json = ActivityJSON.array(page.items)
    }
}

/// A store that keeps home pages already written as JSON (``HomeFeedCache``): the bytes are written once
/// and every response that serves the page reuses them.
public protocol HomeFeedRendering: Sendable {
    func renderedHome(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws
        -> RenderedFeedPage
}
