/// How long a crud lives: the `ttl` values the API accepts.
public enum ActivityTTL: String, Sendable, CaseIterable {
    case thirtyDays = "30-days"
    case sevenDays = "7-days"
    case threeDays = "3-days"
    case oneDay = "1-day"
    case twelveHours = "12-hours"
    case threeHours = "3-hours"
    case oneHour = "1-hour"

    /// The lifetime in seconds.
    public var seconds: Int {
        switch self {
        case .thirtyDays: 30 * 86_400
        case .sevenDays: 7 * 86_400
        case .threeDays: 3 * 86_400
        case .oneDay: 86_400
        case .twelveHours: 12 * 3600
        case .threeHours: 3 * 3600
        case .oneHour: 3600
        }
    }
}
