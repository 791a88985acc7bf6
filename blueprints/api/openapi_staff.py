"""The OpenAPI description of the staff API (staff API tokens): the meal counts."""

from __future__ import annotations

from apispec import APISpec

from workflows.kitchen import MAX_DAYS

from .openapi_parts import ERROR
from .openapi_parts import query as _query
from .openapi_parts import resp as _resp


def add_staff_paths(spec: APISpec) -> None:
    spec.components.security_scheme(
        "staffToken",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A staff API token (pfs_…) made by a town's admin, with its scope",
        },
    )
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    spec.components.schema(
        "MealCountDay",
        {
            "type": "object",
            "properties": {
                "date": {"type": "string", "format": "date"},
                "site": {"type": "integer"},
                "site_name": {"type": "string"},
                "status": {
                    "type": "string",
                    "enum": ["provisional", "final"],
                    "description": "final once every booking and cancellation deadline of "
                    "the day has passed",
                },
                "total": {"type": "integer"},
                "units": {**counts, "description": "meals per unit code (REPAS, PAI…)"},
                "meal_options": {
                    **counts,
                    "description": "meals per meal option ('standard' when none)",
                },
                "pai_children": {"type": "integer", "description": "children with a PAI"},
            },
        },
    )
    spec.path(
        "/api/v1/staff/meal-counts",
        operations={
            "get": {
                "summary": "Meals expected per site and day, by unit and meal option "
                "(staff API token of scope meal-counts)",
                "security": [{"staffToken": []}],
                "parameters": [
                    _query("from", {"type": "string", "format": "date"}, "First day", True),
                    _query(
                        "to",
                        {"type": "string", "format": "date"},
                        f"Last day (default: from); at most {MAX_DAYS} days, in one school year",
                    ),
                    _query("site", {"type": "integer"}, "Only this site of the token's town"),
                ],
                "responses": {
                    "200": _resp(
                        "The counts of each site and day that has meals",
                        {
                            "type": "object",
                            "properties": {
                                "from": {"type": "string", "format": "date"},
                                "to": {"type": "string", "format": "date"},
                                "site": {"type": "integer", "nullable": True},
                                "days": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/MealCountDay"},
                                },
                            },
                        },
                    ),
                    "400": _resp("Malformed input", ERROR),
                    "401": _resp("Missing, unknown, expired or revoked token", ERROR),
                    "404": _resp("No such site in the token's town", ERROR),
                    "422": _resp("Dates outside a school year, or too long a period", ERROR),
                },
            }
        },
    )
