import CruddurDomain
import Foundation
import Testing

@testable import CruddurAPI

@Suite("The profile JSON writer and the percent codec")
struct ProfileJSONTests {
    @Test(arguments: [
        ("andrewbrown", "Andrew \"AB\" Brown", "Cloud fan.\n/ slash 🦄" as String?, "sub-andrew" as String?, 3),
        ("worf", "Worf", nil, nil, 0),
        ("garek", "Control \u{1} \u{1f} ünïcödé", "", "sub-\\", 1_000_000),
    ])
    func matchesJSONEncoder(handle: String, displayName: String, bio: String?, sub: String?, count: Int) throws {
        let user = User(
            uuid: UUID(), handle: handle, displayName: displayName, email: nil, bio: bio, cognitoUserID: sub,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123))
        let profile = Profile(user: user, crudsCount: count)
        let ours = try JSONSerialization.jsonObject(with: Data(ProfileJSON.object(profile).readableBytesView))
        let reference = try JSONSerialization.jsonObject(with: JSONEncoder().encode(profile))
        #expect(ours as? NSDictionary == reference as? NSDictionary)
        let short = UserShort(uuid: user.uuid, handle: handle, displayName: displayName)
        let shortOurs = try JSONSerialization.jsonObject(with: Data(ProfileJSON.short(short).readableBytesView))
        let shortReference = try JSONSerialization.jsonObject(with: JSONEncoder().encode(short))
        #expect(shortOurs as? NSDictionary == shortReference as? NSDictionary)
    }

    @Test(arguments: [
        "plain", "a b+c", "%", "%4", "%zz", "%41%42", "%e2%82%ac", "%E2%82", "%C3%A9t%C3%A9", "%00", "é/?&=#",
        "1700000000123456_68f126b0-1ceb-4a33-88be-d90fa7109eee", "",
    ])
    func theCodecAnswersAsFoundationDoes(text: String) {
        #expect(PercentEncoding.decode(text) == text.removingPercentEncoding, "\(text)")
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        #expect(PercentEncoding.encode(text) == text.addingPercentEncoding(withAllowedCharacters: allowed))
        #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        #expect(PercentEncoding.decode("a+b", plusAsSpace: true) == "a b")
    }
}
