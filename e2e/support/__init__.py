"""Helpers of the end-to-end suites that start nothing of the stack (the stack package does that)."""

# The frontend origin the suites' replicas allow unless a suite serves a page of its own.
FRONTEND = "http://localhost:3000"


def bearer(tokens: dict) -> dict:
    """The Authorization header for a signed-in user's Cognito tokens."""
    return {"Authorization": f"Bearer {tokens['AccessToken']}"}
