"""Every component of the cogs answers a failing click or submission through the one error
mapping (``bot/ui/views.py``): views derive from ``AnsweringView``, modals from
``AnsweringModal``, persistent dynamic items from ``Answering``."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import discord

import cogs
from bot.ui.views import Answering, AnsweringModal, AnsweringView


def _load_cogs() -> None:
    for module in pkgutil.walk_packages(cogs.__path__, "cogs."):
        importlib.import_module(module.name)


def _subclasses(base: type[Any]) -> list[type[Any]]:
    found, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith(("cogs.", "bot."))]


def test_every_component_answers_its_errors() -> None:
    _load_cogs()
    views = _subclasses(discord.ui.View)
    modals = _subclasses(discord.ui.Modal)
    items = _subclasses(discord.ui.DynamicItem)
    assert views and modals and items
    assert [v for v in views if not issubclass(v, AnsweringView)] == []
    assert [m for m in modals if not issubclass(m, AnsweringModal)] == []
    assert [i for i in items if not issubclass(i, Answering)] == []
    assert all(getattr(i.callback, "__liaison_answering__", False) for i in items)


def test_no_cog_builds_a_bare_view() -> None:
    from pathlib import Path

    root = Path(cogs.__file__).parent
    bare = [p.name for p in root.rglob("*.py") if "discord.ui.View(" in p.read_text(encoding="utf-8")]
    assert bare == []
