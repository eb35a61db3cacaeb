"""openapi.yaml is kept true by schemathesis against the live backend: every check schemathesis has, with a
fresh seed each run (printed, and written beside the report; CRUDDUR_SCHEMATHESIS_SEED replays one)."""
import os
import random
import subprocess
import sys

from stack import ARTIFACTS, ROOT

SEED = int(os.environ.get("CRUDDUR_SCHEMATHESIS_SEED") or random.randrange(2**31))


def run_schemathesis(url: str, *extra: str) -> subprocess.CompletedProcess:
    print(f"schemathesis seed {SEED} (replay with CRUDDUR_SCHEMATHESIS_SEED={SEED})")
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", str(ROOT / "openapi.yaml"),
            "--url", url, "--checks", "all", "--max-examples", "40", "--seed", str(SEED),
            "--workers", "1", "--suppress-health-check", "all", *extra,
        ],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "support.schemathesis_hooks",
             "PYTHONPATH": os.pathsep.join([str(ROOT / "e2e"), os.environ.get("PYTHONPATH", "")])},
    )
    result.stdout = f"seed {SEED}\n" + result.stdout
    return result


def test_contract_holds_for_anonymous_callers(backend):
    result = run_schemathesis(backend)
    (ARTIFACTS / "schemathesis-anonymous.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]


def test_contract_holds_for_a_signed_in_caller(backend, andrew):
    result = run_schemathesis(backend, "--header", f"Authorization: Bearer {andrew['AccessToken']}")
    (ARTIFACTS / "schemathesis-signed-in.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
