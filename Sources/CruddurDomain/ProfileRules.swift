/// What a valid profile is: a display name of 1 to 50 characters and a bio of at most 160, measured as
/// messages are (``MessageRules``: characters, and at most 4 scalars a character) on the text as sent, so
/// that padding counts as the schema's `maxLength` counts it; what is stored has NUL dropped and surrounding
/// white space trimmed. A blank bio clears it; a bio of another JSON type is `bio_invalid`.
public enum ProfileRules {
    public static let displayName = MessageRules.Limit(characters: 50)
    public static let bio = MessageRules.Limit(characters: 160)

    /// The update, or 422 with every failing check's code.
    public static func validated(displayName: String?, bio: String?, bioIsString: Bool = true) throws
        -> ProfileUpdate
    {
        let name = displayName.map(MessageRules.normalized) ?? ""
        var problems: [String] = []
        if name.isEmpty {
            problems.append("display_name_blank")
        } else if let displayName, !MessageRules.fits(displayName, Self.displayName) {
            problems.append("display_name_exceed_max_chars")
        }
        if !bioIsString {
            problems.append("bio_invalid")
        } else if let bio, !MessageRules.fits(bio, Self.bio) {
            problems.append("bio_exceed_max_chars")
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let storedBio = bio.map(MessageRules.normalized).flatMap { $0.isEmpty ? nil : $0 }
        return ProfileUpdate(displayName: name, bio: storedBio)
    }
}
