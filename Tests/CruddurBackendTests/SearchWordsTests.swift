import CruddurDomain
import Foundation
import PostgresDriver
import Testing

@testable import CruddurStore

/// Search through the words index (migration 0013): the server and PostgreSQL read a term's keys alike, the
/// lookup by words and the prepared walk find exactly what the trigram lookup finds, and the common and frequent
/// words come from `pg_stats`.
@Suite("Search by words", .serialized)
struct SearchWordsTests {
    let worf = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a03")!
    let members = Visibility.readable(signedIn: true)

    @Test func keysAreTheInnerWordsAndTheLastPieceAsABeginning() {
        func keys(_ term: String) -> String? { SearchWordStatistics.keys(of: term).map(SearchWordStatistics.query) }
        #expect(keys("number 4242") == "'4242':*")
        #expect(keys("About the CLOUD") == "'the' & 'cloud':*")
        #expect(keys("cloud") == "", "one piece may be inside a longer word at both ends")
        #expect(keys("a b") == "", "a last piece under four characters begins too many words")
        #expect(keys("don't  stop-me now!") == "'t' & 'stop' & 'me' & 'now'")
        #expect(keys(" lead") == "'lead':*")
        #expect(keys("x " + String(repeating: "b", count: 40) + " y") == "'" + String(repeating: "b", count: 32) + "'")
        #expect(keys("école test") == nil, "letters beyond ASCII are PostgreSQL's locale's to read")
    }

    static let terms = [
        SearchWordStatistics.probe,
        "number 4242", "crud number 4242 about", "4242 about the", "ber 4242", "number 424", "don't", "t stop",
        "e-mail me", "++ rocks", "école test", "ÉCOLE", "the cloud", "about the cloud", " lead", "x y",
        "a " + String(repeating: "b", count: 40) + " c", "a " + String(repeating: "b", count: 40),
        "q " + String(repeating: "b", count: 33), "100% sure", "snake_case", #"back\slash"#, "nothing here at all",
    ]

