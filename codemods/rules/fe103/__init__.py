"""FE103's own machinery: its cheap tests (`prefilter`), what a loop reads per row
(`reads`), the loader options a query has and the ones to add (`loaders`), the lookups it
runs per row (`lookups`) and the IN query that replaces them (`batch`), and the decision
(`examine`). The rule and its documentation are in `rules/fe103_n_plus_one.py`, its cases
in `cases.py` and `lookup_cases.py` here."""
