#!/usr/bin/env python3
"""Create a Cruddur user pool, a public app client and demo users in a Cognito emulator.

Used by the end-to-end tests, `bin/dev` and docker-compose's `cognito-bootstrap` service. Running it again
against the same emulator reuses the pool. Prints JSON with the pool id, client id, region, endpoint and
demo credentials, and can hand them on:

    python3 stack/cognito_bootstrap.py --endpoint http://127.0.0.1:5001 \
        [--env-out cognito.env]            # AWS_COGNITO_* lines for the backend
        [--frontend-config config.json]    # the frontend stub's config
        [--api-base http://127.0.0.1:8000] [--public-endpoint http://localhost:5001]
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


def find_pool(idp) -> tuple[str, str] | None:
    for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == POOL_NAME:
            clients = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
            for app in clients:
                if app["ClientName"] == CLIENT_NAME:
                    return pool["Id"], app["ClientId"]
    return None


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
    # Confirming the emailed code is what verifies the address in Cognito; the admin confirmation above
    # skips the code, so say so explicitly. Only a verified email may claim a seeded user.
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username=user["email"], UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )


def sign_in(idp, client_id: str, email: str, password: str = DEMO_PASSWORD) -> dict:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]


def bootstrap(endpoint: str, region: str, reuse: bool = False) -> dict:
    wait_for(endpoint, region)
    idp = client(endpoint, region)
    found = find_pool(idp) if reuse else None
    pool_id, client_id = found or create_pool(idp)
    for user in DEMO_USERS:
        try:
            sign_up(idp, pool_id, client_id, user)
        except idp.exceptions.UsernameExistsException:
            pass
    return {
        "region": region,
        "endpoint": endpoint,
        "userPoolId": pool_id,
        "clientId": client_id,
        "demoUsers": [{"email": user["email"], "password": DEMO_PASSWORD} for user in DEMO_USERS],
    }


def backend_settings(info: dict) -> dict:
    """The backend's settings for the pool (`bootstrap`'s answer)."""
    return {"AWS_DEFAULT_REGION": info["region"], "AWS_COGNITO_USER_POOL_ID": info["userPoolId"],
            "AWS_COGNITO_USER_POOL_CLIENT_ID": info["clientId"]}


def frontend_config(info: dict, api_base: str, cognito_endpoint: str) -> dict:
    """The frontend stub's config.json: the API and Cognito as the browser reaches them."""
    return {"apiBase": api_base, "region": info["region"], "userPoolId": info["userPoolId"],
            "clientId": info["clientId"], "cognitoEndpoint": cognito_endpoint}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="Cognito endpoint, e.g. http://127.0.0.1:5001")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--env-out", help="write the backend's AWS_COGNITO_* settings here")
    parser.add_argument("--frontend-config", help="write the frontend stub's config.json here")
    parser.add_argument("--api-base", default="http://127.0.0.1:8000", help="the API as the browser reaches it")
    parser.add_argument("--public-endpoint", help="Cognito as the browser reaches it (default: --endpoint)")
    args = parser.parse_args()
    info = bootstrap(args.endpoint, args.region, reuse=True)
    if args.env_out:
        write(args.env_out, "".join(f"{name}={value}\n" for name, value in backend_settings(info).items()))
    if args.frontend_config:
        write(args.frontend_config, json.dumps(
            frontend_config(info, args.api_base, args.public_endpoint or args.endpoint), indent=2) + "\n")
    print(json.dumps(info, indent=2))
    return 0


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


if __name__ == "__main__":
    sys.exit(main())
