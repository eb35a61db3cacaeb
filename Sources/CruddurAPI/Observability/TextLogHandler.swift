import Logging

/// `LOG_FORMAT=text` (the default): swift-log's `StreamLogHandler` lines on standard output, with the
/// metadata formatted when a line is written instead of whenever a key is set. `StreamLogHandler` formats its
/// whole metadata again on every set, and each request sets three keys (its id, Hummingbird's id, its trace)
/// (and, then, the database client more per query), whether or not anything is logged: 6.7% of a signed-in home request's CPU
/// at `LOG_LEVEL=warning`, where nothing is (perf). Lines are the same: this passes its metadata to the
/// stream handler as the event's own, which it formats as before.
public struct TextLogHandler: LogHandler {
    var stream: StreamLogHandler
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {
        stream = StreamLogHandler.standardOutput(label: label, metadataProvider: nil)
        metadataProvider = LoggingSystem.metadataProvider
    }

    public var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider?

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        event.metadata = merged
        stream.log(event: event)
    }
}
