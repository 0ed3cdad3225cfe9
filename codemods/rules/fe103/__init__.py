"""FE103's own machinery: its cheap tests (`prefilter`), what a loop reads per row
(`reads`), the loader options a query has and the ones to add (`loaders`), and the decision
(`examine`). The rule, its documentation and its cases are in `rules/fe103_n_plus_one.py`."""
