/// Who may read a crud.
public enum Visibility: String, Sendable, Codable, CaseIterable {
    /// Everyone, signed in or not.
    case `public`
    /// Signed-in callers only: the "extra data for logged-in users".
    case members

    /// The visibilities a caller may read.
    public static func readable(signedIn: Bool) -> [Visibility] {
        signedIn ? [.public, .members] : [.public]
    }
}
