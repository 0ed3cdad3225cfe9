"""The generated project's `app.main:app`, logging which request each unhandled exception broke.

uvicorn serves this module (from its own folder, `--app-dir`) with the project as the working
directory. FastAPI answers an unhandled exception with a bare 500 and re-raises it; this
wrapper then logs one line naming schemathesis' test case (its X-Schemathesis-TestCaseId
header) and the exception, so that each server error is traced to the request that made it.
"""

from __future__ import annotations

import logging
from typing import Any

from app.main import app as project_app

MARK = "FE-GEN-FUZZ-EXCEPTION"
_log = logging.getLogger("uvicorn.error")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    try:
        await project_app(scope, receive, send)
    except Exception as raised:
        error: BaseException = raised
        while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
            error = error.exceptions[0]  # middleware task groups wrap what the route raised
        headers = dict(scope.get("headers") or [])
        case_id = headers.get(b"x-schemathesis-testcaseid", b"-").decode("latin-1")
        text = (str(error).strip().splitlines() or [""])[0][:300]
        kind = type(error)
        _log.error("%s %s %s.%s: %s", MARK, case_id, kind.__module__, kind.__qualname__, text)
        raise
