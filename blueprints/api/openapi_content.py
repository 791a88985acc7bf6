"""The OpenAPI description of the public content endpoints (news, sites, menus)."""

from __future__ import annotations

from apispec import APISpec

from workflows.menus import ALLERGENS, CONTAINS, COURSE_WORDS, LABELS

from .openapi_parts import ERROR
from .openapi_parts import query as _query
from .openapi_parts import resp as _resp


def add_content_paths(spec: APISpec) -> None:
    spec.components.schema(
        "NewsItem",
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "town": {"type": "string", "description": "the town's slug"},
                "title": {"type": "string"},
                "summary": {"type": "string"},
                "body_html": {"type": "string", "description": "sanitised HTML"},
                "published_at": {"type": "string", "format": "date-time"},
                "expires_at": {"type": "string", "format": "date-time", "nullable": True},
                "url": {"type": "string", "format": "uri"},
                "image_url": {"type": "string", "format": "uri", "nullable": True},
                "image_alt": {"type": "string", "nullable": True},
            },
        },
    )
    codes = {"type": "array", "items": {"type": "string"}}
    spec.components.schema(
        "Dish",
        {
            "type": "object",
            "properties": {
                "course": {"type": "string", "enum": list(COURSE_WORDS)},
                "name": {"type": "string"},
                "labels": {**codes, "items": {"type": "string", "enum": list(LABELS)}},
                "allergens": {
                    **codes,
                    "description": "EU regulation 1169/2011, annex II",
                    "items": {"type": "string", "enum": list(ALLERGENS)},
                },
                "contains": {**codes, "items": {"type": "string", "enum": list(CONTAINS)}},
            },
        },
    )
    spec.path(
        "/api/v1/news",
        operations={
            "get": {
                "summary": "Published news, newest first, 10 a page (no login)",
                "parameters": [
                    _query("town", {"type": "string"}, "Only this town's (its slug)"),
                    _query("page", {"type": "integer", "minimum": 1}, "Page, from 1"),
                ],
                "responses": {
                    "200": _resp(
                        "A page of news",
                        {
                            "type": "object",
                            "properties": {
                                "page": {"type": "integer"},
                                "pages": {"type": "integer"},
                                "total": {"type": "integer"},
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/NewsItem"},
                                },
                            },
                        },
                    ),
                    "400": _resp("Malformed input", ERROR),
                    "404": _resp("No such town", ERROR),
                },
            }
        },
    )
    spec.path(
        "/api/v1/sites",
        operations={
            "get": {
                "summary": "The sites (schools, centres) whose menus may be asked for",
                "responses": {
                    "200": _resp(
                        "Sites",
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": "string"},
                                    "town": {"type": "string"},
                                },
                            },
                        },
                    )
                },
            }
        },
    )
    spec.path(
        "/api/v1/menus",
        operations={
            "get": {
                "summary": "The published menus of a site between two dates (no login)",
                "description": "Without from and to: the week a parent is shown (this "
                "one, the next from Saturday). At most 62 days.",
                "parameters": [
                    _query(
                        "site",
                        {"type": "integer", "minimum": 1, "maximum": 2147483647},
                        "The site's id",
                        required=True,
                    ),
                    _query("from", {"type": "string", "format": "date"}, "First day"),
                    _query("to", {"type": "string", "format": "date"}, "Last day"),
                ],
                "responses": {
                    "200": _resp(
                        "The days served, each with its dishes",
                        {
                            "type": "object",
                            "properties": {
                                "site": {"type": "object"},
                                "from": {"type": "string", "format": "date"},
                                "to": {"type": "string", "format": "date"},
                                "days": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "date": {"type": "string", "format": "date"},
                                            "dishes": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Dish"},
                                            },
                                        },
                                    },
                                },
                                "allergens": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                    "description": "code -> French name",
                                },
                                "labels": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    ),
                    "400": _resp("Malformed input", ERROR),
                    "404": _resp("No such site", ERROR),
                },
            }
        },
    )
