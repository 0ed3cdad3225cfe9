"""On PostgreSQL, the one-statement read path answers exactly as the Core rows path does.

For each case, a project's API is seeded through its factories (plus rows with awkward
values where a case has them), then every list and get shape below is asked of two apps on
the same database: one whose reads PostgreSQL writes as JSON (`postgres_json`, the default),
one whose reads run Core statements and write the JSON in Python. Their statuses and parsed
bodies, cursors included, must be equal, page after page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cases import environment, render

COMPARE = r'''
import asyncio, importlib, json, os, pkgutil, sys
from httpx import ASGITransport, AsyncClient
from app import queries
from app.core.config import Settings
from app.main import create_app
from tests import factories
from tests.conftest import serve

SECRET = "the same secret, so that both paths make the same cursors"
EXTRA = json.loads(sys.argv[1])
differences = []
truncated = 0


async def both(sql, core, path, params=None):
    first = await sql.get(path, params=params)
    second = await core.get(path, params=params)
    global truncated
    truncated += '_more":true' in first.text.replace(" ", "")
    one = (first.status_code, first.json())
    other = (second.status_code, second.json())
    if one != other:
        differences.append({"path": path, "params": params, "postgres": one, "core": other})
    return one


async def walk(sql, core, path, params, pages=3):
    """Follow next_cursor for a few pages."""
    for _ in range(pages):
        status, body = await both(sql, core, path, params)
        if status != 200 or not body.get("next_cursor"):
            return
        params = {**params, "cursor": body["next_cursor"]}


def parameter(operation, name):
    for each in operation.get("parameters", []):
        if each["name"] == name:
            schema = each["schema"]
            schema = next((s for s in schema.get("anyOf", [schema]) if s.get("type") == "array"), schema)
            return schema.get("items", {}).get("enum", [])
    return []


def item_path_of(schema, path):
    return next((p for p in schema["paths"] if p.startswith(path + "/{") and "get" in schema["paths"][p]), None)


def concrete(item_path, item):
    for part in item_path.split("/"):
        if part.startswith("{"):
            item_path = item_path.replace(part, str(item[part[1:-1]]))
    return item_path


async def share_parents(sql, schema, lists):
    """Point the first rows' foreign keys at the first row's parents, so that parents
    have several children and to-many includes are cut short."""
    for path in lists:
        item_path = item_path_of(schema, path)
        patch = schema["paths"].get(item_path, {}).get("patch") if item_path else None
        if patch is None:
            continue
        body = patch["requestBody"]["content"]["application/json"]["schema"]
        update = schema["components"]["schemas"][body["$ref"].rpartition("/")[2]]
        rows = (await sql.get(path, params={"limit": 4})).json()["items"]
        for name in update["properties"]:
            if name.endswith("_id") and rows and rows[0].get(name) is not None:
                for row in rows[1:]:
                    await sql.patch(concrete(item_path, row), json={name: rows[0][name]})


async def main():
    url = os.environ["URL"]
    # One related row per to-many include, so that `<include>_more` is true where rows share a parent.
    async with serve(url, cursor_secret=SECRET, max_related=1) as sql:
        app = create_app(Settings(environment="test", database_url=url, create_tables=False, cursor_secret=SECRET, postgres_json=False, max_related=1))
        core = AsyncClient(transport=ASGITransport(app), base_url="http://test")
        schema = (await sql.get("/openapi.json")).json()
        lists = {}
        for path, operations in schema["paths"].items():
            get = operations.get("get")
            if get and "{" not in path and get["operationId"].startswith("list_"):
                lists[path] = get
            post = operations.get("post")
            if post and not path.endswith("/bulk") and "{" not in path:
                # The models whose rows the API creates, and whose factories make them.
                create = getattr(factories, post["operationId"], None)
                for _ in range(9 if create else 0):
                    await create(sql)
        for path, rows in EXTRA.items():
            response = await sql.post(path + "/bulk", json=rows)
            assert response.status_code == 201, response.text
        await share_parents(sql, schema, lists)
        for path, operation in lists.items():
            fields = parameter(operation, "fields")
            includes = parameter(operation, "include")
            sorts = parameter(operation, "sort")
            await walk(sql, core, path, {"limit": 4})
            every = {"include": ",".join(includes)} if includes else {}
            await walk(sql, core, path, {"limit": 3, "count": "true", **every}, pages=50)
            await both(sql, core, path, {"limit": 3, "offset": 5})
            for include in includes:
                await both(sql, core, path, {"limit": 5, "include": include})
            for field in fields:  # `author.name` with include=author
                relation, dot, _ = field.partition(".")
                await both(sql, core, path, {"limit": 5, "fields": field, **({"include": relation} if dot else {})})
            for sort in sorts:
                await walk(sql, core, path, {"limit": 4, "sort": sort})
            status, body = await both(sql, core, path, {"limit": 3})
            item_path = next((p for p in schema["paths"] if p.startswith(path + "/{") and p.count("{") >= 1 and "get" in schema["paths"][p]), None)
            if item_path is None or not body["items"]:
                continue
            keys = [part[1:-1] for part in item_path.removeprefix(path + "/").split("/")]
            for item in body["items"]:
                concrete = item_path
                for key in keys:
                    concrete = concrete.replace("{" + key + "}", str(item[key]))
                await both(sql, core, concrete)
                if includes:
                    await both(sql, core, concrete, {"include": ",".join(includes)})
                if fields:
                    await both(sql, core, concrete, {"fields": fields[-1]})
        await core.aclose()
    served = failed = 0
    for module in pkgutil.iter_modules(queries.__path__):
        statements = importlib.import_module(f"app.queries.{module.name}").RESOURCE.statements
        served += sum(1 for each in statements.values() if each is not None)
        failed += sum(1 for each in statements.values() if each is None)
    print(json.dumps({"differences": differences[:5], "count": len(differences), "shapes": [served, served + failed], "truncated": truncated}))

asyncio.run(main())
'''

# Rows with values PostgreSQL and Python write differently, unless the read path takes care.
AWKWARD = {
    "exact": {
        "/measures": [
            {
                "price": "0.01",
                "code": "äé\u2028",
                "small": -32768,
                "big": 2**62 + 1,
                "ratio": 0.1 + 0.2,
                "single": 0.1,
                "day": "0999-12-31",
                "at": "2024-01-01T10:00:00.5+00:00",
                "token": "00000000-0000-0000-0000-000000000001",
                "level": "high",
                "span": "P1DT5H3.25S",
                "blob": "+/8=",
                "pause": None,
                "note": '\u00a0"\\\t',
            },
            {
                "price": "-99999999.99",
                "code": "\U0001f600",
                "small": 32767,
                "big": -(2**63),
                "ratio": 1e21,
                "single": 1e-7,
                "day": "2024-02-29",
                "at": "0001-01-02T00:00:00+00:00",
                "token": "ffffffff-ffff-ffff-ffff-ffffffffffff",
                "level": "low",
                "span": "-PT0.000001S",
                "blob": "AAEC/f7/" * 30,
                "note": "",
            },
            {
                "price": "0.00",
                "code": "a",
                "small": 0,
                "big": 0,
                "ratio": 1e-7,
                "single": 3.4e38,
                "day": "9999-12-31",
                "at": "9999-12-31T23:59:59.999999+00:00",
                "token": "00000000-0000-0000-0000-000000000002",
                "level": "low",
                "span": "PT0S",
                "blob": None,
                "pause": "PT1H",
                "note": None,
            },
        ]
    }
}

CASES = [
    "bookstore",
    "travel",
    "relations",
    "hierarchy",
    "inheritance",
    "exact",
    "columns",
    "ledgers",
    "recipes",
]


@pytest.mark.parametrize("case", CASES)
def test_postgresql_json_reads_answer_as_the_core_path_does(
    case: str, tmp_path: Path, postgres_database: str
) -> None:
    dest = tmp_path / case
    render(case, dest)
    result = subprocess.run(
        [sys.executable, "-c", COMPARE, json.dumps(AWKWARD.get(case, {}))],
        cwd=dest,
        env=environment(case, URL=postgres_database),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    served, shapes = report["shapes"]
    print(
        f"{case}: PostgreSQL served {served} of {shapes} shapes; {report['truncated']} truncated includes"
    )
    assert report["count"] == 0, json.dumps(report["differences"], indent=1)[:6000]
    assert served > 0
