#!/usr/bin/env python3
"""Create a Cruddur user pool, a public app client and demo users in a Cognito emulator (or a real pool).

Used by the end-to-end tests, `bin/dev` and docker-compose's `cognito-bootstrap` service. Prints (or
writes) JSON with the pool id, client id, region, endpoint and demo credentials.

    python3 tools/cognito_bootstrap.py --endpoint http://127.0.0.1:5001 [--out stack.json]
"""
import argparse
import json
import sys
import time

import boto3

POOL_NAME = "cruddur-user-pool"
CLIENT_NAME = "cruddur-web"
DEMO_PASSWORD = "Cruddur-demo-1!"
# The first two claim the seeded demo users of db/seed.json (same handle, same email).
DEMO_USERS = [
    {"email": "andrew@exampro.co", "name": "Andrew Brown", "preferred_username": "andrewbrown"},
    {"email": "worf@example.com", "name": "Worf", "preferred_username": "worf"},
]


def client(endpoint: str, region: str):
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def wait_for(endpoint: str, region: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            client(endpoint, region).list_user_pools(MaxResults=1)
            return
        except Exception:  # the emulator is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def create_pool(idp) -> tuple[str, str]:
    pool = idp.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[
            {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "preferred_username", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ],
        Policies={"PasswordPolicy": {"MinimumLength": 8}},
    )["UserPool"]
    app = idp.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=CLIENT_NAME,
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "USER_PASSWORD_AUTH"],
    )["UserPoolClient"]
    return pool["Id"], app["ClientId"]


def sign_up(idp, pool_id: str, client_id: str, user: dict, password: str = DEMO_PASSWORD) -> None:
    idp.sign_up(
        ClientId=client_id,
        Username=user["email"],
        Password=password,
        UserAttributes=[{"Name": key, "Value": value} for key, value in user.items()],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=user["email"])


def sign_in(idp, client_id: str, email: str, password: str = DEMO_PASSWORD) -> dict:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]


def bootstrap(endpoint: str, region: str) -> dict:
    wait_for(endpoint, region)
    idp = client(endpoint, region)
    pool_id, client_id = create_pool(idp)
    for user in DEMO_USERS:
        sign_up(idp, pool_id, client_id, user)
    return {
        "region": region,
        "endpoint": endpoint,
        "userPoolId": pool_id,
        "clientId": client_id,
        "demoUsers": [{"email": user["email"], "password": DEMO_PASSWORD} for user in DEMO_USERS],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="Cognito endpoint, e.g. http://127.0.0.1:5001")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--out", help="write the JSON here instead of standard output")
    args = parser.parse_args()
    result = json.dumps(bootstrap(args.endpoint, args.region), indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(result + "\n")
    else:
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
