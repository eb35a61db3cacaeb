/// One SQL statement with its bound values.
///
/// With a `name` it is prepared once per connection, under that name, the first time a connection runs it
/// (its parameter types fixed by that first binding's types), and executed by name after that; without one
/// it is parsed and planned for its values each time. Results always come in binary format.
public struct PostgresStatement: Sendable {
    public var sql: String
    public var name: String?
    public var parameters: PostgresParameters

    public init(_ sql: String, prepared name: String? = nil, _ parameters: PostgresParameters = PostgresParameters()) {
        self.sql = sql
        self.name = name
        self.parameters = parameters
    }
}
