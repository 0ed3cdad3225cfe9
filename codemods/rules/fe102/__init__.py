"""FE102's own machinery: which columns a loop reads of its rows (`examine`). The rule,
its documentation and its cases are in `rules/fe102_over_fetching.py`."""
