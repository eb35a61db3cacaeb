import CruddurBackend
import Testing

@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test func defaultsNeedNothing() throws {
        let configuration = try AppConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 4567)
        #expect(configuration.cognito.pool == nil)
        #expect(configuration.database == nil)
        #expect(configuration.bodyLimit.bytes == 64 * 1024)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("LOG_LEVEL", "loud"), ("MAX_BODY_BYTES", "-1"),
        ("FRONTEND_URL", "localhost:3000"), ("AWS_COGNITO_USER_POOL_ID", "../../etc"),
        ("CONNECTION_URL", "mysql://x"), ("AUTH_CLOCK_SKEW_SECONDS", "1e9"),
    ])
    func badValuesNameTheVariable(name: String, value: String) {
        #expect {
            _ = try AppConfiguration(environment: [name: value])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(name.prefix(8)) == true
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

    @Test func timestampsAreRFC3339WithMilliseconds() throws {
        let date = try #require(RFC3339.date(from: "2026-03-09T17:52:15.123Z"))
        #expect(RFC3339.string(from: date) == "2026-03-09T17:52:15.123Z")
        #expect(RFC3339.string(from: .init(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(
            RFC3339.string(from: try #require(RFC3339.date(from: "2024-02-29T23:59:59+02:00")))
                == "2024-02-29T21:59:59.000Z")
    }

    @Test func handlesFromCognitoAreSanitisedAndDeduplicated() {
        #expect(Handle.sanitized("Andrew Brown!") == "AndrewBrown")
        #expect(Handle.sanitized("..../x") == "x")
        #expect(Handle.sanitized("💥") == "user")
        #expect(Array(Handle.candidates(for: "worf").prefix(3)) == ["worf", "worf_2", "worf_3"])
        #expect(!Handle.isValid("a..b") && !Handle.isValid(".a") && !Handle.isValid("") && Handle.isValid("a.b-c_d"))
    }
}
