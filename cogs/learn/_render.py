"""How courses look in Discord: a step, the list of courses, a member's progress, a cohort's
report (and its CSV), a verification. Course texts are trainers' text: shown as text, never
pinging, clipped to Discord's limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import discord

from bot.services.learn import Listed, MemberProgress
from bot.services.learn.certificates import Verification
from bot.services.learn.cohorts import Report
from bot.services.learn.walk import StepView
from bot.services.resources.transfer import guard
from bot.timeutil import discord_timestamp
from bot.ui import embeds, limits
from bot.ui import text as ui_text

Translate = Callable[..., str]
LETTERS = "ABCDEF"
BADGES = {"TLP:CLEAR": "⚪", "TLP:GREEN": "🟢", "TLP:AMBER": "🟠", "TLP:AMBER+STRICT": "🟠"}
PART_NAMES = {"pre": "learn.part.pre", "post": "learn.part.post"}


def badge(label: str) -> str:
    return f"{BADGES.get(label, '')} `{label}`".strip()


def part_name(t: Translate, part: str, module_number: int = 0) -> str:
    if part in PART_NAMES:
        return t(PART_NAMES[part])
    return t("learn.part.quiz", number=module_number or part.lstrip("m"))


def step_embed(t: Translate, view: StepView, resources: list[tuple[int, str]]) -> discord.Embed:
    count = t("learn.step.count", position=view.position + 1, total=view.total)
    heading = f"{ui_text.shown(view.course_title, 200)} · {count}"
    kind = view.kind
    if kind == "intro":
        body = [ui_text.shown(view.body, 2500)] if view.body else []
        body.append(t("learn.intro.contents", **view.summary))
        if view.summary.get("pre"):
            body.append(t("learn.intro.pre", count=view.summary["pre"]))
        embed = embeds.make_embed(heading, "\n\n".join(body))
        embeds.add_field(embed, t("learn.field.label"), badge(view.label))
    elif kind == "lesson":
        title = t("learn.lesson.title", module=view.module_number, name=ui_text.shown(view.module_title, 150))
        embed = embeds.make_embed(
            heading, f"**{ui_text.shown(view.title, 200)}**\n\n{ui_text.shown(view.body, 3600)}"
        )
        embed.set_author(name=limits.clip(title, limits.AUTHOR))
        if resources:
            links = "\n".join(f"#{rid} · {ui_text.shown(name, 150)}" for rid, name in resources)
            embeds.add_field(embed, t("learn.lesson.resources"), links, inline=False)
    elif kind == "question":
        embed = _question(t, heading, view)
    elif kind == "result":
        embed = _result(t, heading, view)
    else:
        key = "learn.done.completed" if view.completed else "learn.done.not_completed"
        embed = embeds.make_embed(heading, t(key), colour=embeds.OK if view.completed else embeds.WARN)
    if view.locked_until is not None:
        embeds.add_field(
            embed,
            t("learn.post.locked_title"),
            t("learn.post.locked", when=discord_timestamp(view.locked_until, "f")),
            inline=False,
        )
    footer = view.label
    if view.kind in ("question", "result") and view.attempt > 1:
        footer += " · " + t("learn.attempt", number=view.attempt)
    embeds.set_footer(embed, footer)
    return embed


def _question(t: Translate, heading: str, view: StepView) -> discord.Embed:
    name = part_name(t, view.part, view.module_number)
    lines = [
        f"**{name} · {t('learn.question.count', number=view.question_number, total=view.question_count)}**"
    ]
    lines.append(ui_text.shown(view.body, 1000))
    lines.append("")
    for index, option in enumerate(view.options):
        mark = ""
        if view.answered is not None and index in view.answered:
            mark = " ◀"
        if view.correct is not None and index in view.correct:
            mark += " ✅"
        lines.append(f"**{LETTERS[index]}.** {ui_text.shown(option, 220)}{mark}")
    lines.append("")
    if view.answered is None:
        lines.append(t("learn.question.pick_many" if view.multiple else "learn.question.pick_one"))
    colour = embeds.BRAND
    embed = embeds.make_embed(heading, "\n".join(lines))
    if view.answered is not None:
        if view.was_correct is None:
            embeds.add_field(
                embed, t("learn.answer.recorded_title"), t("learn.answer.recorded"), inline=False
            )
        else:
            colour = embeds.OK if view.was_correct else embeds.WARN
            verdict = t("learn.answer.right" if view.was_correct else "learn.answer.wrong")
            embeds.add_field(embed, verdict, ui_text.shown(view.explanation, 1000) or "\u200b", inline=False)
    embed.colour = colour
    return embed


def _result(t: Translate, heading: str, view: StepView) -> discord.Embed:
    name = part_name(t, view.part, view.module_number)
    text = t("learn.result.score", part=name, score=view.score)
    if view.passed is True:
        text += "\n" + t("learn.result.passed", mark=view.pass_mark)
    elif view.passed is False:
        text += "\n" + t("learn.result.failed", mark=view.pass_mark)
    elif view.part == "pre":
        text += "\n" + t("learn.result.pre")
    else:
        text += "\n" + t("learn.result.post")
    colour = embeds.OK if view.passed is not False else embeds.WARN
    return embeds.make_embed(heading, text, colour=colour)


def course_list(t: Translate, listed: list[Listed]) -> discord.Embed:
    embed = embeds.make_embed(t("learn.courses.title", count=len(listed)))
    if not listed:
        embed.description = t("learn.courses.none")
    for course in listed[: limits.EMBED_FIELDS]:
        if course.completed:
            state = t("learn.courses.completed")
        elif course.position is None:
            state = t("learn.courses.not_started")
        else:
            state = t("learn.courses.at", position=course.position + 1, total=course.steps)
        embeds.add_field(
            embed,
            f"#{course.course_id} · {ui_text.shown(course.title, 200)}",
            f"{badge(course.label)} · {state}",
            inline=False,
        )
    return embed


def progress_embed(t: Translate, who: str, rows: list[MemberProgress]) -> discord.Embed:
    embed = embeds.make_embed(t("learn.progress.title", member=ui_text.shown(who, 100)))
    if not rows:
        embed.description = t("learn.progress.none")
    for row in rows[: limits.EMBED_FIELDS]:
        lines = [t("learn.courses.at", position=row.position + 1, total=row.total)]
        if row.completed_at:
            lines = [t("learn.progress.completed", when=discord_timestamp(row.completed_at, "D"))]
        if row.quiz_scores:
            scores = ", ".join(f"{part_name(t, p)} {s} %" for p, s in sorted(row.quiz_scores.items()))
            lines.append(scores)
        if row.pre_score is not None or row.post_score is not None:
            lines.append(t("learn.progress.tests", pre=_pct(t, row.pre_score), post=_pct(t, row.post_score)))
        if row.certificate:
            lines.append(t("learn.progress.certificate", code=row.certificate))
        embeds.add_field(
            embed, f"#{row.course_id} · {ui_text.shown(row.title, 200)}", "\n".join(lines), inline=False
        )
    return embed


def _pct(t: Translate, value: int | None) -> str:
    return t("learn.none") if value is None else f"{value} %"


def _gain(value: int | None) -> str:
    return "–" if value is None else f"{value:+d}"


def cohort_embed(t: Translate, report: Report) -> discord.Embed:
    title = t("learn.cohort.title", course=ui_text.shown(report.course_title, 150))
    if report.event_title:
        title = t(
            "learn.cohort.title_event",
            course=ui_text.shown(report.course_title, 120),
            event=ui_text.shown(report.event_title, 100),
        )
    embed = embeds.make_embed(title)
    embeds.add_field(embed, t("learn.cohort.members"), str(report.members))
    embeds.add_field(embed, t("learn.cohort.started"), str(report.started))
    embeds.add_field(embed, t("learn.cohort.completed"), f"{report.completed} / {report.members}")
    embeds.add_field(
        embed,
        t("learn.cohort.pre"),
        t("learn.cohort.mean", mean=_pct(t, report.pre_mean), count=report.pre_taken),
    )
    embeds.add_field(
        embed,
        t("learn.cohort.post"),
        t("learn.cohort.mean", mean=_pct(t, report.post_mean), count=report.post_taken),
    )
    lines = [
        t(
            "learn.cohort.question_line",
            number=q.number,
            pre=_pct(t, q.pre_right),
            post=_pct(t, q.post_right),
            gain=_gain(q.gain),
        )
        for q in report.questions
    ]
    if lines:
        embeds.add_field(
            embed, t("learn.cohort.gain"), limits.clip("\n".join(lines), limits.FIELD_VALUE), inline=False
        )
    embeds.set_footer(embed, t("learn.cohort.footer"))
    return embed


def cohort_csv(t: Translate, report: Report, names: dict[int, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: object) -> None:
        writer.writerow([guard("" if c is None else str(c)) for c in cells])

    row(t("learn.csv.course"), report.course_title)
    row(t("learn.csv.event"), report.event_title or "")
    row(t("learn.cohort.members"), report.members)
    row(t("learn.cohort.started"), report.started)
    row(t("learn.cohort.completed"), report.completed)
    row(t("learn.cohort.pre"), "" if report.pre_mean is None else report.pre_mean, report.pre_taken)
    row(t("learn.cohort.post"), "" if report.post_mean is None else report.post_mean, report.post_taken)
    row()
    row(
        *(
            t(f"learn.csv.q.{k}")
            for k in ("number", "text", "pre_n", "pre", "post_n", "post", "paired", "gain")
        )
    )
    for q in report.questions:
        row(q.number, q.text, q.pre_answers, q.pre_right, q.post_answers, q.post_right, q.paired, q.gain)
    row()
    row(*(t(f"learn.csv.m.{k}") for k in ("member", "started", "completed", "pre", "post")))
    for member in report.rows:
        row(
            names.get(member.user_id, str(member.user_id)),
            int(member.started),
            int(member.completed),
            "" if member.pre_score is None else member.pre_score,
            "" if member.post_score is None else member.post_score,
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def verification_text(t: Translate, found: Verification) -> str:
    if found.withdrawn:
        return t("learn.verify.withdrawn", code=found.code)
    assert found.issued_at is not None
    return t(
        "learn.verify.genuine",
        code=found.code,
        name=ui_text.shown(found.member_name, 100),
        course=ui_text.shown(found.course_title, 200),
        date=discord_timestamp(found.issued_at, "D"),
    )
