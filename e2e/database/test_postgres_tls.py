"""One TLS setting for every connection the binary opens: a real PostgreSQL with ssl=on that refuses
plain text, a certificate authority and server certificate made here, and `cruddur migrate`, `seed` and
`serve` with each `DB_TLS` / `sslmode`."""
import os
import shutil
import subprocess

import pytest
import requests

from stack import Cluster, backend_binary, start_backend


def make_certificates(directory) -> dict:
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)

    for name in ["ca", "other-ca"]:
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=cruddur test {name}",
                "-keyout", f"{name}.key", "-out", f"{name}.pem")
    (directory / "server.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
            "-out", "server.csr")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "server.ext", "-out", "server.pem")
    return {name: str(directory / f"{name}.pem") for name in ["ca", "other-ca", "server"]}


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    cluster = Cluster("postgres-tls")
    certificates = tmp_path_factory.mktemp("certificates")
    files = make_certificates(certificates)
    for name in ["server.pem", "server.key"]:
        shutil.copy(certificates / name, cluster.data / name)
        if os.geteuid() == 0:
            shutil.chown(cluster.data / name, "postgres")
    os.chmod(cluster.data / "server.key", 0o600)
    with open(cluster.data / "postgresql.conf", "a") as conf:
        conf.write("ssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'\n")
    # TLS or nothing: a client that falls back to plain text is refused.
    (cluster.data / "pg_hba.conf").write_text(
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n"
    )
    cluster.stop()
    cluster.start()
    try:
        yield cluster, files
    finally:
        cluster.stop()


def cruddur(args, env):
    return subprocess.run([backend_binary(), *args], env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning", **env},
                          capture_output=True, text=True, timeout=60)


def test_every_connection_uses_the_one_tls_setting(tls_cluster):
    cluster, files = tls_cluster
    subprocess.run(["psql", f"host={cluster.dir} port={cluster.port} user=postgres dbname=postgres", "-c",
                    "CREATE DATABASE cruddur_tls"], check=True, capture_output=True)
    url = cluster.url_for("cruddur_tls").replace("127.0.0.1", "localhost")  # the name the certificate holds
    verified = {"CONNECTION_URL": url, "DB_TLS": "verify-full", "DB_TLS_CA_FILE": files["ca"]}

    plain = cruddur(["migrate"], {"CONNECTION_URL": url})
    assert plain.returncode == 1 and "rejects connection" in plain.stderr + plain.stdout, plain

    migrated = cruddur(["migrate"], verified)
    assert migrated.returncode == 0, migrated.stderr
    seeded = cruddur(["seed"], {"CONNECTION_URL": f"{url}?sslmode=verify-full&sslrootcert={files['ca']}"})
    assert seeded.returncode == 0, seeded.stderr
    required = cruddur(["migrate"], {"CONNECTION_URL": url, "DB_TLS": "require"})
    assert required.returncode == 0 and "up to date" in required.stdout, required

    wrong_ca = cruddur(["migrate"], {**verified, "DB_TLS_CA_FILE": files["other-ca"]})
    assert wrong_ca.returncode == 1, wrong_ca
    by_address = url.replace("localhost", "127.0.0.1")  # not a name the certificate holds
    wrong_host = cruddur(["migrate"], {**verified, "CONNECTION_URL": by_address})
    assert wrong_host.returncode == 1, wrong_host
    any_host = cruddur(["migrate"], {**verified, "CONNECTION_URL": by_address, "DB_TLS": "verify-ca"})
    assert any_host.returncode == 0, any_host

    process, backend = start_backend("backend-tls", {**verified, "DB_MIGRATE_ON_START": "true"})
    try:
        assert requests.get(backend + "/api/health-check", timeout=5).json()["checks"]["database"] == "ok"
        assert requests.get(backend + "/api/activities/home", timeout=5).status_code == 200
    finally:
        process.stop()
