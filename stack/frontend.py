"""The frontend stub (frontend-stub/), served over HTTP with its config.json for one API and one pool."""
import json
import shutil
import sys
from pathlib import Path

from .cognito import Cognito
from .processes import ROOT, Process, start


def serve_stub(port: int, api_base: str, cognito: Cognito, site: Path, logs: Path | None = None) -> Process:
    """A copy of the stub in `site`, configured for `api_base` and `cognito`, served on 127.0.0.1:`port`."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(ROOT / "frontend-stub", site)
    (site / "config.json").write_text(json.dumps({
        "apiBase": api_base, "region": cognito.region, "userPoolId": cognito.pool_id,
        "clientId": cognito.client_id, "cognitoEndpoint": cognito.endpoint,
    }, indent=2) + "\n")
    return start("frontend", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                              str(site)], f"http://127.0.0.1:{port}/index.html", logs=logs)
