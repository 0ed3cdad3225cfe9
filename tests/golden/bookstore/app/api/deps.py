"""Dependencies shared by the routes, as `Annotated` aliases.

All are `async def`, even those that don't await: FastAPI runs a plain `def` dependency in a
thread pool, a thread hop per dependency per request.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.listing import Pager
from app.core.reads import Reader


async def get_reader(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pager(request: Request) -> Pager:
    pager: Pager = request.app.state.pager
    return pager


ReaderDep = Annotated[Reader, Depends(get_reader)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PagerDep = Annotated[Pager, Depends(get_pager)]
