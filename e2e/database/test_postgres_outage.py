"""PostgreSQL goes down under a running server and comes back: 503s within a bounded time, readiness
503, recovery without a restart, and every write answered 200 is in the database afterwards."""
import threading
import time
import uuid

import requests

from stack import Cluster, prepare_database, start_backend

BOUND_SECONDS = 5


def test_the_server_rides_out_a_database_restart(cognito, andrew):
    cluster = Cluster("postgres-outage")
    process = None
    try:
        url = prepare_database(cluster, "cruddur_outage")
        process, backend = start_backend("backend-outage", {**cognito.backend_env(), "CONNECTION_URL": url})
        headers = {"Authorization": f"Bearer {andrew['AccessToken']}"}
        answered = []  # (status, uuid or None)
        stop = threading.Event()

        def write_continuously():
            while not stop.is_set():
                message = f"outage probe {uuid.uuid4()}"
                try:
                    response = requests.post(
                        backend + "/api/activities", json={"message": message, "ttl": "1-day"}, headers=headers,
                        timeout=BOUND_SECONDS + 5,
                    )
                    body = response.json()
                    answered.append((response.status_code, body.get("uuid") if response.status_code == 200 else None))
                except requests.RequestException as error:
                    answered.append((0, repr(error)))
                time.sleep(0.05)

        writer = threading.Thread(target=write_continuously)
        writer.start()
        time.sleep(1)
        cluster.stop("immediate")

        started = time.monotonic()
        home = requests.get(backend + "/api/activities/home", timeout=BOUND_SECONDS + 5)
        assert time.monotonic() - started < BOUND_SECONDS
        assert home.status_code == 503
        assert home.json()["error"]["code"] == "service_unavailable"
        ready = requests.get(backend + "/api/health-check", timeout=BOUND_SECONDS + 5)
        assert ready.status_code == 503
        assert ready.json()["success"] is False and ready.json()["checks"]["database"] == "down"
        time.sleep(2)

        cluster.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if requests.get(backend + "/api/health-check", timeout=10).status_code == 200:
                break
            time.sleep(0.5)
        assert requests.get(backend + "/api/health-check", timeout=10).status_code == 200
        assert requests.get(backend + "/api/activities/home", timeout=10).status_code == 200
        time.sleep(1)
        stop.set()
        writer.join()

        statuses = [status for status, _ in answered]
        assert 503 in statuses, statuses
        assert statuses[-1] == 200, statuses[-5:]
        assert set(statuses) <= {200, 503}, statuses
        stored = set(cluster.psql("SELECT uuid FROM activities", database="cruddur_outage").split())
        written = {crud for status, crud in answered if status == 200}
        assert written and written <= stored
    finally:
        if process is not None:
            process.stop()
        cluster.stop()
