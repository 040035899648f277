"""Run the official 1EdTech Open Badges validator on one badge; print its verdict as JSON.

Runs in .venv-validator (not Leap's virtualenv):
    .venv-validator/bin/python tests/credentials/validator_check.py <url-or-png-path> <email>

The validator fetches https://w3id.org/openbadges/v2, which these machines cannot reach and
which must never be fetched at test time anyway: that one URL is answered from the copy the
validator ships; every other request goes through to the live test server.
"""

import json
import sys

import responses
from openbadges import verify
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT


def main(target: str, email: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, "https://w3id.org/openbadges/v2", json=OPENBADGES_CONTEXT_V2_DICT)
        mock.add_passthru("http://")
        if target.startswith("http"):
            result = verify(target, recipient_profile={"email": email}, use_cache=False)
        else:
            with open(target, "rb") as image:
                result = verify(image, recipient_profile={"email": email}, use_cache=False)
    report = result["report"]
    print(
        json.dumps(
            {
                "valid": report["valid"],
                "errorCount": report["errorCount"],
                "errors": [
                    f"{m.get('name')}: {m.get('result')}"
                    for m in report["messages"]
                    if m.get("messageLevel") == "ERROR"
                ],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
