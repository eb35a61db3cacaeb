"""An OTLP/HTTP trace receiver: every `POST /v1/traces` is decoded with OpenTelemetry's own protobuf
definitions (the `opentelemetry-proto` package), the way a collector reads it, and answered as one would."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                      ExportTraceServiceResponse)
from opentelemetry.proto.trace.v1.trace_pb2 import Span


def _value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class OTLPCollector:
    def __init__(self):
        self.spans: list[dict] = []
        self.requests = 0
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
                    self.send_response(415 if self.path == "/v1/traces" else 404)
                    self.end_headers()
                    return
                export = ExportTraceServiceRequest()
                export.ParseFromString(body)
                collector.receive(export)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def receive(self, export: ExportTraceServiceRequest) -> None:
        received = []
        for resource_spans in export.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append({
                        "service": resource.get("service.name"),
                        "name": span.name,
                        "kind": Span.SpanKind.Name(span.kind),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "attributes": {a.key: _value(a.value) for a in span.attributes},
                        "status": span.status.code,
                        "duration_ns": span.end_time_unix_nano - span.start_time_unix_nano,
                    })
        with self.lock:
            self.requests += 1
            self.spans.extend(received)

    def trace(self, trace_id: str) -> list[dict]:
        with self.lock:
            return [span for span in self.spans if span["trace_id"] == trace_id]

    def wait_for_trace(self, trace_id: str, parent_span_id: str = "", seconds: float = 10) -> list[dict]:
        """The spans of a trace once its root (the span whose parent is `parent_span_id`) has arrived: a
        parent ends after its children, so it is exported with or after them."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            spans = self.trace(trace_id)
            if any(span["parent_span_id"] == parent_span_id for span in spans):
                return spans
            time.sleep(0.05)
        raise AssertionError(f"no root span of trace {trace_id} after {seconds}s: {self.trace(trace_id)}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
