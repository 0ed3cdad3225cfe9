"""Where a fix's new import goes: beside the module's imports of the same package."""

from __future__ import annotations

import libcst as cst
import pytest

from fe_gen.codemods.fixer import _add_imports

CASES = [
    pytest.param(
        "import pytest\nfrom sqlalchemy.orm import Session\n\nimport app\n",
        "import pytest\nfrom sqlalchemy import and_\nfrom sqlalchemy.orm import Session\n\nimport app\n",
        id="before-a-submodule-of-the-package",
    ),
    pytest.param(
        "import os\n\n# the database\nfrom sqlalchemy.orm import Session\n",
        "import os\n\n# the database\nfrom sqlalchemy import and_\nfrom sqlalchemy.orm import Session\n",
        id="takes-the-blank-lines-and-comment-of-the-group",
    ),
    pytest.param(
        "from sqlalchemy import select\nfrom sqlalchemy.orm import Session\n",
        "from sqlalchemy import and_, select\nfrom sqlalchemy.orm import Session\n",
        id="merged-into-the-package-import",
    ),
    pytest.param(
        "import sqlalchemy as sa\n\nimport app\n",
        "import sqlalchemy as sa\nfrom sqlalchemy import and_\n\nimport app\n",
        id="after-the-package-import",
    ),
    pytest.param(
        "import os\n\nimport app\n\nx = 1\n",
        "import os\n\nimport app\nfrom sqlalchemy import and_\n\nx = 1\n",
        id="after-the-last-import-when-the-package-is-not-imported",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_a_new_import_goes_beside_its_package(source: str, expected: str) -> None:
    module = cst.parse_module(source)
    assert _add_imports(module, [("sqlalchemy", "and_")]).code == expected


ORM_CASES = [
    pytest.param(
        "from sqlalchemy.orm import aliased, Session\n",
        "from sqlalchemy.orm import aliased, Session, selectinload\n",
        id="merged-before-the-first-name-that-sorts-after-it",
    ),
    pytest.param(
        "from sqlalchemy.orm import (\n    Session,\n    aliased,\n)\n",
        "from sqlalchemy.orm import (\n    Session,\n    aliased,\n    selectinload,\n)\n",
        id="merged-into-a-parenthesised-list-in-its-layout",
    ),
    pytest.param(
        "from sqlalchemy.orm import Session, selectinload\n",
        "from sqlalchemy.orm import Session, selectinload\n",
        id="already-imported",
    ),
    pytest.param(
        "import os\n\nimport click\nfrom zope import x\n\nfrom app import db\n",
        "import os\n\nimport click\nfrom sqlalchemy.orm import selectinload\nfrom zope import x\n\nfrom app import db\n",
        id="in-the-third-party-group-when-the-package-is-not-imported",
    ),
]


@pytest.mark.parametrize(("source", "expected"), ORM_CASES)
def test_a_loader_import_goes_where_isort_would_put_it(source: str, expected: str) -> None:
    module = cst.parse_module(source)
    assert _add_imports(module, [("sqlalchemy.orm", "selectinload")]).code == expected
