import CruddurRuntime
import Crypto
import CryptoExtras
import Foundation
import Synchronization

/// The pool's signing keys, cached. Lookups are a locked dictionary read; a refetch is single-flight,
/// and one triggered by an unknown `kid` happens at most once per rate window. When a fetch fails the
/// cached keys stay in use.
public final class JWKSCache: Sendable {
    struct State {
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        /// SHA-256 of each key's DER form: what a cached verification is tied to.
        var fingerprints: [String: SHA256Digest] = [:]
        var lastError: JWKSError?
        var lastAttempt: Date?
        var inFlight: Task<Void, Never>?
        var fetchCount = 0
    }

    let state = Mutex(State())
    let fetcher: any JWKSFetching
    let rateWindow: TimeInterval
    let clock: @Sendable () -> Date

    public init(
        fetcher: any JWKSFetching, rateWindow: TimeInterval = 10, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.fetcher = fetcher
        self.rateWindow = rateWindow
        self.clock = clock
    }

    /// The key named `kid`, refetching the set once (rate-limited) when it is unknown.
    public func key(kid: String) async -> _RSA.Signing.PublicKey? {
        if let key = cachedKey(kid: kid) { return key }
        await refresh(force: false)
        return cachedKey(kid: kid)
    }

    /// The key named `kid` if it is in the cached set now.
    public func cachedKey(kid: String) -> _RSA.Signing.PublicKey? {
        state.withLock { $0.keys[kid] }
    }

    /// The fingerprint of the key named `kid` in the cached set now.
    public func cachedFingerprint(kid: String) -> SHA256Digest? {
        state.withLock { $0.fingerprints[kid] }
    }

    /// The fingerprint that ties a verification to the exact key material that made it.
    public static func fingerprint(of key: _RSA.Signing.PublicKey) -> SHA256Digest {
        SHA256.hash(data: key.derRepresentation)
    }

    /// Whether any key is loaded.
    public var hasKeys: Bool { state.withLock { !$0.keys.isEmpty } }

    /// How many fetches have been started (for tests and metrics).
    public var fetchCount: Int { state.withLock { $0.fetchCount } }

    /// Refetches the key set, joining a fetch already under way. Unless `force`d, does nothing when the
    /// last attempt was within the rate window.
    public func refresh(force: Bool) async {
        let now = clock()
        let task: Task<Void, Never>? = state.withLock { state in
            if let inFlight = state.inFlight { return inFlight }
            if !force, let last = state.lastAttempt, now.timeIntervalSince(last) < rateWindow { return nil }
            state.lastAttempt = now
            state.fetchCount += 1
            // Request-scoped single flight: the task ends with the fetch, which has its own timeout.
            let task = Task { await self.fetchAndStore() }
            state.inFlight = task
            return task
        }
        await task?.value
    }

    func fetchAndStore() async {
        let result: Result<JSONWebKeySet, JWKSError>
        do {
            result = .success(try await fetcher.fetch())
        } catch {
            result = .failure(error)
        }
        let keys = (try? result.get())?.keys.count ?? 0
        CruddurMetrics.keySetFetched(ok: keys > 0, keys: keys, at: clock().timeIntervalSince1970)
        state.withLock { state in
            switch result {
            case .success(let set):
                state.keys = set.keys
                state.fingerprints = set.keys.mapValues(Self.fingerprint(of:))
                state.lastError = nil
            case .failure(let error):
                state.lastError = error
            }
            state.inFlight = nil
        }
    }

    /// `ok` with fresh keys, `degraded` when serving cached keys after a failed refresh, `down` with none.
    public var health: DependencyState {
        state.withLock { state in
            if state.keys.isEmpty { return .down }
            return state.lastError == nil ? .ok : .degraded
        }
    }

    /// The last fetch error, if the last fetch failed.
    public var lastError: JWKSError? { state.withLock { $0.lastError } }
}
