import HummingbirdTesting
import Testing
@testable import CruddurBackend
@Test func placeholder() {}
