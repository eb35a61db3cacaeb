import Synchronization

/// Where the process is in its life, as readiness reports it: serving, or draining after SIGTERM so the
/// edge moves traffic away before the listener closes.
public final class ServerLifecycle: Sendable {
    let draining = Atomic(false)

    public init() {}

    /// Whether SIGTERM has arrived: readiness answers 503 from then on.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    func beginDraining() {
        draining.store(true, ordering: .relaxed)
    }
}
