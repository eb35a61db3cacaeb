import Foundation
import Instrumentation
import Logging
import Synchronization
import Tracing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tracer that continues the W3C trace of an incoming `traceparent` and writes each finished span to the
/// log at `debug` (operation, trace and span ids, parent, duration, status, attributes), for a replica with
/// no OTLP collector to send them to (``TraceExport``): the spans and the ids are the same, only where they
/// go differs.
public struct LogTracer: Tracer {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> LogSpan {
        var context = context()
        let parent = context.w3cTrace
        let trace = W3CTrace(
            traceID: parent?.traceID ?? W3CTrace.randomHex(bytes: 16), spanID: W3CTrace.randomHex(bytes: 8))
        context.w3cTrace = trace
        return LogSpan(
            operationName: operationName, kind: kind, context: context, parentSpanID: parent?.spanID,
            startNanos: instant().nanosecondsSinceEpoch, logger: logger)
    }

    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier), let trace = W3CTrace(header) else {
            return
        }
        context.w3cTrace = trace
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let trace = context.w3cTrace else { return }
        injector.inject("00-\(trace.traceID)-\(trace.spanID)-01", forKey: "traceparent", into: &carrier)
    }
}

/// A span of ``LogTracer``: logged once, at `debug`, when it ends.
public final class LogSpan: Tracing.Span, Sendable {
    struct State {
        var operationName: String
        var attributes = SpanAttributes()
        var status: SpanStatus?
        var events: [String] = []
        var ended = false
    }

    public let context: InstrumentationContext
    let kind: SpanKind
    let parentSpanID: String?
    let startNanos: UInt64
    let logger: Logger
    let state: Mutex<State>

    init(
        operationName: String, kind: SpanKind, context: InstrumentationContext, parentSpanID: String?,
        startNanos: UInt64, logger: Logger
    ) {
        self.context = context
        self.kind = kind
        self.parentSpanID = parentSpanID
        self.startNanos = startNanos
        self.logger = logger
        self.state = Mutex(State(operationName: operationName))
    }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set { state.withLock { $0.operationName = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) { state.withLock { $0.status = status } }

    public func addEvent(_ event: SpanEvent) { state.withLock { $0.events.append(event.name) } }

    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        state.withLock { $0.events.append("error: \(String(describing: type(of: error)))") }
    }

    public func addLink(_ link: SpanLink) {}

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        guard
            let finished = state.withLock({ state -> State? in
                guard !state.ended else { return nil }
                state.ended = true
                return state
            })
        else { return }
        guard logger.logLevel <= .debug, let trace = context.w3cTrace else { return }
        var metadata: Logger.Metadata = [
            "span": "\(finished.operationName)", "kind": "\(kind)", "trace_id": "\(trace.traceID)",
            "span_id": "\(trace.spanID)", "duration_ms": "\(Double(end &- startNanos) / 1_000_000)",
        ]
        if let parentSpanID { metadata["parent_span_id"] = "\(parentSpanID)" }
        if let status = finished.status { metadata["status"] = "\(status.code)" }
        if !finished.events.isEmpty { metadata["events"] = "\(finished.events.joined(separator: "; "))" }
        // SpanAttributes is not a Sequence: forEach is all it offers.
        // swift-format-ignore: ReplaceForEachWithForLoop
        finished.attributes.forEach { name, value in metadata["attr." + name] = "\(value)" }
        logger.debug("span", metadata: metadata)
    }
}

/// A W3C trace context: the trace id and the current span's id.
struct W3CTrace: Sendable {
    var traceID: String
    var spanID: String

    init(traceID: String, spanID: String) {
        self.traceID = traceID
        self.spanID = spanID
    }

    /// From a `traceparent` header, if valid.
    init?(_ header: String) {
        guard let traceID = RequestIDMiddleware.traceID(header) else { return nil }
        let parts = header.split(separator: "-")
        self.init(traceID: traceID, spanID: String(parts[2]))
    }

    /// `bytes` (8 or 16) random bytes as lower-case hex, never all zeros (W3C calls that invalid): one system call
    /// for all of them, written as hex in place. Two `UInt64.random` calls (a system call each) and the strings
    /// made of them were 2.2% of the liveness route's CPU samples (perf), a trace id being made on every request.
    static func randomHex(bytes: Int) -> String {
        precondition((1...16).contains(bytes))
        var raw: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &raw) { fillRandom(UnsafeMutableRawBufferPointer(rebasing: $0[..<bytes])) }
        return withUnsafeMutableBytes(of: &raw) { random in
            if random[..<bytes].allSatisfy({ $0 == 0 }) { random[0] = 1 }
            return String(unsafeUninitializedCapacity: bytes * 2) { text in
                for index in 0..<bytes {
                    text[index * 2] = hexDigits[Int(random[index] >> 4)]
                    text[index * 2 + 1] = hexDigits[Int(random[index] & 0x0f)]
                }
                return bytes * 2
            }
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Random bytes from the system, in one call (`arc4random_buf`: glibc 2.36 and later, and macOS).
    static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        arc4random_buf(buffer.baseAddress!, buffer.count)
    }
}

private enum W3CTraceKey: InstrumentationContextKey {
    typealias Value = W3CTrace
}

extension InstrumentationContext {
    var w3cTrace: W3CTrace? {
        get { self[W3CTraceKey.self] }
        set { self[W3CTraceKey.self] = newValue }
    }
}
