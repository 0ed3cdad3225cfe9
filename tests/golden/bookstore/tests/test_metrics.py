"""`/metrics` parses as Prometheus' text format and counts what ran."""

from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from tests.utils import statements

METRICS = "/metrics"
PATH = "/authors"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_the_requests_and_their_statements(client: AsyncClient) -> None:
    ran = [statements(await client.get(PATH)) for _ in range(3)]
    response = await client.get(METRICS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    route = (("method", "GET"), ("route", PATH))
    assert samples[("db_statements_total", route)] == sum(ran)
    assert samples[("db_statement_duration_seconds_total", route)] > 0
    assert samples[("http_request_duration_seconds_count", (*route, ("status", "200")))] == 3
    assert ("db_pool_checked_out_connections", ()) in samples
    for outcome, reads in (("miss", 1), ("hit-l1", 2)):
        labels = (("method", "GET"), ("outcome", outcome), ("route", PATH))
        assert samples[("cache_reads_total", labels)] == reads
