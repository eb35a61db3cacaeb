import CruddurDomain

/// `WWW-Authenticate` challenges (RFC 6750 §3).
public enum WWWAuthenticate {
    /// The realm named in every challenge.
    public static let realm = "cruddur"

    /// No token: a bare challenge; a refused token: `invalid_token` with what failed.
    public static func challenge(for rejection: TokenRejection?) -> String {
        guard let rejection else { return "Bearer realm=\"\(realm)\"" }
        return
            "Bearer realm=\"\(realm)\", error=\"invalid_token\", error_description=\"\(quoted(rejection.description))\""
    }

    /// A verified token that lacks a required scope or group.
    public static func insufficientScope(_ description: String) -> String {
        "Bearer realm=\"\(realm)\", error=\"insufficient_scope\", error_description=\"\(quoted(description))\""
    }

    private static func quoted(_ text: String) -> String {
        String(
            text.unicodeScalars.filter { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 }.map(
                Character.init))
    }
}
