import Foundation
import HTTPTypes
import Testing

@testable import CruddurAPI

/// The jwt_authn edge (envoy/auth-jwt_authn.yaml) states the protected routes again, as regexes Envoy can
/// read: this holds them to the route table, for the paths as written and as Hummingbird also serves them.
@Suite("The edge's protected routes are the route table's")
struct EdgePolicyTests {
    struct Rule {
        let method: String
        let regex: NSRegularExpression

        func matches(_ method: String, _ path: String) -> Bool {
            method == self.method
                && regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
        }
    }

    /// `(method, regex)` pairs from lines naming both, split into jwt_authn's required rules and RBAC's.
    static let rules: (jwt: [Rule], rbac: [Rule]) = {
        let text = try! String(contentsOfFile: Repository.path("envoy/auth-jwt_authn.yaml"), encoding: .utf8)
        let pattern = try! NSRegularExpression(
            pattern: #"regex: "([^"]+)".*exact: ([A-Z]+)|exact: ([A-Z]+).*regex: "([^"]+)""#)
        var jwt: [Rule] = []
        var rbac: [Rule] = []
        let lines = text.split(separator: "\n").map(String.init)
        for (index, line) in lines.enumerated() {
            guard let match = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else {
                continue
            }
            func group(_ number: Int) -> String? {
                Range(match.range(at: number), in: line).map { String(line[$0]) }
            }
            guard let regex = group(1) ?? group(4), let method = group(2) ?? group(3) else { continue }
            let rule = Rule(method: method, regex: try! NSRegularExpression(pattern: regex))
            if line.contains("- match:") {
                if index + 1 < lines.count, lines[index + 1].contains("requires: {provider_name: cognito}") {
                    jwt.append(rule)
                }
            } else {
                rbac.append(rule)
            }
        }
        return (jwt, rbac)
    }()

    static func samples(_ route: APIRoute) -> [String] {
        let path = route.path.replacingOccurrences(of: "@{handle}", with: "@worf")
            .replacingOccurrences(of: "{uuid}", with: "68f126b0-1ceb-4a33-88be-d90fa7109eee")
        return [path, path + "/"]
    }

    @Test func everyProtectedRouteNeedsAVerifiedAccessTokenAtTheEdge() {
        #expect(!Self.rules.jwt.isEmpty && !Self.rules.rbac.isEmpty)
        for route in APIRoutes.all where route.access == .protected {
            for path in Self.samples(route) {
                #expect(Self.rules.jwt.contains { $0.matches(route.method.rawValue, path) }, "\(route.method) \(path)")
                #expect(Self.rules.rbac.contains { $0.matches(route.method.rawValue, path) }, "\(route.method) \(path)")
            }
        }
    }

    @Test func noPublicRouteIsProtectedAtTheEdge() {
        for route in APIRoutes.all where route.access != .protected {
            for path in Self.samples(route) {
                #expect(!Self.rules.jwt.contains { $0.matches(route.method.rawValue, path) }, "\(route.method) \(path)")
                #expect(
                    !Self.rules.rbac.contains { $0.matches(route.method.rawValue, path) }, "\(route.method) \(path)")
            }
        }
    }

    @Test func everyEdgeRuleNamesARouteOfTheTable() {
        for rule in Self.rules.jwt + Self.rules.rbac {
            let named = APIRoutes.all.contains { route in
                Self.samples(route).contains {
                    rule.matches(
                        route.method.rawValue == "GET" && rule.method == "HEAD" ? "HEAD" : route.method.rawValue, $0)
                }
            }
            #expect(named, "\(rule.method) \(rule.regex.pattern)")
        }
    }
}
