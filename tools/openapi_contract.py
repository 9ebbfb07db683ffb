"""The published API contract: the merged OpenAPI document of `/v1` as released (openapi/v1-baseline.json), and a
check that the current document changes it only compatibly, unless the change is declared.

`python -m tools.openapi_contract check` lists the breaking changes not declared in openapi/declared-changes.txt
(exit 1 if any); `python -m tools.openapi_contract write-baseline` makes the current document the baseline (a
release). The suite runs the check.

Breaking, for a client generated from the baseline: an operation or a response status removed, or its operationId
(the SDK's function name) changed; a parameter removed
(unknown parameters are refused) or newly required; in a request body, a property removed (unknown ones are
refused), newly required, or of another type; in an answer, a property removed, no longer always present, or of
another type; an enum losing a value. Adding operations, optional parameters, optional request properties,
answer properties and enum values is compatible (clients must tolerate new enum values in answers).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "openapi" / "v1-baseline.json"
DECLARED = REPO / "openapi" / "declared-changes.txt"
METHODS = ("get", "put", "post", "delete", "patch")


def merged_document() -> dict[str, Any]:
    """What the gateway serves at /openapi.json, built in-process from the three apps."""
    from services.catalogue.main import create_app as catalogue
    from services.commissioning.main import create_app as commissioning
    from services.gateway import openapi
    from services.gateway.main import DESCRIPTION
    from services.gateway.main import create_app as gateway

    gateway_app = gateway()
    documents = {
        "catalogue": catalogue(consume_events=False).openapi(),
        "commissioning": commissioning(run_worker=False).openapi(),
    }
    own = gateway_app.state.own_openapi()
    return openapi.merge(own, documents, title=gateway_app.title, description=DESCRIPTION)


class Schemas:
    def __init__(self, document: dict[str, Any]) -> None:
        self.components = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict[str, Any] | None) -> dict[str, Any]:
        seen = set()
        while schema and "$ref" in schema and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            schema = self.components.get(schema["$ref"].rsplit("/", 1)[-1], {})
        return schema or {}


def _kind(schema: dict[str, Any]) -> str:
    """A schema's type, ignoring nullability (`anyOf [X, null]` is X)."""
    if "anyOf" in schema:
        kinds = sorted({_kind(s) for s in schema["anyOf"] if s.get("type") != "null"})
        return "|".join(kinds)
    if "$ref" in schema:
        return "ref:" + str(schema["$ref"]).rsplit("/", 1)[-1]
    return str(schema.get("type", "any"))


