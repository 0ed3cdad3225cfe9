"""Prototype: the OpenAPI links a generated API should declare for stateful fuzzing.

The generated `/openapi.json` declares no links. schemathesis infers some (create -> read,
update, delete by key for single integer or UUID keys), but none for string or composite
keys, and none from a parent's create to a child's create: it names the resource a body's
`author_id` refers to `Author` while the schema that produces it is `AuthorRead`, so a
model with a foreign key (or a many-to-many id list) in its create body is never a
starting point of a scenario and is never created in the stateful phase.

`add_links` writes into a scratch copy of the schema what the templates should emit
(`python -m tests.fuzz --links`), to check the result before changing the templates. For
each model, from fe-gen's IR and the plan it makes of it:

- `POST /{path}` 201, `POST /{path}/bulk` 201 (the first row) and `PATCH /{path}/{key}` 200
  link to `GET`, `PATCH` and `DELETE /{path}/{key}`: each key column of the response to the
  path parameter of the same name.
- `POST /{parent}` 201 links to `POST /{child}` for each foreign key of the child to the
  parent (the body's foreign-key columns from the parent's referenced columns), and for each
  many-to-many relationship (the body's `<relationship>_ids` list from the parent's key).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fe_gen.generator.ir import Schema
from fe_gen.generator.plan import build_plan
from tests.e2e.cases import CASES, environment

Link = dict[str, Any]


def linked_schema(case: str, project: Path, openapi: dict[str, Any]) -> dict[str, Any]:
    """A copy of the project's OpenAPI schema with the links declared."""
    options, _ = CASES[case]
    inspected = subprocess.run(
        [sys.executable, "-m", "fe_gen.generator", "inspect", *options],
        cwd=project.parent,
        env=environment(""),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    ir = json.loads(inspected.stdout)
    plan = build_plan(Schema.from_dict(ir), name=project.name, package="app").to_dict()
    linked = name_resources(openapi, plan)
    constrain_decimals(linked, ir)
    add_links(linked, plan, ir)
    return linked


def name_resources(openapi: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """A copy of the schema whose `<Model>Read` components are called `<Model>`.

    schemathesis binds a body's `author_id` to the resource `Author`, and learns where
    resources come from by the names of response schemas: with `AuthorRead` it never finds
    the producer, so it never starts a scenario with a create that has a foreign key.
    """
    text = json.dumps(openapi)
    schemas = openapi.get("components", {}).get("schemas", {})
    for model in plan["models"]:
        name = model["name"]
        if f"{name}Read" in schemas and name not in schemas:
            text = text.replace(
                f'"#/components/schemas/{name}Read"', f'"#/components/schemas/{name}"'
            )
    renamed: dict[str, Any] = json.loads(text)
    components = renamed.get("components", {}).get("schemas", {})
    for model in plan["models"]:
        name = model["name"]
        if f"{name}Read" in components and name not in components:
            components[name] = components.pop(f"{name}Read")
            components[name]["title"] = name
    return renamed


def constrain_decimals(openapi: dict[str, Any], ir: dict[str, Any]) -> None:
    """State the digits a Numeric(p, s) column accepts in the create and update schemas.

    `price: Decimal = Field(max_digits=10, decimal_places=2)` is documented as any number or
    string, so most values schemathesis generates as valid get a 422: the creates a
    scenario needs fail.
    """
    schemas = openapi.get("components", {}).get("schemas", {})
    for model in ir["models"]:
        for column in model["columns"]:
            kind = column["type"]
            if kind["family"] != "decimal" or kind["precision"] is None:
                continue
            precision, scale = kind["precision"], kind["scale"] or 0
            for suffix in ("Create", "Update"):
                properties = schemas.get(model["name"] + suffix, {}).get("properties", {})
                if column["key"] in properties:
                    properties[column["key"]] = _decimal(
                        properties[column["key"]], precision, scale
                    )


def _decimal(schema: dict[str, Any], precision: int, scale: int) -> dict[str, Any]:
    bound = float(10 ** (precision - scale)) - 10.0**-scale
    digits = f"\\d{{1,{precision - scale}}}" + (f"(\\.\\d{{1,{scale}}})?" if scale else "")
    alternatives: list[dict[str, Any]] = [
        {"type": "number", "minimum": -bound, "maximum": bound, "multipleOf": 10.0**-scale},
        {"type": "string", "pattern": f"^-?{digits}$"},
    ]
    if any(option.get("type") == "null" for option in schema.get("anyOf", [])):
        alternatives.append({"type": "null"})
    return {"anyOf": alternatives, "title": schema.get("title", "")}


def add_links(openapi: dict[str, Any], plan: dict[str, Any], ir: dict[str, Any]) -> int:
    """Declare the links in `openapi` (in place); return how many were added."""
    added = 0
    for (path, method, status), name, link in _links(openapi, plan, ir):
        operation = openapi["paths"].get(path, {}).get(method)
        if operation is None or status not in operation.get("responses", {}):
            continue
        links = operation["responses"][status].setdefault("links", {})
        unique, suffix = name, 2
        while unique in links:
            unique, suffix = f"{name}{suffix}", suffix + 1
        links[unique] = link
        added += 1
    return added


def _links(
    openapi: dict[str, Any], plan: dict[str, Any], ir: dict[str, Any]
) -> Iterator[tuple[tuple[str, str, str], str, Link]]:
    models = {model["name"]: model for model in plan["models"]}
    tables = {model["table"]: model for model in ir["models"]}
    for model in plan["models"]:
        yield from _by_key(openapi, model)
    for child in ir["models"]:
        routed = models.get(child["name"])
        if routed is None or not routed.get("creatable"):
            continue
        for parent, body in _parents(child, tables):
            source = models.get(parent["name"])
            if source is not None and source.get("creatable"):
                link = {"operationRef": _ref(routed["path"], "post"), "requestBody": body}
                yield (source["path"], "post", "201"), f"Create{routed['name']}", link
        for relation in routed.get("links") or []:
            source = models.get(relation["target"])
            if source is not None and source.get("creatable") and len(source["key"]) == 1:
                ids = [f"$response.body#/{source['key'][0]['name']}"]
                link = {
                    "operationRef": _ref(routed["path"], "post"),
                    "requestBody": {relation["field"]: ids},
                }
                yield (source["path"], "post", "201"), f"Create{routed['name']}With", link


def _by_key(openapi: dict[str, Any], model: dict[str, Any]) -> Iterator[tuple[Any, str, Link]]:
    item = model["path"] + model["key_path"]
    if item not in openapi["paths"]:
        return
    sources = [((model["path"], "post", "201"), "$response.body#/")]
    sources.append(((model["path"] + "/bulk", "post", "201"), "$response.body#/0/"))
    sources.append(((item, "patch", "200"), "$response.body#/"))
    for source, pointer in sources:
        for method in ("get", "patch", "delete"):
            if method not in openapi["paths"][item]:
                continue
            parameters = {f"path.{key['param']}": pointer + key["name"] for key in model["key"]}
            link = {"operationRef": _ref(item, method), "parameters": parameters}
            yield source, f"{method.capitalize()}{model['name']}", copy.deepcopy(link)


def _parents(
    child: dict[str, Any], tables: dict[str, dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """Each model the child's foreign keys point to, with the create body that points there."""
    bodies: dict[str, dict[str, str]] = {}
    for column in child["columns"]:
        if column["primary_key"] and child.get("inheritance"):
            continue  # a subclass row's key is its base row's: not a parent to create first
        for key in column["foreign_keys"]:
            parent = tables.get(key["target_table"])
            if parent is None:
                continue
            field = next(
                (c["key"] for c in parent["columns"] if c["name"] == key["target_column"]),
                key["target_column"],
            )
            bodies.setdefault(parent["table"], {})[column["key"]] = f"$response.body#/{field}"
    for table, body in bodies.items():
        yield tables[table], body


def _ref(path: str, method: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"
