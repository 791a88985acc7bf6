"""What the OpenAPI documents' parts share: the error schema's reference, a response, a
query parameter."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}


def resp(desc: str, schema=None) -> dict:
    r = {"description": desc}
    if schema:
        r["content"] = {"application/json": {"schema": schema}}
    return r


def query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }
