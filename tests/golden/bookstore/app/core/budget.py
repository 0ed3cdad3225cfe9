"""The runtime N+1 detector: a request that runs more statements than its budget is logged.

The generated routes run a fixed number of statements whatever the page size; code added
by hand may not. A request over STATEMENT_BUDGET logs one warning naming its route, its
count and the statement it ran most often: one run per row of a page (a relationship loaded
in a loop) is the N+1 shape, which `fe-gen optimize` rule FE103 rewrites into one query.
"""

import logging

from starlette.types import Scope

from app.core.timing import Observer, QueryStats

_log = logging.getLogger(__name__)


def statement_budget(budget: int) -> Observer:
    """An observer warning about each request that runs more than `budget` statements."""

    def check(scope: Scope, stats: QueryStats) -> None:
        if stats.statements <= budget:
            return
        route = getattr(scope.get("route"), "path", scope["path"])
        sql, times = stats.sql.most_common(1)[0] if stats.sql else ("(not recorded)", 0)
        _log.warning(
            "%s %s ran %d statements, over its budget of %d (STATEMENT_BUDGET); the most "
            "repeated ran %d times: %s; if it runs once per row, `fe-gen optimize` rule FE103 "
            "makes it one query",
            scope["method"],
            route,
            stats.statements,
            budget,
            times,
            " ".join(sql.split()),
        )

    return check
