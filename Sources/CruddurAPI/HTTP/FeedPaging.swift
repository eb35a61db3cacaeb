import CruddurDomain
import HTTPTypes
import Hummingbird

/// Reads `limit` and `before` from a feed request and announces the next page in a `Link` header.
public enum FeedPaging {
    /// The page a request asks for; 422 `limit_invalid` / `before_invalid` for values out of range.
    public static func pageRequest(_ query: QueryParameters) throws -> PageRequest {
        var problems: [String] = []
        var page = PageRequest()
        if let limit = query["limit"] {
            if let value = Int(limit), (1...PageRequest.maxLimit).contains(value) {
                page.limit = value
            } else {
                problems.append("limit_invalid")
            }
        }
        if let before = query["before"] {
            if let cursor = FeedCursor(parameter: before) {
                page.before = cursor
            } else {
                problems.append("before_invalid")
            }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return page
    }

    /// A 200 response with the page's items and, when there is more, `Link: <…>; rel="next"`.
    /// `keep` names query parameters carried over to the next page's URL (such as `term`); `json` is the
    /// page's items already written, when a cache keeps them.
    public static func response(
        _ page: FeedPage, json: ByteBuffer? = nil, request: Request, limit: Int, keep: [String] = []
    ) -> Response {
        JSONResponse.bytes(
            json ?? ActivityJSON.array(page.items),
            headers: linkHeader(next: page.next, request: request, limit: limit, keep: keep))
    }

    /// `Link: <…>; rel="next"` for the page after `next`, when there is one.
    public static func linkHeader(next: FeedCursor?, request: Request, limit: Int, keep: [String] = []) -> HTTPFields {
        var headers = HTTPFields()
        if let next {
            let query = QueryParameters(request.uri)
            var parts = keep.compactMap { name in query[name].map { "\(name)=\(QueryParameters.encode($0))" } }
            parts.append("limit=\(limit)")
            parts.append("before=\(QueryParameters.encode(next.token))")
            headers[.link] = "<\(request.uri.path)?\(parts.joined(separator: "&"))>; rel=\"next\""
        }
        return headers
    }
}

extension HTTPField.Name {
    static let link = Self("Link")!
}
