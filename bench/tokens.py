#!/usr/bin/env python3
"""Test keys for the benchmarks: an RSA key, its JWKS (served as a Cognito pool's would be), and signed
RS256 access tokens for that pool, so the server verifies real signatures without an emulator in the loop.

    python3 bench/tokens.py DIR POOL_ID CLIENT_ID COUNT
writes DIR/POOL_ID/.well-known/jwks.json, DIR/token.txt (one token) and DIR/tokens.txt (COUNT tokens).
"""
import base64
import json
import sys
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def number(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def main() -> int:
    directory, pool_id, client_id, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    region = pool_id.split("_", 1)[0]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "bench-key", "use": "sig", "alg": "RS256",
                      "n": number(public.n), "e": number(public.e)}]}
    jwks_path = directory / pool_id / ".well-known" / "jwks.json"
    jwks_path.parent.mkdir(parents=True, exist_ok=True)
    jwks_path.write_text(json.dumps(jwks))
    header = b64url(json.dumps({"kid": "bench-key", "alg": "RS256"}).encode())
    now = int(time.time())

    def token() -> str:
        claims = {
            "sub": "bench-user", "username": "bench-user", "client_id": client_id, "token_use": "access",
            "iss": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}", "iat": now, "exp": now + 3 * 3600,
            "jti": str(uuid.uuid4()), "scope": "aws.cognito.signin.user.admin",
        }
        signing_input = header + "." + b64url(json.dumps(claims).encode())
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    (directory / "token.txt").write_text(token() + "\n")
    (directory / "tokens.txt").write_text("".join(token() + "\n" for _ in range(count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
