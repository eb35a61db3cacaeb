"""openapi.yaml is kept true by schemathesis against the live backend: no server errors, and every
response matches the documented statuses, content types, headers and schemas."""
import subprocess
import sys

from processes import ARTIFACTS, ROOT

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def run_schemathesis(url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "openapi.yaml"),
            "--url", url, "--checks", CHECKS, "--max-examples", "40", "--seed", "4567",
            "--workers", "1", "--suppress-health-check", "all", *extra,
        ],
        capture_output=True, text=True, timeout=900,
    )


def test_contract_holds_for_anonymous_callers(backend):
    result = run_schemathesis(backend)
    (ARTIFACTS / "schemathesis-anonymous.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]


def test_contract_holds_for_a_signed_in_caller(backend, andrew):
    result = run_schemathesis(backend, "--header", f"Authorization: Bearer {andrew['AccessToken']}")
    (ARTIFACTS / "schemathesis-signed-in.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
