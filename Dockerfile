# syntax=docker/dockerfile:1
# The Cruddur backend image: built with the Swift toolchain, run on a slim base as a non-root user.
# The database is reached through libpq, PostgreSQL's own client: libpq-dev to build, libpq5 to run. The
# app uses no FoundationNetworking, so the runtime needs no libcurl; ca-certificates is there for TLS to
# Cognito's JWKS and to a database whose certificate a public CA signs. The migrations and the demo seed
# are compiled into the binary.

FROM swift:6.3-noble AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# Package.swift declares the test target: without its folder SwiftPM falls back to Sources/ and stops.
COPY Tests ./Tests
# The binary keeps its symbols but not its debug information (186 MB with it, 118 MB without): a crash's
# backtrace still names every function, without file and line.
RUN swift build -c release --static-swift-stdlib --product cruddur \
    && mkdir -p /out \
    && strip --strip-debug -o /out/cruddur "$(swift build -c release --show-bin-path)/cruddur" \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /out/

FROM ubuntu:noble AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cruddur
WORKDIR /app
COPY --from=build /out/ /app/
USER cruddur
# A crash prints every thread's symbolicated backtrace to the log (Swift's static backtracer, as the
# Hummingbird template's image does) instead of a bare signal.
ENV HOST=0.0.0.0 PORT=4567 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static
EXPOSE 4567
HEALTHCHECK --interval=10s --timeout=4s --start-period=15s --retries=3 CMD ["/app/cruddur", "healthcheck"]
ENTRYPOINT ["/app/cruddur"]
CMD ["serve"]
