"""The OpenAPI 3 document of /api/v1, built with apispec."""

from __future__ import annotations

from apispec import APISpec

from .openapi_content import add_content_paths
from .openapi_parts import ERROR
from .openapi_parts import resp as _resp
from .openapi_staff import add_staff_paths


def _errors(*codes: int) -> dict:
    words = {
        400: "Malformed input",
        401: "Missing or bad token",
        403: "Not allowed",
        404: "Not found or not yours",
        409: "Conflict with the current state (a send: cells taken, or every line refused at "
        "once; `lines` says why, `number` is the refused request when one was written)",
        422: "Refused by the rules",
        429: "Too many failed logins; try again later",
        503: "The portal is busy: retry after the Retry-After header's seconds",
    }
    out = {str(c): _resp(words[c], ERROR) for c in (*codes, 503)}
    out["503"]["headers"] = {"Retry-After": RETRY_AFTER}
    return out


RETRY_AFTER = {
    "description": "Seconds to wait before sending the request again",
    "schema": {"type": "integer"},
}
ETAG = {"description": "The version of this answer", "schema": {"type": "string"}}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of the answer the client has: 304 when nothing changed since",
    "schema": {"type": "string"},
}


def build_spec() -> dict:
    spec = APISpec(
        title="Portail Famille API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={"description": "Bookings of school meals and childcare for parents."},
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema(
        "Error",
        {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "lines": {"type": "array", "items": {"type": "object"}},
            },
        },
    )
    spec.components.schema(
        "Cell",
        {
            "type": "object",
            "properties": {
                "date": {"type": "string", "format": "date"},
                "unit": {"type": "string"},
                "unit_id": {"type": "integer"},
                "state": {
                    "type": "string",
                    "enum": [
                        "closed",
                        "free",
                        "requested",
                        "waiting",
                        "booked",
                        "cancel_requested",
                        "refused",
                    ],
                },
                "deadline": {"type": "string", "format": "date-time", "nullable": True},
                "changeable": {"type": "boolean"},
                "reason_code": {"type": "string", "nullable": True},
                "reason": {"type": "string", "nullable": True},
                "rank": {"type": "integer", "nullable": True},
                "basket": {"type": "string", "nullable": True},
                "withdrawable": {
                    "type": "boolean",
                    "description": "the parent may take this request back now (withdraw a "
                    "pending day, leave the waiting list), before the booking deadline",
                },
                "excluded_by": {
                    "type": "string",
                    "nullable": True,
                    "description": "label of the unit of the same exclusive group the child "
                    "has or has chosen that day (REPAS / PAI): this cell cannot be booked",
                },
                "other_home": {
                    "type": "boolean",
                    "description": "shared custody: the child is with the other household that "
                    "day (or the booking is the other household's): this cell cannot be "
                    "changed from this account",
                },
            },
        },
    )
    line_in = {
        "type": "object",
        "required": ["date", "unit"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "unit": {
                "oneOf": [{"type": "string"}, {"type": "integer"}],
                "description": "unit code (e.g. REPAS) or id",
            },
            "action": {"type": "string", "enum": ["book", "cancel"], "default": "book"},
        },
    }
    spec.components.schema(
        "Request",
        {
            "type": "object",
            "properties": {
                "number": {"type": "integer"},
                "child": {"type": "integer"},
                "state": {"type": "string", "enum": ["sent", "done"]},
                "summary": {
                    "type": "string",
                    "nullable": True,
                    "enum": ["accepted", "partly_accepted", "refused", "waiting", None],
                },
                "sent_at": {"type": "string", "format": "date-time"},
                "period": {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                    },
                },
                "lines": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "date": {"type": "string", "format": "date"},
                            "unit": {"type": "string"},
                            "unit_id": {"type": "integer"},
                            "action": {"type": "string"},
                            "state": {
                                "type": "string",
                                "enum": ["pending", "accepted", "queued", "refused"],
                            },
                            "reason_code": {"type": "string", "nullable": True},
                            "reason": {"type": "string", "nullable": True},
                        },
                    },
                },
            },
        },
    )
    secured = [{"bearer": []}]
    spec.path(
        "/api/v1/auth/token",
        operations={
            "post": {
                "summary": "Exchange e-mail and password for a bearer token",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["email", "password"],
                                "properties": {
                                    "email": {"type": "string"},
                                    "password": {"type": "string"},
                                    "code": {
                                        "type": "string",
                                        "description": "The second factor's current code (or "
                                        "a recovery code), for an account that has one.",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _resp(
                        "A token",
                        {
                            "type": "object",
                            "properties": {
                                "access_token": {"type": "string"},
                                "token_type": {"type": "string"},
                                "expires_in": {"type": "integer"},
                            },
                        },
                    ),
                    **_errors(400, 401, 403, 429),
                },
            }
        },
    )
    spec.path(
        "/api/v1/children",
        operations={
            "get": {
                "summary": "The children of the caller's household",
                "security": secured,
                "responses": {
                    "200": _resp(
                        "Children",
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "first_name": {"type": "string"},
                                    "last_name": {"type": "string"},
                                },
                            },
                        },
                    ),
                    **_errors(401, 403),
                },
            }
        },
    )
    spec.path(
        "/api/v1/children/{child_id}/planning",
        operations={
            "get": {
                "summary": "A child's cells between two dates",
                "security": secured,
                "parameters": [
                    {
                        "name": "child_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {
                    "200": _resp(
                        "Planning",
                        {
                            "type": "object",
                            "properties": {
                                "child": {"type": "integer"},
                                "from": {"type": "string", "format": "date"},
                                "to": {"type": "string", "format": "date"},
                                "cells": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Cell"},
                                },
                            },
                        },
                    ),
                    **_errors(400, 401, 403, 404),
                },
            }
        },
    )
    spec.path(
        "/api/v1/requests",
        operations={
            "post": {
                "summary": "Send a request of booking and cancellation lines for a child",
                "description": (
                    "With an Idempotency-Key header, a retry with the same key (after a "
                    "timeout, say) gets the first answer again, with the header "
                    "Idempotent-Replayed: true, and sends nothing more. A key is the "
                    "account's for 24 hours; used again for another body, it is refused "
                    "with 422 idempotency_key_reused. A send that failed keeps no key."
                ),
                "security": secured,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "A unique value per request, such as a UUID",
                        "schema": {"type": "string", "maxLength": 255},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["child", "lines"],
                                "properties": {
                                    "child": {"type": "integer"},
                                    "lines": {"type": "array", "items": line_in},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _resp("The sent request", {"$ref": "#/components/schemas/Request"}),
                    **_errors(400, 401, 403, 404, 409, 422),
                },
            }
        },
    )
    spec.path(
        "/api/v1/requests/{number}",
        operations={
            "get": {
                "summary": "One request of the caller's household",
                "security": secured,
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        **_resp("The request", {"$ref": "#/components/schemas/Request"}),
                        "headers": {"ETag": ETAG},
                    },
                    "304": {
                        "description": "Not changed since If-None-Match",
                        "headers": {"ETag": ETAG},
                    },
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    add_content_paths(spec)
    add_staff_paths(spec)
    return spec.to_dict()
