"""/learn through the sandbox: courses taken step by step (both languages, to a certificate that
/learn verify accepts), quizzes retried, AMBER courses hidden, cohorts linked to events (the DM,
the reminder, the pre-test and post-test, the report's figures), export and erasure."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.sandbox.harness import LiaisonSandbox
from bot.services.learn import course_file, steps
from tests.learn_files import AMBER_COURSE, SHORT_COURSE

SAMPLES = Path(__file__).resolve().parents[2] / "bot" / "services" / "learn" / "samples"
CODE = re.compile(r"LRN-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def shown(inter: Any) -> str:
    return f"{inter.content or ''} {inter.embeds}"


async def load(sandbox: LiaisonSandbox, text: str, name: str = "course.yaml") -> int:
    loaded = await sandbox.slash("learn load", user=sandbox.users.alice, course=(name, text.encode()))
    match = re.search(r"#(\d+)", loaded.content or "")
    assert loaded.ephemeral and match, loaded.content
    return int(match.group(1))


async def walk(
    sandbox: LiaisonSandbox,
    member: Any,
    text: str,
    course_id: int,
    wrong: frozenset[tuple[str, int]] = frozenset(),
) -> Any:
    """Take the course from where the member stands to its end, answering right (except ``wrong``);
    returns the step message, where the walk stopped."""
    course = course_file.parse(text)
    step_message = await sandbox.slash("learn start", user=member, course=str(course_id))
    assert step_message.ephemeral
    where = re.search(r"(?:step|étape) (\d+)/", shown(step_message))
    assert where, shown(step_message)
    first = int(where.group(1)) - 1
    line = steps.steps_of(course)
    for position in range(first, len(line) - 1):
        step = line[position]
        if step.kind == "question":
            question = steps.question_of(course, step)
            right = list(question.correct)
            picked = (
                [i for i in range(len(question.options)) if i not in right][:1]
                if (step.part, step.index) in wrong
                else right
            )
            if question.multiple:
                await sandbox.select(step_message, [str(i) for i in picked], user=member)
            else:
                await sandbox.click(step_message, label="ABCDEF"[picked[0]], user=member)
            await sandbox.wait_for(lambda: not _answers_offered(step_message))  # the edit may lag
        buttons = [b["label"] for b in step_message.response.buttons()] if step_message.response else []
        forward = next((label for label in buttons if label in ("Next", "Suivant")), None)
        if forward is None:
            return step_message  # stopped: a quiz not passed, or a test not open yet
        await sandbox.click(step_message, label=forward, user=member)
        await _shows_position(sandbox, step_message, position + 2)
    return step_message


async def _shows_position(sandbox: LiaisonSandbox, step_message: Any, number: int) -> None:
    """Wait for the edit that shows step ``number`` (it may lag behind the click's settling)."""
    pattern = re.compile(rf"(?:step|étape) {number}/")
    await sandbox.wait_for(lambda: pattern.search(shown(step_message)))


def _answers_offered(step_message: Any) -> bool:
    components = step_message.response.components if step_message.response else []
    return any(
        c.get("type") == 3 or c.get("label") in tuple("ABCDEF")
        for row in components
        for c in row["components"]
    )


async def certificate_code(sandbox: LiaisonSandbox, member: Any, step_message: Any, label: str) -> str:
    got = await sandbox.click(step_message, label=label, user=member)
    [(name, pdf)] = [f for m in got.responses for f in m.files]
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    match = CODE.search(got.content or "")
    assert match and got.ephemeral
    return match.group(0)


async def test_sample_courses_to_a_verified_certificate_in_both_languages(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    english = (SAMPLES / "border_detection.en.yaml").read_text(encoding="utf-8")
    french = (SAMPLES / "scenes_de_crime.fr.yaml").read_text(encoding="utf-8")
    en_id, fr_id = await load(sandbox, english), await load(sandbox, french)
    listed = await sandbox.slash("learn courses", user=users.carol)
    assert "Basic radiological and nuclear threats" in shown(listed) and "not started" in shown(listed)

    done = await walk(sandbox, users.carol, english, en_id)
    assert "completed this course" in shown(done)
    code = await certificate_code(sandbox, users.carol, done, "Certificate")
    verified = await sandbox.slash("learn verify", user=users.dmitri, code=code)
    assert "is genuine" in shown(verified) and "carol" in shown(verified)
    assert "detection at the border" in shown(verified)

    fini = await walk(sandbox, users.bruno, french, fr_id)
    assert "Vous avez terminé ce cours" in shown(fini)
    code_fr = await certificate_code(sandbox, users.bruno, fini, "Certificat")
    again = await sandbox.slash("learn certificate", user=users.bruno, course=str(fr_id))
    assert code_fr in (again.content or "") and again.response and again.response.files
    checked = await sandbox.slash("learn verify", user=users.bruno, code=code_fr.lower())
    assert "est authentique" in shown(checked) and "Scènes de crime radiologiques" in shown(checked)
    forged = code_fr[:-2] + ("ZZ" if not code_fr.endswith("ZZ") else "YY")
    refused = await sandbox.slash("learn verify", user=users.carol, code=forged)
    assert refused.ephemeral and "not genuine" in shown(refused)
    progress = await sandbox.slash("learn progress", user=users.carol)
    assert "completed" in shown(progress) and code in shown(progress)


async def test_explanations_retry_and_several_right_answers(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    course_id = await load(sandbox, SHORT_COURSE)
    step = await walk(sandbox, carol, SHORT_COURSE, course_id, wrong=frozenset({("m1", 0)}))
    # the walk stopped at quiz 1's result: failed (pass mark 100 %), no Next, a retry
    assert "Not passed yet" in shown(step) and "0 %" in shown(step)
    labels = [b["label"] for b in step.response.buttons()] if step.response else []
    assert "Next" not in labels and "Retry the quiz" in labels
    await sandbox.click(step, label="Retry the quiz", user=carol)
    assert "Attempt 2" in shown(step) and "Dose unit?" in shown(step)
    await sandbox.click(step, label="A", user=carol)
    assert "Right" in shown(step) and "Sievert is right." in shown(step)
    early = await sandbox.slash("learn certificate", user=carol, course=str(course_id))
    assert early.ephemeral and "not completed" in shown(early)
    bad_file = await sandbox.slash(
        "learn load",
        user=sandbox.users.alice,
        course=("bad.yaml", b"title: T\nlabel: TLP:RED\nmodules: []\n"),
    )
    assert "line 2" in shown(bad_file) and "line 3" in shown(bad_file)
    refused = await sandbox.slash("learn load", user=carol, course=("c.yaml", SHORT_COURSE.encode()))
    assert refused.ephemeral and "moderators" in shown(refused)


async def test_amber_course_only_for_verified_members(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    amber_id = await load(sandbox, AMBER_COURSE)
    listed = await sandbox.slash("learn courses", user=users.carol)
    assert "Closed course" not in shown(listed)
    assert await sandbox.autocomplete("learn start", "course", "clo", user=users.carol) == []
    refused = await sandbox.slash("learn start", user=users.carol, course=str(amber_id))
    assert refused.ephemeral and "No such course" in shown(refused)
    moderator = await sandbox.slash("learn start", user=users.alice, course=str(amber_id))
    assert "Closed course" in shown(moderator) and moderator.ephemeral


async def test_progress_of_another_member_is_for_moderators(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    course_id = await load(sandbox, SHORT_COURSE)
    await sandbox.slash("learn start", user=users.carol, course=str(course_id))
    refused = await sandbox.slash("learn progress", user=users.bruno, member=users.carol)
    assert refused.ephemeral and "modérateurs" in shown(refused) and "Short course" not in shown(refused)
    seen = await sandbox.slash("learn progress", user=users.alice, member=users.carol)
    assert "Short course" in shown(seen)


async def test_delete_withdraws_the_certificate_and_export_has_it(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    course_id = await load(sandbox, SHORT_COURSE)
    done = await walk(sandbox, carol, SHORT_COURSE, course_id)
    code = await certificate_code(sandbox, carol, done, "Certificate")
    exported = await sandbox.slash("me export", user=carol)
    [(_name, data)] = exported.files
    assert code in data.decode() and '"progress"' in data.decode()
    prompt = await sandbox.slash("me delete", user=carol)
    await sandbox.click(prompt, label="Confirm", user=carol)
    after = await sandbox.slash("learn verify", user=sandbox.users.dmitri, code=code)
    assert "withdrawn" in shown(after) and "carol" not in shown(after)
    mine = await sandbox.slash("learn progress", user=carol)
    assert "No course started" in shown(mine)


def _dms(sandbox: LiaisonSandbox, member: Any, marker: str) -> list[str]:
    return [m.content for m in sandbox.dms(member) if marker in m.content]


async def test_cohort_gets_course_reminder_pre_and_post_test_and_report(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    course_id = await load(sandbox, SHORT_COURSE)
    start = (sandbox.bot.clock.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    created = await sandbox.slash(
        "event create", user=users.alice, title="Border workshop", start=start, timezone="UTC", duration="2h"
    )
    event_id = re.search(r"#(\d+)", shown(created))
    assert event_id, shown(created)
    assigned = await sandbox.slash(
        "learn assign", user=users.alice, course=str(course_id), event=event_id.group(1)
    )
    assert "now prepares" in shown(assigned)
    for member in (users.carol, users.bruno):
        await sandbox.slash("event rsvp", user=member, event=event_id.group(1), status="going")
    await sandbox.wait_for(lambda: _dms(sandbox, users.carol, "📚") and _dms(sandbox, users.bruno, "📚"))
    [invite] = _dms(sandbox, users.carol, "📚")
    assert "Border workshop" in invite and "Short course" in invite and "pre-test" in invite
    assert "test initial" in _dms(sandbox, users.bruno, "📚")[0]  # he answered in French

    # Pre-test: carol gets both right, bruno both wrong; carol finishes the course, bruno does not.
    await walk(sandbox, users.carol, SHORT_COURSE, course_id)
    await walk(
        sandbox, users.bruno, SHORT_COURSE, course_id, wrong=frozenset({("pre", 0), ("pre", 1), ("m1", 0)})
    )
    await sandbox.advance(timedelta(days=2, hours=1))  # the day before
    [reminder] = [m for m in _dms(sandbox, users.bruno, "⏰") if "Short course" in m]  # (and the event's own)
    assert "pas terminé" in reminder
    assert [m for m in _dms(sandbox, users.carol, "⏰") if "Short course" in m] == []  # finished: none

    await sandbox.advance(timedelta(days=1, hours=2))  # the workshop is over
    assert len(_dms(sandbox, users.carol, "✅")) == 1 and "post-test" in _dms(sandbox, users.carol, "✅")[0]
    assert len(_dms(sandbox, users.bruno, "✅")) == 1
    # Post-test: both now answer right. Bruno, modules unfinished, is taken to it first.
    done = await walk(sandbox, users.carol, SHORT_COURSE, course_id)
    assert "completed this course" in shown(done)
    post = await sandbox.slash("learn start", user=users.bruno, course=str(course_id))
    assert "Test final · question 1/2" in shown(post)
    bruno = await walk(sandbox, users.bruno, SHORT_COURSE, course_id)
    assert "pas encore réussi" in shown(bruno)  # the end: a module's quiz still to pass
    await sandbox.click(bruno, label="Reprendre le cours", user=users.bruno)
    assert "Module 1" in shown(bruno)

    refused = await sandbox.slash("learn cohort", user=users.carol, course=str(course_id))
    assert refused.ephemeral and "moderators" in shown(refused) and "bruno" not in shown(refused)
    report = await sandbox.slash(
        "learn cohort", user=users.alice, course=str(course_id), event=event_id.group(1)
    )
    text = shown(report)
    assert report.ephemeral and "Completed" in text and "1 / 2" in text
    assert "Q1: 50 % → 100 % (+50)" in text and "Q2: 50 % → 100 % (+50)" in text
    [(name, data)] = report.response.files if report.response else []
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert name.endswith(".csv")
    by_member = {r[0]: r[1:] for r in rows if r and r[0] in ("carol", "bruno")}
    assert by_member == {"carol": ["1", "1", "100", "100"], "bruno": ["1", "0", "0", "100"]}
    questions = [r for r in rows if r and r[0] in ("1", "2")]
    assert [q[7] for q in questions] == ["50", "50"]


async def test_a_step_message_keeps_working_after_a_restart(sandbox: LiaisonSandbox) -> None:
    carol = sandbox.users.carol
    course_id = await load(sandbox, SHORT_COURSE)
    step = await sandbox.slash("learn start", user=carol, course="short")
    await sandbox.restart_bot()
    await sandbox.click(step, label="Next", user=carol)
    assert "step 2/" in shown(step) and "Which unit measures dose?" in shown(step)
    await sandbox.click(step, label="Back", user=carol)
    await sandbox.click(step, label="Next", user=carol)
    again = await sandbox.slash("learn start", user=carol, course=str(course_id))
    assert "step 2/" in shown(again)
