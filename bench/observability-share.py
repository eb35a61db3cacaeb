#!/usr/bin/env python3
"""The share of a server's CPU samples spent in metrics and logging code, from a `perf record -g` file.

A sample counts once if any frame of its stack is metrics or logging work: swift-metrics' API (CoreMetrics),
swift-prometheus, the server's metric handles (CruddurMetrics), the request metrics cache, the access log
line, the JSON log handler's lines and its writer, and the middleware that times a request for both
(`timing`: its own frames). Each sample counts for the kind of the innermost such frame, so the three kinds
add up to the total. Not the handler's metadata subscripts
or copies: every handler, the text one too, does those for the request id, so they are not the JSON log's
price. A middleware's frames are its own code only:
an async function's caller is not on the stack while its callee runs, so `next(...)`'s work is not counted.
The share is the CPU those features take, read from one server in one run: steadier than comparing two
servers' req/s on a shared machine, where two identical servers read up to 8% apart.

    bench/observability-share.py PERF_DATA  ->  prints one JSON object
"""
import json
import subprocess
import sys

KINDS = {
    "metrics": ("CoreMetrics", "Prometheus", "CruddurMetrics", "RequestMetrics"),
    "logs": ("JSONLogHandlerV3log", "LogOutput", "9AccessLogO", "AccessRecord"),
    "timing": ("RequestTelemetryMiddleware",),
}


def main() -> int:
    script = subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "ip,sym"], capture_output=True,
                            text=True, check=True).stdout
    total = 0
    counts = {"any": 0, **{kind: 0 for kind in KINDS}}
    for sample in script.split("\n\n"):
        frames = sample.strip()
        if not frames:
            continue
        total += 1
        # Frames run from the sampled function outwards: the first that matches names the sample's kind, so
        # metrics or log work called from the timing middleware counts as metrics or logs, once.
        kind = next((kind for frame in frames.splitlines() for kind, patterns in KINDS.items()
                     if any(p in frame for p in patterns)), None)
        if kind:
            counts["any"] += 1
            counts[kind] += 1
    shares = {kind: round(100 * count / total, 2) if total else None for kind, count in counts.items()}
    print(json.dumps({"samples": total, "percent": shares}))
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main())
