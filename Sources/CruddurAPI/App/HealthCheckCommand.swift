import AsyncHTTPClient
import CruddurRuntime
import Foundation
import NIOCore

/// `cruddur healthcheck [URL]`: asks the running server's readiness route, for container health checks
/// in images that have no curl.
enum HealthCheckCommand {
    static func run(url: String?, settings: Settings) async -> Int32 {
        let target = url ?? defaultURL(settings)
        do {
            var request = HTTPClientRequest(url: target)
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3))
            let ok = response.status == .ok
            print("\(target): \(response.status.code)")
            return ok ? 0 : 1
        } catch {
            print("\(target): \(error)")
            return 1
        }
    }

    static func defaultURL(_ reader: Settings) -> String {
        var host = reader.string("HOST") ?? "127.0.0.1"
        if host == "0.0.0.0" || host == "::" { host = "127.0.0.1" }
        if host.contains(":") { host = "[\(host)]" }
        let port = reader.string("PORT") ?? "4567"
        return "http://\(host):\(port)/api/health-check"
    }
}
