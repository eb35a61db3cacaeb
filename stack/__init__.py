"""Starts the stack, one way for everyone: bin/dev (`python3 -m stack dev`), bench/run and bin/test (PostgreSQL
through `python3 -m stack postgres`, bin/lib/postgres.sh) and the end-to-end suites (these classes).

    processes    child processes with logs, free ports, waiting for a URL
    postgres     a throwaway PostgreSQL cluster or a streaming standby of one
    backend      the cruddur binary: which build, migrate and seed, a replica serving
    cognito      the Cognito emulator (moto) with the pool and demo users (cognito_bootstrap, also compose's)
    frontend     the frontend stub served with its config.json
    edge         replicas behind Envoy, rendered by envoy/render
    prometheus   Prometheus scraping the replicas and the edge
    dev          all of it together, for bin/dev
"""
from .backend import backend_binary, migrate_and_seed, prepare_database, release_binary, start_backend
from .cognito import Cognito, Emulator
from .edge import Edge, envoy_binary
from .frontend import serve_stub
from .postgres import Cluster
from .processes import ARTIFACTS, ROOT, Process, free_port, wait_http
from .prometheus import start_prometheus

__all__ = ["ARTIFACTS", "ROOT", "Cluster", "Cognito", "Edge", "Emulator", "Process", "backend_binary",
           "envoy_binary", "free_port", "migrate_and_seed", "prepare_database", "release_binary", "serve_stub",
           "start_backend", "start_prometheus", "wait_http"]
