"""What the district integrations hold about a person (accounts.data_rights): only who made
or revoked a district's token or webhook. The API serves what other apps hold, and keeps
nothing of its own about the people it serves."""

from accounts.models import User

SECTIONS = []

NOT_EXPORTED = {
    "integrations.ApiToken": "who made or revoked one of a district's API tokens: the token "
    "is its district's; kept, without the link to the account",
    "integrations.WebhookEndpoint": "who added one of a district's webhooks: the webhook is "
    "its district's; kept, without the link to the account",
}


def erase(*, user: User, revoke_badges: bool) -> list:
    return []
