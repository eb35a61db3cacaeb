import Logging
import PostgresDriver
import Synchronization

/// Which search terms are looked up by their words (migration 0013) instead of their trigrams.
///
/// A term's trigrams can each be common while the term is rare ("number 4242" in the bench data, where every
/// crud holds "number": 17 ms at 1M cruds, 0.7 ms at 10k); the words index finds a rare word in a few
/// entries at any size (0.3 ms). But a term made of common words ("about the cloud") is better served by the
/// trigram index or a walk of the newest cruds, and only PostgreSQL's statistics say which words are common:
/// the words index's most common elements in `pg_stats`, read again every ``refreshInterval``.
///
/// The frequencies say one more thing: a term inside a word that one crud in twenty holds is in at least one
/// crud in twenty, so walking the newest cruds fills a page within a few hundred, and that walk can be a
/// prepared statement (planning was half of PostgreSQL's 1.1 ms on a search for "cloud").
///
/// The server builds the word query itself, for ASCII terms only, rather than have PostgreSQL run
/// `search_words` twice per statement (0.2 ms each); with each read of the statistics it checks that it builds
/// what `search_words` builds for a term holding every ASCII character, and looks nothing up by words when a
/// database's locale reads ASCII otherwise.
final class SearchWordStatistics: Sendable {
    static let refreshInterval: Duration = .seconds(600)
    static let walkFrequency: Float = 0.05

    struct State {
        /// Sorted, so that "does a common word begin with this" is one binary search.
        var common: [String] = []
        /// The words at least ``walkFrequency`` of the cruds hold.
        var frequent: [String] = []
        var readAt: ContinuousClock.Instant?
        var reading = false
        /// Whether `search_words` reads the ASCII probe as ``keys(of:)`` does.
        var agrees = false
    }

    let state = Mutex(State())

    /// What `search_words(term)` looks up, as this server reads the term: the inner words, exact, and the
    /// last piece as a beginning when it has four characters or more; each cut to 32 characters as the
    /// index stores them. `nil` for a term that is not all ASCII, whose letters and case only PostgreSQL's
    /// locale decides (such a term keeps the trigram lookup; the database computes the keys it uses itself,
    /// so this only chooses the statement).
    static func keys(of term: String) -> (words: [Substring], beginning: Substring?)? {
        guard let lowered = asciiLowercased(term) else { return nil }
        let pieces = lowered.split(omittingEmptySubsequences: false) { !($0.isLetter || $0.isNumber) }
        guard pieces.count > 1 else { return ([], nil) }
        let words = pieces.dropFirst().dropLast().filter { !$0.isEmpty }.map { $0.prefix(32) }
        let last = pieces[pieces.count - 1]
        return (words, last.count >= 4 ? last.prefix(32) : nil)
    }

    /// `term` lowercased, when it is all ASCII: the only terms whose case and letters this server reads as
    /// PostgreSQL does, whatever the database's locale (the probe checks it).
    static func asciiLowercased(_ term: String) -> String? {
        term.utf8.allSatisfy { $0 < 0x80 } ? term.lowercased() : nil
    }

    /// Whether `term` (ASCII) is inside a word at least ``walkFrequency`` of the cruds hold, so that at least as
    /// many match it.
    func isInFrequentWord(_ term: String) -> Bool {
        guard let lowered = Self.asciiLowercased(term) else { return false }
        return state.withLock { $0.agrees && $0.frequent.contains { $0.contains(lowered) } }
    }

    /// The word query for `term` when it holds a key that is not among the common words (then the lookup
    /// reads a few entries, whatever the size of the table): what `search_words(term)` builds, less a
    /// beginning that begins a common word; else `nil`.
    func rareWordQuery(_ term: String) -> String? {
        guard let keys = Self.keys(of: term) else { return nil }
        let (common, agrees) = state.withLock { ($0.common, $0.agrees) }
        guard agrees else { return nil }
        func isCommon(_ word: Substring) -> Bool {
            let index = common.partitionPoint { $0 < word }
            return index < common.endIndex && common[index] == word
        }
        func beginsCommon(_ prefix: Substring) -> Bool {
            let index = common.partitionPoint { $0 < prefix }
            return index < common.endIndex && common[index].hasPrefix(prefix)
        }
        // A common word costs little beside a rare one (PostgreSQL skips through its entries), but a common
        // beginning is read whole: "number 4242 about" took 19 ms at 1M cruds with 'about':*, 0.3 ms without.
        let beginning = keys.beginning.flatMap { beginsCommon($0) ? nil : $0 }
        guard beginning != nil || keys.words.contains(where: { !isCommon($0) }) else { return nil }
        return Self.query((keys.words, beginning))
    }

    /// `search_words`'s text for these keys: `'word' & 'beginning':*`. The words are ASCII letters and digits.
    static func query(_ keys: (words: [Substring], beginning: Substring?)) -> String {
        (keys.words.map { "'\($0)'" } + [keys.beginning.map { "'\($0)':*" }].compactMap { $0 }).joined(separator: " & ")
    }

    /// A term holding every printable ASCII character, between letters, as a word of its own and at the end.
    static let probe: String = {
        let characters = (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }
        return "x " + characters.map { "a\($0)Z" }.joined(separator: " ") + " " + characters.joined() + "tail"
    }()

    /// Reads the common words again (and checks the probe) when they are older than ``refreshInterval`` (or
    /// were never read) and no other request is reading them. Before the table is first analyzed there are none:
    /// every word is rare, which on a table that small costs nothing.
    func refreshIfStale(pool: BoundedPool, logger: Logger) async {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            guard !state.reading, state.readAt.map({ now - $0 >= Self.refreshInterval }) ?? true else { return false }
            state.reading = true
            return true
        }
        guard due else { return }
        var read: (common: [String], frequent: [String], agrees: Bool)?
        do {
            var parameters = PostgresParameters(capacity: 1)
            parameters.append(Self.probe)
            let result = try await pool.query(
                PostgresStatement(
                    """
                    SELECT coalesce(search_words($1)::text, ''), coalesce(s.words, '{}'), coalesce(s.freqs, '{}')
                    FROM (SELECT 1) AS one LEFT JOIN (
                        SELECT most_common_elems::text::text[] AS words, most_common_elem_freqs AS freqs FROM pg_stats
                        WHERE schemaname = current_schema() AND tablename = 'activities_message_words_idx') AS s ON true
                    """, parameters))
            for row in result.rows {
                var row = row
                let (probe, common, frequencies) = (
                    try row.next(String.self), try row.next([String].self), try row.next([Float].self)
                )
                // The frequencies array ends in three more figures (minimum, maximum, nulls); zip stops before.
                let frequent = zip(common, frequencies).filter { $0.1 >= Self.walkFrequency }.map(\.0)
                read = (common.sorted(), frequent, probe == Self.keys(of: Self.probe).map(Self.query))
            }
        } catch {
            logger.warning(
                "search: could not read the common words", metadata: ["error": "\(String(reflecting: error))"])
        }
        let disagrees = state.withLock { state in
            defer {
                state.readAt = now
                state.reading = false
            }
            guard let read else { return false }
            let news = !read.agrees && (state.agrees || state.readAt == nil)
            state.common = read.common
            state.frequent = read.frequent
            state.agrees = read.agrees
            return news
        }
        if disagrees {
            logger.warning("search: this database reads ASCII words otherwise than the server; no word lookups")
        }
    }
}

extension Array {
    /// The first index whose element is not `belongsBefore` (the array is partitioned by it).
    fileprivate func partitionPoint(_ belongsBefore: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if belongsBefore(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
