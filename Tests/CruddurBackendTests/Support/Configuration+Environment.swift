import CruddurAPI
import CruddurRuntime
import CruddurStore

// The suites describe configurations as environments; the server reads the same names through `Settings`.
extension AppConfiguration {
    init(environment: [String: String]) throws {
        try self.init(Settings(environment: environment))
    }
}

extension DatabaseConfiguration {
    init?(environment: [String: String]) throws {
        try self.init(Settings(environment: environment))
    }
}