def _unwrap(schema: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        real = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if len(real) == 1:
            only: dict[str, Any] = real[0]
            return only
    return schema


def compare_schemas(
    old: dict[str, Any],
    new: dict[str, Any],
    old_s: Schemas,
    new_s: Schemas,
    *,
    where: str,
    answer: bool,
    depth: int = 0,
) -> list[str]:
    """Breaking differences between two schemas; `answer` says which side reads it (the client reads answers)."""
    if depth > 12:
        return []
    old, new = old_s.resolve(_unwrap(old)), new_s.resolve(_unwrap(new))
    problems: list[str] = []
    old_kind, new_kind = str(old.get("type", "any")), str(new.get("type", "any"))
    if old_kind != "any" and new_kind != "any" and old_kind != new_kind:
        return [f"{where}: type {old_kind} became {new_kind}"]
    if "enum" in old and "enum" in new:
        lost = sorted(set(map(str, old["enum"])) - set(map(str, new["enum"])))
        if lost:
            problems.append(f"{where}: enum lost {', '.join(lost)}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}.{name}: removed")
            continue
        if answer and name in old_required and name not in new_required:
            problems.append(f"{where}.{name}: no longer always present")
        if not answer and name in new_required and name not in old_required:
            problems.append(f"{where}.{name}: now required")
        if _kind(_unwrap(old_prop)) != _kind(_unwrap(new_props[name])) and not (
            _kind(_unwrap(old_prop)).startswith("ref:") and _kind(_unwrap(new_props[name])).startswith("ref:")
        ):
            old_type = _kind(old_s.resolve(_unwrap(old_prop)) or old_prop)
            new_type = _kind(new_s.resolve(_unwrap(new_props[name])) or new_props[name])
            if old_type != new_type:
                problems.append(f"{where}.{name}: type {old_type} became {new_type}")
                continue
        problems += compare_schemas(
            old_prop, new_props[name], old_s, new_s, where=f"{where}.{name}", answer=answer, depth=depth + 1
        )
    if not answer:
        for name in sorted(new_required - set(old_props)):
            problems.append(f"{where}.{name}: new required property")
    if old.get("type") == "array" and new.get("type") == "array":
        problems += compare_schemas(
            old.get("items", {}), new.get("items", {}), old_s, new_s, where=f"{where}[]", answer=answer, depth=depth + 1
        )
    return problems


def _json_schema(body: dict[str, Any] | None) -> dict[str, Any] | None:
    content = (body or {}).get("content", {})
    for media in ("application/json", "application/problem+json"):
        if media in content:
            schema: dict[str, Any] = content[media].get("schema", {})
            return schema
    return None


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    old_s, new_s = Schemas(old), Schemas(new)
    problems: list[str] = []
    for path, operations in old.get("paths", {}).items():
        for method in METHODS:
            if method not in operations:
                continue
            where = f"{method.upper()} {path}"
            current = new.get("paths", {}).get(path, {}).get(method)
            if current is None:
                problems.append(f"{where}: operation removed")
                continue
            if operations[method].get("operationId") != current.get("operationId"):
                problems.append(f"{where}: operationId {operations[method].get('operationId')} renamed")  # SDK names
            old_params = {(p["in"], p["name"]): p for p in operations[method].get("parameters", [])}
            new_params = {(p["in"], p["name"]): p for p in current.get("parameters", [])}
            for key, param in old_params.items():
                if key not in new_params:
                    problems.append(f"{where}: parameter {key[1]} ({key[0]}) removed")
                elif _kind(_unwrap(param.get("schema", {}))) != _kind(_unwrap(new_params[key].get("schema", {}))):
                    problems.append(f"{where}: parameter {key[1]} changed type")
            for key, param in new_params.items():
                if key not in old_params and param.get("required"):
                    problems.append(f"{where}: new required parameter {key[1]} ({key[0]})")
            old_body, new_body = (
                _json_schema(operations[method].get("requestBody")),
                _json_schema(current.get("requestBody")),
            )
            if old_body is not None and new_body is not None:
                problems += compare_schemas(old_body, new_body, old_s, new_s, where=f"{where} body", answer=False)
            elif old_body is None and new_body is not None and current["requestBody"].get("required"):
                problems.append(f"{where}: now requires a body")
            for status, response in operations[method].get("responses", {}).items():
                answer_now = current.get("responses", {}).get(status)
                if answer_now is None:
                    problems.append(f"{where}: response {status} removed")
                    continue
                old_schema, new_schema = _json_schema(response), _json_schema(answer_now)
                if old_schema is not None and new_schema is not None and status.startswith("2"):
                    problems += compare_schemas(
                        old_schema, new_schema, old_s, new_s, where=f"{where} {status}", answer=True
                    )
    return problems


def declared() -> set[str]:
    if not DECLARED.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in DECLARED.read_text().splitlines())
    return {line for line in lines if line}


def undeclared_breaking_changes(current: dict[str, Any] | None = None) -> list[str]:
    baseline = json.loads(BASELINE.read_text())
    return [c for c in breaking_changes(baseline, current or merged_document()) if c not in declared()]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "write-baseline":
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_text(json.dumps(merged_document(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        header = (
            [line for line in DECLARED.read_text().splitlines() if line.startswith("#")] if DECLARED.exists() else []
        )
        DECLARED.write_text("\n".join(header) + "\n")  # a release: what was declared is now the contract
        print(f"wrote {BASELINE.relative_to(REPO)}")
        return 0
    found = undeclared_breaking_changes()
    for change in found:
        print(change)
    print(f"{len(found)} undeclared breaking changes against {BASELINE.relative_to(REPO)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
