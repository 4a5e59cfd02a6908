"""How exercises look in Discord: inject messages, the briefing, the control thread's timeline,
the hot-wash call, the info card. Text that people typed is made harmless (no ping, no mention,
no masked link, no heading)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import discord

from bot import i18n
from bot.documents import Bilingual
from bot.exercises import clock
from bot.exercises.scenario import Inject, Scenario, format_offset
from bot.services.exercises.delivery import Outgoing
from bot.services.exercises.units import Info
from bot.timeutil import discord_timestamp
from bot.ui import embeds, limits
from bot.ui import text as ui_text

Translate = Callable[..., str]


def moment(offset: float, at: datetime | None) -> str:
    """``T+01:20 · <t:…:T>``: exercise time and, for each reader, their own clock time."""
    shown = format_offset(offset)
    return f"{shown} · {discord_timestamp(at, 'T')}" if at is not None else shown


def teams_text(t: Translate, teams: list[str] | tuple[str, ...]) -> str:
    return ", ".join(teams) if teams else t("exercises.all_teams")


def _links(t: Translate, resources: list[Any], links: dict[str, Any]) -> str:
    found = [links[str(r)] for r in resources if str(r) in links]
    if not found:
        return ""
    lines = [f"• {ui_text.shown(link['title'], 150)}: {ui_text.url(link['url'])}" for link in found]
    return "\n" + t("exercises.inject.resources") + "\n" + "\n".join(lines)


def inject_message(message: Outgoing) -> str:
    """The inject as a team (or, with expected actions and notes, the control thread) reads it."""
    language = message.language
    t = lambda key, **p: i18n.t(language, key, **p)  # noqa: E731
    content = message.content
    title = Bilingual.from_json(content["title"]).get(language)
    text = Bilingual.from_json(content["text"]).get(language)
    head = t(
        "exercises.inject.head",
        time=format_offset(message.offset),
        at=discord_timestamp(message.due_at, "T"),
        number=message.number,
        title=ui_text.shown(title, 200),
    )
    if message.late:
        head += " " + t("exercises.inject.late")
    body = ui_text.shown(text, 1300)
    parts = [head, body]
    if message.team is None:
        parts.append(t("exercises.inject.to", teams=teams_text(t, content.get("teams") or [])))
        expected = [Bilingual.from_json(e).get(language) for e in content.get("expected") or []]
        if expected:
            parts.append(
                t("exercises.inject.expected")
                + "\n"
                + "\n".join(f"• {ui_text.shown(e, 200)}" for e in expected)
            )
        if content.get("notes"):
            notes = Bilingual.from_json(content["notes"]).get(language)
            parts.append(t("exercises.inject.notes", notes=ui_text.shown(notes, 500)))
    links = _links(t, content.get("resources") or [], message.links)
    return limits.clip("\n".join(parts) + links, limits.MESSAGE)


def briefing(t: Translate, scenario: Scenario, team: str, language: str, label: str, speed: float) -> str:
    found = scenario.team(team)
    description = found.description.get(language) if found and found.description else ""
    text = t(
        "exercises.briefing",
        label=label,
        title=ui_text.shown(scenario.title.get(language), 200),
        team=ui_text.shown(team, 60),
        description=ui_text.shown(description, 300),
        briefing=ui_text.shown(scenario.briefing.get(language), 1200),
        speed=f"{speed:g}",
    )
    return limits.clip(text, limits.MESSAGE)


def timeline(
    t: Translate, scenario: Scenario, state: clock.ClockState, language: str, label: str
) -> list[str]:
    """The control thread's opening: every inject with its moment, teams, expected actions and notes
    (several messages when it does not fit in one)."""
    head = t(
        "exercises.control.head",
        label=label,
        title=ui_text.shown(scenario.title.get(language), 200),
        count=len(scenario.injects),
        duration=format_offset(scenario.duration),
        speed=f"{state.speed:g}",
    )
    blocks = [head]
    for inject in scenario.injects:
        blocks.append(_timeline_entry(t, inject, state, language))
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = limits.clip(block, limits.MESSAGE)
        if current and len(current) + len(block) + 2 > limits.MESSAGE:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages


def _timeline_entry(t: Translate, inject: Inject, state: clock.ClockState, language: str) -> str:
    due = clock.due_at(state, inject.offset)
    title = ui_text.shown(inject.title.get(language), 150)
    lines = [f"**{moment(inject.offset, due)}** · #{inject.number} · {title} → {teams_text(t, inject.teams)}"]
    lines += [f"  ✓ {ui_text.shown(e.get(language), 200)}" for e in inject.expected]
    if inject.notes:
        lines.append("  🔒 " + ui_text.shown(inject.notes.get(language), 400))
    return "\n".join(lines)


def hotwash_call(
    t: Translate, title: str, questions: tuple[Bilingual, ...], language: str, elapsed: float
) -> str:
    listed = "\n".join(
        f"{n}. {ui_text.shown(q.get(language), 300)}" for n, q in enumerate(questions, start=1)
    )
    return limits.clip(
        t(
            "exercises.hotwash.call",
            title=ui_text.shown(title, 200),
            time=format_offset(elapsed),
            questions=listed,
        ),
        limits.MESSAGE,
    )


def info_embed(t: Translate, info: Info, language: str, now: datetime) -> discord.Embed:
    scenario, state, counts = info.scenario, info.clock, info.counts
    embed = embeds.make_embed(
        f"#{info.exercise_id} · {scenario.title.get(language)}",
        ui_text.shown(scenario.briefing.get(language), 1500),
    )
    embeds.add_field(embed, t("exercises.field.label"), info.label)
    embeds.add_field(embed, t("exercises.field.state"), t(f"exercises.state.{info.state}"))
    embeds.add_field(embed, t("exercises.field.clock"), format_offset(clock.elapsed(state, now)))
    embeds.add_field(embed, t("exercises.field.speed"), f"{state.speed:g}")
    embeds.add_field(embed, t("exercises.field.injects"), str(len(scenario.injects)))
    embeds.add_field(embed, t("exercises.field.duration"), format_offset(scenario.duration))
    teams = "\n".join(
        t("exercises.field.team_line", team=ui_text.shown(team.name, 60), players=counts.get(team.name, 0))
        for team in scenario.teams
    )
    embeds.add_field(embed, t("exercises.field.teams"), teams, inline=False)
    embeds.add_field(
        embed,
        t("exercises.field.staff"),
        t(
            "exercises.field.staff_line",
            controllers=counts.get("controller", 0),
            observers=counts.get("observer", 0),
        ),
        inline=False,
    )
    return embed
