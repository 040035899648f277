"""The OpenAPI schema's own shape: only the API's endpoints (not Wagtail's), and the
errors every endpoint can answer with, in the one shape integrations.api.errors gives."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in words."},
        "errors": {
            "type": "object",
            "description": "Per parameter, why it was not valid (400 only).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "A parameter (a filter, the cursor) is not valid.",
    "401": "No token, or one that is unknown, revoked or expired.",
    "403": "The token lacks the scope this endpoint needs.",
    "404": "Nothing with this id in the token's district.",
    "429": "Too many requests from this token; wait for Retry-After seconds.",
}


def api_endpoints_only(endpoints, **kwargs):
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith("/api/v1/")
        and endpoint[0] not in ("/api/v1/schema", "/api/v1/docs")
    ]


def error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for status, description in ERRORS.items():
                if status == "404" and "{" not in path and status not in operation["responses"]:
                    continue
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
