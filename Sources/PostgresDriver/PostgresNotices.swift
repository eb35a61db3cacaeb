import CLibPQ
import Logging

/// Where a connection's notices (`NOTICE: relation … already exists, skipping`, warnings) go: to the logger
/// at `debug`, with their severity. libpq prints them on standard error unless told otherwise, which put a line
/// that is not JSON into the server's JSON log (the e2e suite's log reader failed on it).
final class PostgresNotices: Sendable {
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Sends `connection`'s notices here; `self` must outlive the connection.
    func receive(from connection: OpaquePointer) {
        PQsetNoticeReceiver(
            connection,
            { context, result in
                guard let context, let result else { return }
                let notices = Unmanaged<PostgresNotices>.fromOpaque(context).takeUnretainedValue()
                func field(_ code: UInt8) -> String {
                    PQresultErrorField(result, Int32(code)).map { String(cString: $0) } ?? ""
                }
                notices.logger.debug(
                    "PostgreSQL notice",
                    metadata: ["severity": "\(field(UInt8(ascii: "S")))", "notice": "\(field(UInt8(ascii: "M")))"])
            }, Unmanaged.passUnretained(self).toOpaque())
    }
}
