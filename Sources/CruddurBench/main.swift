// In-process micro-benchmarks of the token verifier, in release mode: a cold verification (parse and RSA
// signature check), a cached hit, and parsing a JWKS document. Prints one JSON object.
// `cruddur-bench pg URL SECONDS TASKS CONNECTIONS` runs the database client line instead (ClientLine.swift);
// `cruddur-bench bare-server PORT` serves a bare Hummingbird route (BareServer.swift).
import CruddurAuth
import CryptoExtras
import Foundation

let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
let primitives = try key.publicKey.getKeyPrimitives()
let jwk = [
    "kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
    "n": Base64URL.encode(primitives.modulus), "e": Base64URL.encode(primitives.publicExponent),
]
let jwksJSON = try JSONSerialization.data(withJSONObject: ["keys": [jwk, jwk.merging(["kid": "bench-2"]) { $1 }]])
let pool = CognitoConfiguration.Pool(
    region: "us-east-1", poolID: "us-east-1_Bench", clientIDs: ["bench-client"], endpoint: "http://127.0.0.1:9")

struct FixedKeys: JWKSFetching {
    let set: JSONWebKeySet
    func fetch() async throws(JWKSError) -> JSONWebKeySet { set }
}

func token(jti: Int) throws -> String {
    let now = Int(Date().timeIntervalSince1970)
    let header = #"{"alg":"RS256","kid":"bench"}"#
    let claims = """
        {"sub":"bench-user","username":"bench","client_id":"bench-client","token_use":"access",\
        "iss":"\(pool.issuer)","iat":\(now),"exp":\(now + 3600),"jti":"\(jti)","scope":"aws.cognito.signin.user.admin"}
        """
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
    return input + "." + Base64URL.encode(signature.rawRepresentation)
}

/// Runs `body` `count` times and returns (operations per second, nanoseconds per operation).
func measure(_ count: Int, _ body: (Int) async throws -> Void) async rethrows -> [String: Double] {
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<count { try await body(index) }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return [
        "ops_per_second": (Double(count) / seconds).rounded(), "ns_per_op": (seconds / Double(count) * 1e9).rounded(),
    ]
}

/// Everything runs inside one detached task: called from top-level code, each verification would hop
/// between the main actor and the pool, and the benchmark would measure thread switches.
func runAll(coldCount: Int) async throws -> [String: [String: Double]] {
    let set = try JSONWebKeySet(json: jwksJSON)
    let tokens = try (0..<coldCount).map(token)
    let verifier = CognitoTokenVerifier(
        pool: pool, keys: JWKSCache(fetcher: FixedKeys(set: set)), cache: VerifiedTokenCache(capacity: coldCount * 2))
    _ = try await verifier.verify(tokens[0][...]).get()  // loads the key set
    let cold = try await measure(coldCount - 1) { index in _ = try await verifier.verify(tokens[index + 1][...]).get() }
    let cached = try await measure(200_000) { index in _ = try await verifier.verify(tokens[index % 100][...]).get() }
    let parse = try await measure(20_000) { _ in _ = try JSONWebKeySet(json: jwksJSON) }
    return ["verify_cold": cold, "verify_cached": cached, "jwks_parse_2_keys": parse]
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "pg", arguments.count == 5, let seconds = Double(arguments[2]), let tasks = Int(arguments[3]),
    let connections = Int(arguments[4])
{
    let line = try await Task.detached {
        try await ClientLine.run(url: arguments[1], seconds: seconds, tasks: tasks, connections: connections)
    }.value
    let output = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    print(String(decoding: output, as: UTF8.self))
    exit(0)
}
if arguments.first == "bare-server", arguments.count == 2, let port = Int(arguments[1]) {
    try await BareServer.run(port: port)
    exit(0)
}
let coldCount = Int(arguments.first ?? "") ?? 2000
let report = try await Task.detached { try await runAll(coldCount: coldCount) }.value
let output = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
print(String(decoding: output, as: UTF8.self))
