"""One OpenAPI 3.1 document for everything the gateway serves: the services' documents merged with its own.

Shared schemas with the same name and content are kept once; a name used for different content is prefixed with
the service's name (and its references rewritten). operationIds stay as the services made them ({tag}-{name}),
and must be unique across the whole: a clash is prefixed too.
"""

from __future__ import annotations

import copy
import json
from typing import Any

INTERNAL_PATHS = {"/healthz", "/readyz", "/metrics"}


def _rename_refs(document: Any, renames: dict[str, str]) -> Any:
    text = json.dumps(document)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]], *, title: str, description: str) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "description": description, "version": own.get("info", {}).get("version", "1.0.0")},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
        "tags": [],
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    operation_ids: set[str] = set()
    tag_names: set[str] = set()
    for name, document in [("gateway", own), *services.items()]:
        document = copy.deepcopy(document)
        renames = {
            schema: f"{name.capitalize()}{schema}"
            for schema, body in document.get("components", {}).get("schemas", {}).items()
            if schema in schemas and schemas[schema] != body
        }
        if renames:
            document = _rename_refs(document, renames)
            document["components"]["schemas"] = {
                renames.get(k, k): v for k, v in document["components"]["schemas"].items()
            }
        schemas.update(document.get("components", {}).get("schemas", {}))
        merged["components"]["securitySchemes"].update(document.get("components", {}).get("securitySchemes", {}))
        for path, operations in document.get("paths", {}).items():
            if path in INTERNAL_PATHS and name != "gateway":
                continue
            target = merged["paths"].setdefault(path, {})
            for method, operation in operations.items():
                if method in target:
                    continue  # the gateway's own route wins over a service's with the same path
                if operation.get("operationId") in operation_ids:
                    operation["operationId"] = f"{name}-{operation['operationId']}"
                operation_ids.add(operation.get("operationId", ""))
                target[method] = operation
        for tag in document.get("tags", []):
            if tag["name"] not in tag_names:
                tag_names.add(tag["name"])
                merged["tags"].append(tag)
    return merged
