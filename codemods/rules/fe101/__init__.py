"""FE101's own machinery: the filtering shapes it matches (`sites`), the translation of
their conditions into SQL (`conditions`), the decision and the fix (`examine`), and its
cheap text and AST tests (`prefilter`). The rule itself, its documentation and its cases
are in `rules/fe101_client_side_filter.py`."""
