"""The Cognito emulator (moto's server mode) with the project's pool, client and demo users in it."""
import sys
from dataclasses import dataclass
from pathlib import Path

from . import cognito_bootstrap
from .processes import free_port, start


@dataclass
class Cognito:
    """A pool in an emulator, and what the suites and the backend need of it."""
    endpoint: str
    region: str
    pool_id: str
    client_id: str

    @property
    def idp(self):
        return cognito_bootstrap.client(self.endpoint, self.region)

    def sign_in(self, email: str, password: str = cognito_bootstrap.DEMO_PASSWORD) -> dict:
        return cognito_bootstrap.sign_in(self.idp, self.client_id, email, password)

    def sign_up(self, email: str, name: str, preferred_username: str) -> dict:
        user = {"email": email, "name": name, "preferred_username": preferred_username}
        cognito_bootstrap.sign_up(self.idp, self.pool_id, self.client_id, user)
        return self.sign_in(email)

    def backend_env(self) -> dict:
        return {
            "AWS_DEFAULT_REGION": self.region,
            "AWS_COGNITO_USER_POOL_ID": self.pool_id,
            "AWS_COGNITO_USER_POOL_CLIENT_ID": self.client_id,
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": self.endpoint,
        }


class Emulator:
    """moto on 127.0.0.1:`port` (a free one), bootstrapped with the pool and the demo users (`cognito`)."""

    def __init__(self, port: int | None = None, logs: Path | None = None, region: str = "us-east-1"):
        port = port or free_port()
        endpoint = f"http://127.0.0.1:{port}"
        self.process = start("cognito", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                             endpoint + "/moto-api/", logs=logs)
        try:
            info = cognito_bootstrap.bootstrap(endpoint, region)
        except Exception:
            self.process.stop()
            raise
        self.info = info
        self.cognito = Cognito(endpoint, info["region"], info["userPoolId"], info["clientId"])

    def stop(self) -> None:
        self.process.stop()
