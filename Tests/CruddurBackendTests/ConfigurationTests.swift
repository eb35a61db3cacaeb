import CruddurAPI
import CruddurDomain
import CruddurRuntime
import CruddurStore
import Foundation
import Testing

@Suite("Configuration from the environment and secret files")
struct ConfigurationTests {
    @Test func defaultsNeedNothing() throws {
        let configuration = try AppConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 4567)
        #expect(configuration.cognito.pool == nil)
        #expect(configuration.database == nil)
        #expect(configuration.bodyDecoder.bytes == 64 * 1024)
    }

    /// A setting's file in the secrets folder (`SECRETS_DIR`, as compose mounts `/run/secrets`) is read like
    /// its variable; the environment wins; a bad value in a file names its variable too.
    @Test func secretFilesHoldSettingsAndTheEnvironmentWins() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = "postgresql://cruddur:from-a-file@db.internal:5432/cruddur"
        try Data("\(url)\n".utf8).write(to: folder.appendingPathComponent("connection-url"))
        try Data("8080".utf8).write(to: folder.appendingPathComponent("port"))
        let fromFiles = try AppConfiguration(await Settings.load(environment: ["SECRETS_DIR": folder.path]))
        #expect(fromFiles.database?.url == url)
        #expect(fromFiles.port == 8080)
        let overridden = try AppConfiguration(
            await Settings.load(environment: ["SECRETS_DIR": folder.path, "PORT": "9090"]))
        #expect(overridden.port == 9090)
        try Data("many".utf8).write(to: folder.appendingPathComponent("db-pool-size"))
        let bad = try await Settings.load(environment: ["SECRETS_DIR": folder.path])
        #expect {
            _ = try AppConfiguration(bad)
        } throws: { error in
            (error as? ConfigurationError)?.variable == "DB_POOL_SIZE"
        }
        // No folder: no settings from files (the default /run/secrets is absent on most machines).
        let none = try AppConfiguration(await Settings.load(environment: ["SECRETS_DIR": folder.path + "-absent"]))
        #expect(none.database == nil)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("LOG_LEVEL", "loud"), ("MAX_BODY_BYTES", "-1"),
        ("FRONTEND_URL", "localhost:3000"), ("AWS_COGNITO_USER_POOL_ID", "../../etc"),
        ("CONNECTION_URL", "mysql://x"), ("AUTH_CLOCK_SKEW_SECONDS", "1e9"), ("OTEL_TRACES_EXPORTER", "zipkin"),
    ])
    func badValuesNameTheVariable(name: String, value: String) {
        #expect {
            _ = try AppConfiguration(environment: [name: value])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(name.prefix(8)) == true
        }
    }

    @Test func spansGoToOTLPWhenAnEndpointIsSetElseToTheLogAtDebug() throws {
        let cases: [([String: String], TraceExport)] = [
            ([:], .none), (["LOG_LEVEL": "debug"], .log), (["LOG_LEVEL": "trace"], .log),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"], .otlp),
            (["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces", "LOG_LEVEL": "debug"], .otlp),
            (["OTEL_TRACES_EXPORTER": "otlp"], .otlp), (["OTEL_TRACES_EXPORTER": "NONE", "LOG_LEVEL": "debug"], .none),
            (["OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"], .none),
        ]
        for (environment, export) in cases {
            #expect(try AppConfiguration(environment: environment).traceExport == export, "\(environment)")
        }
    }

    @Test func aPoolNeedsClientsAndDerivesItsIssuerAndJWKS() throws {
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(environment: ["AWS_COGNITO_USER_POOL_ID": "us-east-1_Abc"])
        }
        let configuration = try AppConfiguration(environment: [
            "AWS_COGNITO_USER_POOL_ID": "us-east-1_Abc", "AWS_COGNITO_USER_POOL_CLIENT_ID": "one, two",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/",
        ])
        let pool = try #require(configuration.cognito.pool)
        #expect(pool.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc")
        #expect(pool.jwksURL == "http://127.0.0.1:5000/us-east-1_Abc/.well-known/jwks.json")
        #expect(pool.clientIDs == ["one", "two"])
        let specific = try AppConfiguration(environment: [
            "AWS_COGNITO_USER_POOL_ID": "eu-west-1_Abc", "AWS_COGNITO_USER_POOL_CLIENT_ID": "one",
            "AWS_ENDPOINT_URL": "http://ignored", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://127.0.0.1:7000",
        ])
        #expect(specific.cognito.pool?.endpoint == "http://127.0.0.1:7000")
        #expect(specific.cognito.pool?.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc")
    }

    @Test func plainHTTPCognitoNeedsLoopbackOrAnExplicitSetting() throws {
        let pool = ["AWS_COGNITO_USER_POOL_ID": "us-east-1_Abc", "AWS_COGNITO_USER_POOL_CLIENT_ID": "one"]
        let remote = pool.merging(["AWS_ENDPOINT_URL": "http://cognito.internal:9229"]) { $1 }
        #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: remote) }
        let allowed = try AppConfiguration(environment: remote.merging(["COGNITO_ALLOW_HTTP": "true"]) { $1 })
        #expect(allowed.cognito.pool?.isPlainHTTP == true)
        for loopback in ["http://localhost:9229", "http://127.0.0.1:5000", "http://[::1]:5000", "https://x.example"] {
            _ = try AppConfiguration(environment: pool.merging(["AWS_ENDPOINT_URL": loopback]) { $1 })
        }
    }

    @Test func oneTLSSettingFromDBTLSOrTheURLsSSLMode() throws {
        let url = "postgresql://u:p@db.example:5432/cruddur"
        #expect(try AppConfiguration(environment: ["CONNECTION_URL": url]).database?.tls == .disable)
        let fromURL = try AppConfiguration(environment: ["CONNECTION_URL": url + "?sslmode=verify-full"])
        #expect(fromURL.database?.tls == .verifyFull)
        #expect(fromURL.database?.database == "cruddur")
        let fromVariable = try AppConfiguration(environment: ["CONNECTION_URL": url, "DB_TLS": "require"])
        #expect(fromVariable.database?.tls == .require)
        for environment in [
            ["CONNECTION_URL": url + "?sslmode=require", "DB_TLS": "disable"],
            ["CONNECTION_URL": url + "?sslmode=allow"],
            ["CONNECTION_URL": url, "DB_TLS": "verify-full", "DB_TLS_CA_FILE": "/nonexistent/ca.pem"],
        ] {
            #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: environment) }
        }
    }

    @Test func writesFollowThePrimaryAndEachStandbyIsItsOwnTarget() throws {
        let both = "postgresql://u:p@db-1:5432,db-2:6432/cruddur?sslmode=require"
        let database = try #require(try DatabaseConfiguration(environment: ["CONNECTION_URL": both]))
        #expect(database.options.settings["target_session_attrs"] == "read-write")
        #expect(database.standbyOptions.isEmpty)
        #expect(database.replicaMaxLag == .milliseconds(500) && database.replicaProbeInterval == .milliseconds(200))
        #expect(database.expiryPurgeInterval == .seconds(60) && database.expiryGrace == .seconds(600))
        let chosen = try #require(
            try DatabaseConfiguration(environment: ["CONNECTION_URL": both + "&target_session_attrs=any"]))
        #expect(chosen.options.settings["target_session_attrs"] == "any")

        let reads = try #require(
            try DatabaseConfiguration(environment: [
                "CONNECTION_URL": both, "READ_CONNECTION_URL": "postgresql://r:s@replica-1,replica-2:5433/",
                "REPLICA_MAX_LAG_MS": "2000", "EXPIRY_PURGE_SECONDS": "0",
            ]))
        let standbys = reads.standbyOptions.map(\.settings)
        #expect(standbys.map { $0["host"] } == ["replica-1", "replica-2"])
        // libpq's reading: a port per host, and a host without one on 5432.
        #expect(standbys.map { $0["port"] } == ["5432", "5433"])
        #expect(standbys.allSatisfy { $0["dbname"] == "cruddur" && $0["sslmode"] == "require" && $0["user"] == "r" })
        #expect(standbys.allSatisfy { $0["target_session_attrs"] == nil })
        #expect(reads.standbyOptions.map(\.description) == ["replica-1:5432/cruddur", "replica-2:5433/cruddur"])
        #expect(reads.replicaMaxLag == .seconds(2) && reads.expiryPurgeInterval == nil)

        for (name, value) in [
            ("READ_CONNECTION_URL", "mysql://x"), ("READ_CONNECTION_URL", "postgresql://[x"),
            ("REPLICA_MAX_LAG_MS", "0"), ("REPLICA_PROBE_MS", "x"), ("EXPIRY_PURGE_SECONDS", "-1"),
            ("EXPIRY_GRACE_SECONDS", "1e9"),
        ] {
            #expect {
                _ = try DatabaseConfiguration(environment: ["CONNECTION_URL": both, name: value])
            } throws: { error in
                (error as? ConfigurationError)?.description.contains(name) == true
            }
        }
    }

    @Test func drainAndRateSettings() throws {
        let defaults = try AppConfiguration(environment: [:])
        #expect(
            defaults.drainSeconds == 5 && defaults.shutdownTimeoutSeconds == 10 && defaults.writeRatePerMinute == 30)
        for (name, value) in [
            ("DRAIN_SECONDS", "-1"), ("SHUTDOWN_TIMEOUT_SECONDS", "0"), ("WRITE_RATE_PER_MINUTE", "x"),
        ] {
            #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: [name: value]) }
        }
    }

    @Test func timestampsAreRFC3339WithMilliseconds() throws {
        let date = try #require(RFC3339.date(from: "2026-03-09T17:52:15.123Z"))
        #expect(RFC3339.string(from: date) == "2026-03-09T17:52:15.123Z")
        #expect(RFC3339.string(from: .init(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(
            RFC3339.string(from: try #require(RFC3339.date(from: "2024-02-29T23:59:59+02:00")))
                == "2024-02-29T21:59:59.000Z")
        // Every offset and fraction length RFC 3339 allows, both cases of T and Z; nothing else.
        #expect(RFC3339.microseconds(from: Array("2000-01-15T01:27:27.353+21:38".utf8)) == 947_821_767_353_000)
        #expect(RFC3339.microseconds(from: Array("1970-01-01t00:00:00.1234567z".utf8)) == 123_456)
        #expect(RFC3339.microseconds(from: Array("1969-12-31T23:59:59.5Z".utf8)) == -500_000)
        for bad in [
            "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00+2400", "+2026-01-01T00:00:00Z",
        ] {
            #expect(RFC3339.microseconds(from: Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func handlesFromCognitoAreSanitisedAndDeduplicated() {
        #expect(Handle.sanitized("Andrew Brown!") == "AndrewBrown")
        #expect(Handle.sanitized("..../x") == "x")
        #expect(Handle.sanitized("💥") == "user")
        #expect(Array(Handle.candidates(for: "worf").prefix(3)) == ["worf", "worf_2", "worf_3"])
        #expect(!Handle.isValid("a..b") && !Handle.isValid(".a") && !Handle.isValid("") && Handle.isValid("a.b-c_d"))
    }
}
