"""The benchmarks (bench/run). Layout:

    __main__.py   the driver: the rig, then the scenarios and steps of the mode asked for, then the report
    scenarios.py  the servers, the edges and the scenarios, as data
    steps.py      what is more than one wrk run: rounds, the profile, data growth, soak, standby, expiry
    measure.py    one wrk scenario, a replay, pgbench, the client line
    instructions.py  Envoy's instructions per request under callgrind (--edge-instructions)
    rig.py        PostgreSQL, keys, servers and Envoys, started through the stack package
    report.py     the table, the bars, bench.json
    replay.py, tokens.py, observability-share.py, cpu-per-request   tools the driver (or you) call
    data.sql, messages.sql, wrk/scenario.lua                          the data and the wrk script
"""
