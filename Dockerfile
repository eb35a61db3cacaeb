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
RUN swift build -c release --static-swift-stdlib --product cruddur \
    && install -D "$(swift build -c release --show-bin-path)/cruddur" /out/cruddur

FROM ubuntu:noble AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cruddur
WORKDIR /app
COPY --from=build /out/cruddur /app/cruddur
USER cruddur
ENV HOST=0.0.0.0 PORT=4567
EXPOSE 4567
HEALTHCHECK --interval=10s --timeout=4s --start-period=15s --retries=3 CMD ["/app/cruddur", "healthcheck"]
ENTRYPOINT ["/app/cruddur"]
CMD ["serve"]
