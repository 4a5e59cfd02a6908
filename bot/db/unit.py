"""One unit of work per service call: the service opens the transaction, not its caller.

A service function is written against a session (``async def f(session, ...)``) so that services
can compose inside one transaction and be tested on a session. Decorated with ``unit_of_work``, it
may also be called with the ``Database``: it then opens one transaction, runs, and commits (or
rolls back on any error) before returning. Cogs call services this way, with ``bot.db``, and so
never hold a session or decide where a transaction starts or ends (issue #16).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database

P = ParamSpec("P")
R = TypeVar("R")

SessionOrDatabase = AsyncSession | Database


def unit_of_work(
    function: Callable[Concatenate[AsyncSession, P], Awaitable[R]],
) -> Callable[Concatenate[SessionOrDatabase, P], Awaitable[R]]:
    """Let ``function`` be called with a session (joins that transaction) or with the database
    (runs in a transaction of its own)."""

    @functools.wraps(function)
    async def run(where: SessionOrDatabase, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(where, AsyncSession):
            return await function(where, *args, **kwargs)
        async with where.transaction() as session:
            return await function(session, *args, **kwargs)

    return run
