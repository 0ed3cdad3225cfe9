"""Run in a generated project (`python readiness_outage.py DATABASE_URL`): the app's readiness
through a TCP proxy in front of PostgreSQL, while the proxy serves, after it closes (the
database "down": connections refused and cut), and once it serves again.

Prints one line per probe: `<phase> <status> <seconds> <checks as JSON>`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from contextlib import suppress

import httpx
from app.core.config import Settings
from app.main import create_app
from sqlalchemy.engine import make_url

TIMEOUT = 1.0


class Proxy:
    """Forwards a local port to PostgreSQL until stopped; cuts every connection it carried."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()


async def probe(client: httpx.AsyncClient, phase: str) -> int:
    started = time.monotonic()
    response = await client.get("/health/ready")
    seconds = time.monotonic() - started
    print(phase, response.status_code, f"{seconds:.2f}", json.dumps(response.json()["checks"]))
    return response.status_code


async def main(database_url: str) -> None:
    server = make_url(database_url)
    proxy = Proxy(server.host or "127.0.0.1", server.port or 5432)
    await proxy.start()
    url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(Settings(environment="test", database_url=url, health_timeout=TIMEOUT))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        await probe(client, "up")
        await proxy.stop()
        await probe(client, "down")
        await proxy.start()  # the same port
        for _ in range(10):  # a connection the outage killed may fail one probe
            if await probe(client, "back") == 200:
                break
            await asyncio.sleep(0.2)
    await app.state.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
