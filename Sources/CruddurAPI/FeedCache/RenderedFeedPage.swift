import CruddurDomain
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