    /// What PostgreSQL's `search_words` makes of a term is what the server expects it to look up.
    @Test(.enabled(if: PostgresTestDatabase.enabled), arguments: terms)
    func theServerReadsATermAsPostgreSQLDoes(term: String) async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, _ in
            var parameters = PostgresParameters()
            parameters.append(term)
            let inDatabase = try await store.database.pool.query(
                PostgresStatement("SELECT coalesce(search_words($1)::text, '')", parameters)
            ).decode(String.self, row: 0, column: 0)
            guard let keys = SearchWordStatistics.keys(of: term) else { return }
            let expected = SearchWordStatistics.query(keys)
            #expect(inDatabase == expected)
        }
    }

    /// Both lookups find the same cruds, and the right ones, including words longer than the index keeps,
    /// pieces of words, punctuation, and letters beyond ASCII.
    @Test(.enabled(if: PostgresTestDatabase.enabled)) func bothLookupsFindTheSameCruds() async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, _ in
            let now = Date()
            let long = String(repeating: "b", count: 40)
            let messages = [
                "Bench crud number 4242 about the cloud", "number 42420 about the cloud", "xnumber 4242y",
                "don't stop-me now", "Send an e-mail me", "C++ rocks", "Une ÉCOLE test", "lead the way",
                "a \(long) c", "a \(long)x c", "q \(String(repeating: "b", count: 33))", "100% sure", "snake_case",
                #"back\slash"#,
            ]
            for (index, message) in messages.enumerated() {
                _ = try await store.insertActivity(
                    NewActivity(
                        authorUUID: worf, message: message, visibility: .public, expiresAt: now.addingTimeInterval(600),
                        createdAt: now.addingTimeInterval(Double(index) / 1000)),
                    logger: testLogger)
            }
            let later = now.addingTimeInterval(1)
            func found(_ statement: some KeysetFeedStatement) async throws -> Set<String> {
                var messages: Set<String> = []
                for row in try await store.database.pool.query(statement.unprepared).rows {
                    let (part, activity) = try PostgresStatements.feedRow(row)
                    if part == 0 { messages.insert(activity.message) }
                }
                return messages
            }
            func executed<Statement: KeysetFeedStatement>(_ statement: Statement) async throws -> Set<String>
            where Statement.Row == PostgresStatements.FeedRow {
                var messages: Set<String> = []
                for (part, activity) in try await statement.rows(on: store.database.pool.bounded(by: .seconds(3)))
                where part == 0 {
                    messages.insert(activity.message)
                }
                return messages
            }
            var byTerm: [String: Set<String>] = [:]
            let bench = messages[0]
            for term in Self.terms {
                let pattern = "%" + CruddurPostgresStore.escapeLike(term) + "%"
                let page = PageRequest(limit: 100)
                let byTrigrams = try await found(
                    PostgresStatements.Search(pattern: pattern, now: later, readable: members, page: page))
                byTerm[term] = byTrigrams
                let walked = try await executed(
                    PostgresStatements.SearchWalk(pattern: pattern, now: later, readable: members, page: page))
                #expect(walked == byTrigrams, "\(term)")
                // The word query as PostgreSQL builds it, for the terms beyond ASCII too.
                var parameters = PostgresParameters()
                parameters.append(term)
                let words = try await store.database.pool.query(
                    PostgresStatement("SELECT search_words($1)::text", parameters)
                ).decode(String?.self, row: 0, column: 0)
                guard let words else { continue }
                let byWords = try await executed(
                    PostgresStatements.SearchByWords(
                        pattern: pattern, words: words, now: later, readable: members, page: page))
                #expect(byWords == byTrigrams, "\(term)")
            }
            let fours: Set = [bench, "number 42420 about the cloud", "xnumber 4242y"]
            #expect(byTerm["number 4242"] == fours)
            #expect(byTerm["ber 4242"] == fours)
            #expect(byTerm["number 424"] == fours)
            #expect(byTerm["crud number 4242 about"] == [bench])
            #expect(byTerm["t stop"] == ["don't stop-me now"])
            #expect(byTerm["e-mail me"] == ["Send an e-mail me"])
            #expect(byTerm["école test"] == ["Une ÉCOLE test"])
            #expect(byTerm[" lead"] == [])
            #expect(byTerm["a \(long) c"] == ["a \(long) c"])
            #expect(byTerm["a \(long)"] == ["a \(long) c", "a \(long)x c"])
            #expect(byTerm["q " + String(repeating: "b", count: 33)] == ["q " + String(repeating: "b", count: 33)])
            #expect(byTerm["nothing here at all"] == [])
        }
    }

    /// The prepared walk pages as the other lookups do: newest first, across equal timestamps, nothing twice.
    @Test(.enabled(if: PostgresTestDatabase.enabled)) func theWalkPagesLikeTheOtherLookups() async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, _ in
            let now = Date()
            for index in 0..<25 {
                _ = try await store.insertActivity(
                    NewActivity(
                        authorUUID: worf, message: "walk \(index) in the cloud", visibility: .public,
                        expiresAt: now.addingTimeInterval(600), createdAt: now.addingTimeInterval(Double(index / 3))),
                    logger: testLogger)
            }
            let later = now.addingTimeInterval(60)
            func pages(_ read: (PageRequest) async throws -> FeedPage) async throws -> [UUID] {
                var found: [UUID] = []
                var page = PageRequest(limit: 4)
                while true {
                    let result = try await read(page)
                    found += result.items.map(\.uuid)
                    guard let next = result.next else { return found }
                    page = PageRequest(limit: 4, before: next)
                }
            }
            let walked = try await pages { page in
                let statement = PostgresStatements.SearchWalk(
                    pattern: "%cloud%", now: later, readable: members, page: page)
                return try await CruddurPostgresStore.feedPage(
                    statement, limit: page.limit, pool: store.database.pool.bounded(by: .seconds(3)))
            }
            let byTrigrams = try await pages { page in
                let statement = PostgresStatements.Search(pattern: "%cloud%", now: later, readable: members, page: page)
                let rows = try await store.database.pool.query(statement.unprepared).rows.map(
                    PostgresStatements.feedRow)
                return CruddurPostgresStore.feedPage(rows, limit: page.limit)
            }
            #expect(walked.count >= 25 && Set(walked).count == walked.count)
            #expect(walked == byTrigrams)
        }
    }

    /// One word of 1,024 three-byte characters is a reply the app accepts: the words index keeps its first 32
    /// characters (a GIN entry holds about 2.7 kB), so it is stored and found.
    @Test(.enabled(if: PostgresTestDatabase.enabled)) func aReplyOfOneLongWordIsStoredAndFound() async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, _ in
            let now = Date()
            let word = String(repeating: "漢", count: MessageRules.reply.characters)
            let parent = try await store.insertActivity(
                NewActivity(
                    authorUUID: worf, message: "parent", visibility: .public, expiresAt: now.addingTimeInterval(600),
                    createdAt: now),
                logger: testLogger)
            let reply = try await store.insertReply(
                NewActivity(
                    authorUUID: worf, message: word, visibility: .public, expiresAt: now.addingTimeInterval(600),
                    createdAt: now),
                to: parent.uuid, readable: members, now: now, logger: testLogger)
            #expect(reply?.message == word)
            for term in [word, "x " + word.prefix(40) + " y", String(word.prefix(40))] {
                let page = try await store.search(
                    term: term, readable: members, page: .init(), now: now.addingTimeInterval(1), logger: testLogger)
                #expect(page.items.map(\.uuid) == (term.hasPrefix("x ") ? [] : [reply!.uuid]))
            }
        }
    }

    /// The common words are the words index's most common elements, once PostgreSQL has analyzed the table:
    /// before that every key is rare; after it, a term of common words keeps the trigram lookup.
    @Test(.enabled(if: PostgresTestDatabase.enabled)) func commonWordsComeFromTheStatistics() async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, _ in
            let now = Date()
            for index in 0..<300 {
                _ = try await store.insertActivity(
                    NewActivity(
                        authorUUID: worf, message: "crud number \(index) about the cloud", visibility: .public,
                        expiresAt: now.addingTimeInterval(600), createdAt: now),
                    logger: testLogger)
            }
            let statistics = SearchWordStatistics()
            await statistics.refreshIfStale(pool: store.database.pool.bounded(by: .seconds(3)), logger: testLogger)
            let agrees = statistics.state.withLock { $0.agrees }
            #expect(agrees, "the server reads ASCII terms as PostgreSQL does")
            #expect(
                statistics.rareWordQuery("about the cloud") == "'the' & 'cloud':*",
                "nothing is common before the table is analyzed")
            _ = try await store.database.pool.query(PostgresStatement("ANALYZE activities"))
            await statistics.refreshIfStale(pool: store.database.pool.bounded(by: .seconds(3)), logger: testLogger)
            #expect(statistics.rareWordQuery("about the cloud") != nil, "read at most once per interval")

            let fresh = SearchWordStatistics()
            await fresh.refreshIfStale(pool: store.database.pool.bounded(by: .seconds(3)), logger: testLogger)
            #expect(fresh.rareWordQuery("about the cloud") == nil)
            #expect(fresh.rareWordQuery("crud numb") == nil, "the beginning of a common word")
            #expect(fresh.rareWordQuery("number 4242") == "'4242':*")
            #expect(fresh.rareWordQuery("the zebra cloud") == "'zebra'", "a common beginning is left out")
            #expect(fresh.rareWordQuery("the zebra zebu") == "'zebra' & 'zebu':*")
            #expect(fresh.rareWordQuery("crud number 4242 about") == "'number' & '4242'")
            #expect(fresh.rareWordQuery("zebra") == nil, "a single piece has no key")
            #expect(fresh.rareWordQuery("the école") == nil, "not ASCII")
            #expect(!statistics.isInFrequentWord("cloud"), "no frequencies before the table is analyzed")
            for term in ["cloud", "CLOU", "oud", "numb", "the", "about"] {
                #expect(fresh.isInFrequentWord(term), "\(term)")
            }
            for term in ["the cloud", "clouds", "zebra", "4242", "clöud"] {
                #expect(!fresh.isInFrequentWord(term), "\(term)")
            }
        }
    }
}
