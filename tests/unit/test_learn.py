"""Courses on a real database: walking a course, scoring (several right options, retries, pass
marks), completion and certificates, cohorts (what is sent when, and the report's figures),
export and erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.db import Database
from bot.db.models.events import Event, Rsvp
from bot.errors import NotAllowed, NotFound
from bot.services import learn, privacy
from bot.services.learn import certificates, cohorts, courses, walk
from bot.services.learn.walk import ANSWER, BACK, NEXT, RETRY, StepView
from tests.conftest import START
from tests.learn_files import AMBER_COURSE, SHORT_COURSE

GUILD, MOD, ANA, BEN = 1, 10, 11, 12


async def _load(db: Database, text: str = SHORT_COURSE) -> int:
    async with db.transaction() as session:
        return (await courses.load(session, GUILD, MOD, text, START)).course_id


async def _act(
    db: Database,
    user: int,
    course_id: int,
    action: str,
    view: StepView,
    choices: list[int] | None = None,
    language: str = "en",
) -> StepView:
    async with db.transaction() as session:
        return await walk.act(
            session,
            GUILD,
            user,
            course_id,
            action,
            view.position,
            language,
            START,
            verified=False,
            choices=choices,
        )


async def _start(db: Database, user: int, course_id: int, language: str = "en") -> StepView:
    async with db.transaction() as session:
        return await walk.start(session, GUILD, user, str(course_id), language, START, verified=False)


async def _through(
    db: Database, user: int, course_id: int, answers: dict[tuple[str, int], list[int]]
) -> StepView:
    """Walk forward, answering each question from ``answers`` (right answers by default)."""
    view = await _start(db, user, course_id)
    for _ in range(60):
        if view.kind == "question" and view.answered is None:
            picked = answers.get((view.part, view.question_number))
            if picked is None:
                picked = RIGHT[(view.part, view.question_number)]
            view = await _act(db, user, course_id, ANSWER, view, picked)
        elif view.can_next:
            view = await _act(db, user, course_id, NEXT, view)
        else:
            return view
    raise AssertionError("the walk did not end")


RIGHT = {
    ("pre", 1): [0],
    ("pre", 2): [0, 2],
    ("m1", 1): [0],
    ("m2", 1): [0, 2],
    ("post", 1): [0],
    ("post", 2): [0, 2],
}


async def test_walk_shows_one_step_at_a_time_and_keeps_the_place(db: Database) -> None:
    course_id = await _load(db)
    intro = await _start(db, ANA, course_id, "fr")
    assert intro.kind == "intro" and intro.course_title == "Cours court" and not intro.can_back
    assert intro.summary["pre"] == 2 and intro.total == 14
    first = await _act(db, ANA, course_id, NEXT, intro, language="fr")
    assert first.kind == "question" and first.part == "pre" and first.body == "Quelle unité mesure la dose ?"
    assert not first.can_next  # a question is answered before moving on
    stale = await _act(db, ANA, course_id, NEXT, intro)  # an old message's button: shows where she is
    assert stale.position == first.position
    answered = await _act(db, ANA, course_id, ANSWER, first, [1])
    assert answered.answered == (1,) and answered.correct is None and answered.explanation is None  # pre-test
    again = await _start(db, ANA, course_id)
    assert again.position == first.position and again.answered == (1,)
    back = await _act(db, ANA, course_id, BACK, again)
    assert back.kind == "intro"


async def test_several_right_options_count_only_when_exactly_chosen(db: Database) -> None:
    course_id = await _load(db)
    view = await _through(db, ANA, course_id, {("m2", 1): [0]})  # half right: wrong
    assert view.kind == "result" and view.part == "m2" and view.score == 0 and view.passed is False
    assert view.pass_mark == 50 and view.can_retry and not view.can_next
    async with db.transaction() as session:
        with pytest.raises(NotAllowed):
            await certificates.issue(session, GUILD, ANA, str(course_id), "Ana", START, verified=False)


async def test_explanation_after_each_answer_and_retry_until_pass(db: Database) -> None:
    course_id = await _load(db)
    view = await _through(db, ANA, course_id, {("m1", 1): [1]})
    assert (view.kind, view.part, view.score, view.passed) == ("result", "m1", 0, False)  # pass mark 100
    retried = await _act(db, ANA, course_id, RETRY, view)
    assert (
        retried.kind == "question"
        and retried.part == "m1"
        and retried.attempt == 2
        and retried.answered is None
    )
    answered = await _act(db, ANA, course_id, ANSWER, retried, [0])
    assert (
        answered.was_correct is True
        and answered.explanation == "Sievert is right."
        and answered.correct == (0,)
    )
    result = await _act(db, ANA, course_id, NEXT, answered)
    assert (result.score, result.passed, result.can_next) == (100, True, True)


async def test_completion_then_certificate_verified_and_forged_code_refused(db: Database) -> None:
    course_id = await _load(db)
    view = await _through(db, ANA, course_id, {})
    assert view.kind == "done" and view.completed
    async with db.transaction() as session:
        cert = await certificates.issue(
            session, GUILD, ANA, str(course_id), "Ana Silva", START, verified=False
        )
        same = await certificates.issue(
            session, GUILD, ANA, str(course_id), "Ana Silva", START, verified=False
        )
    assert cert.code == same.code and certificates.CODE_SHAPE.match(cert.code)
    async with db.transaction() as session:
        found = await certificates.verify(session, GUILD, cert.code.lower().replace("-", " "), verified=False)
        assert (found.withdrawn, found.member_name, found.course_title) == (
            False,
            "Ana Silva",
            "Short course",
        )
        forged = cert.code[:-1] + ("A" if cert.code[-1] != "A" else "B")
        with pytest.raises(NotFound):
            await certificates.verify(session, GUILD, forged, verified=False)
        with pytest.raises(NotFound):
            await certificates.verify(session, GUILD + 1, cert.code, verified=False)  # another server's
    async with db.transaction() as session:
        exported = await privacy.export(session, GUILD, ANA)
    assert exported["learn"]["certificates"][0]["code"] == cert.code
    assert len(exported["learn"]["progress"][0]["answers"]) == 6
    async with db.transaction() as session:
        await privacy.erase(session, GUILD, ANA)
    async with db.transaction() as session:
        after = await certificates.verify(session, GUILD, cert.code, verified=False)
        assert after.withdrawn and after.member_name is None
        assert await learn.progress_of(session, GUILD, ANA, verified=False) == []
        assert (await privacy.export(session, GUILD, ANA))["learn"] == {
            "progress": [],
            "certificates": [],
            "cohorts": [],
        }


async def test_amber_course_does_not_exist_for_unverified_members(db: Database) -> None:
    amber = await _load(db, AMBER_COURSE)
    await _load(db)
    async with db.transaction() as session:
        listed = await courses.listing(session, GUILD, ANA, verified=False)
        assert [c.title for c in listed] == ["Short course"]
        assert await courses.autocomplete(session, GUILD, "closed", verified=False) == []
        assert await courses.autocomplete(session, GUILD, "closed", verified=True) != []
        with pytest.raises(NotFound):
            await walk.start(session, GUILD, ANA, str(amber), "en", START, verified=False)
        with pytest.raises(NotFound):
            await walk.start(
                session, GUILD, ANA, "Closed course on sensitive procedures", "en", START, verified=False
            )


async def test_reloading_a_course_replaces_it_and_keeps_progress(db: Database) -> None:
    course_id = await _load(db)
    await _start(db, ANA, course_id)
    async with db.transaction() as session:
        again = await courses.load(
            session, GUILD, MOD, SHORT_COURSE.replace("Short course", "Short course v2"), START
        )
    assert again.course_id == course_id and not again.created
    view = await _start(db, ANA, course_id)
    assert view.course_title == "Short course v2"


async def _event(db: Database, starts: datetime, going: list[int]) -> int:
    async with db.transaction() as session:
        event = Event(
            guild_id=GUILD,
            title="Border workshop",
            starts_at=starts,
            timezone="UTC",
            duration_minutes=120,
            reminder_offsets="1d",
            materialized_until=starts,
        )
        session.add(event)
        await session.flush()
        for user in going:
            session.add(Rsvp(guild_id=GUILD, event_id=event.id, user_id=user, status="going"))
        return event.id


async def _due(db: Database, now: datetime) -> list[tuple[int, str]]:
    async with db.transaction() as session:
        return [(t.user_id, t.kind) for t in await cohorts.due(session, now)]


async def test_cohort_invite_reminder_and_post_test_each_once(db: Database) -> None:
    course_id = await _load(db)
    event_id = await _event(db, START + timedelta(days=3), [ANA, BEN])
    async with db.transaction() as session:
        assigned = await cohorts.assign(session, GUILD, MOD, str(course_id), str(event_id), "en")
    assert assigned.created and assigned.event_title == "Border workshop"
    assert await _due(db, START) == [(ANA, "invite"), (BEN, "invite")]
    assert await _due(db, START + timedelta(hours=1)) == []
    await _through(db, BEN, course_id, {})  # Ben finishes the course before the reminder
    day_before = START + timedelta(days=2, hours=1)
    assert await _due(db, day_before) == [(ANA, "remind")]
    assert await _due(db, day_before) == []
    after = START + timedelta(days=3, hours=3)
    assert sorted(await _due(db, after)) == [(ANA, "post"), (BEN, "post")]
    assert await _due(db, after + timedelta(hours=1)) == []


async def test_post_test_opens_after_the_cohorts_event(db: Database) -> None:
    course_id = await _load(db)
    event_id = await _event(db, START + timedelta(days=1), [ANA])
    async with db.transaction() as session:
        await cohorts.assign(session, GUILD, MOD, str(course_id), str(event_id), "en")
        await cohorts.due(session, START)
    view = await _through(db, ANA, course_id, {})
    assert view.kind == "result" and view.part == "m2" and view.locked_until is not None and not view.can_next
    assert view.completed  # the modules are done: the certificate does not wait for the post-test


async def test_after_the_event_a_cohort_member_starts_with_the_post_test(db: Database) -> None:
    course_id = await _load(db)
    event_id = await _event(db, START - timedelta(days=1), [BEN])  # held yesterday
    async with db.transaction() as session:
        await cohorts.assign(session, GUILD, MOD, str(course_id), str(event_id), "en")
        session.add(cohorts.CohortMember(guild_id=GUILD, assignment_id=1, user_id=BEN))
    view = await _start(db, BEN, course_id)  # never opened the course before the workshop
    assert (view.kind, view.part, view.question_number, view.locked_until) == ("question", "post", 1, None)
    view = await _through(db, BEN, course_id, {})
    assert view.kind == "done" and not view.completed  # the modules are still to do
    again = await _start(db, BEN, course_id)
    assert again.kind == "done" and again.can_resume  # the post-test taken, he is where he left off
    resumed = await _act(db, BEN, course_id, walk.RESUME, again)
    assert (resumed.kind, resumed.module_number) == ("lesson", 1)


async def test_cohort_report_matches_the_answers(db: Database) -> None:
    course_id = await _load(db)
    event_id = await _event(db, START - timedelta(days=1), [])  # held yesterday: post-test open
    # Ana: pre 0/2 right, post 2/2. Ben: pre 1/2 (q1 right), post 1/2 (q2 right). 13: never started.
    await _through(db, ANA, course_id, {("pre", 1): [1], ("pre", 2): [0]})
    await _through(db, BEN, course_id, {("pre", 2): [1], ("post", 1): [2]})
    async with db.transaction() as session:
        await cohorts.assign(session, GUILD, MOD, str(course_id), str(event_id), "en")
        for user in (ANA, BEN, 13):
            session.add(cohorts.CohortMember(guild_id=GUILD, assignment_id=1, user_id=user))
    async with db.transaction() as session:
        report = await cohorts.report(session, GUILD, str(course_id), str(event_id), "en")
    assert (report.members, report.started, report.completed) == (3, 2, 2)
    assert (report.pre_taken, report.pre_mean, report.post_taken, report.post_mean) == (2, 25, 2, 75)
    q1, q2 = report.questions
    assert (q1.pre_right, q1.post_right, q1.gain, q1.paired) == (50, 50, 0, 2)
    assert (q2.pre_right, q2.post_right, q2.gain) == (0, 100, 100)
    rows = {r.user_id: (r.pre_score, r.post_score, r.completed) for r in report.rows}
    assert rows == {ANA: (0, 100, True), BEN: (50, 50, True), 13: (None, None, False)}
    async with db.transaction() as session:
        everyone = await cohorts.report(session, GUILD, str(course_id), None, "fr")
    assert everyone.members == 2 and everyone.course_title == "Cours court"


async def test_amber_course_is_never_sent_to_an_unverified_member(db: Database) -> None:
    course_id = await _load(db, AMBER_COURSE)
    event_id = await _event(db, START + timedelta(days=3), [ANA])
    async with db.transaction() as session:
        await cohorts.assign(session, GUILD, MOD, str(course_id), str(event_id), "en")
    assert await _due(db, START) == []
    assert await _due(db, START + timedelta(days=3, hours=3)) == []


def test_cohort_csv_cells_never_run_as_formulas() -> None:
    from bot.services.resources.transfer import guard  # the one CSV rule, shared with the library's
    from cogs.learn._render import cohort_csv

    for dangerous in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"):
        assert guard(dangerous) == "'" + dangerous
    assert guard("Ana") == "Ana"
    report = cohorts.Report(1, "=HYPERLINK(x)", "+event", 5, members=1)
    report.rows.append(cohorts.MemberRow(ANA, True, False, 2, None, 50))
    data = cohort_csv(lambda key, **_: key, report, {ANA: "@ana"}).decode("utf-8-sig")
    assert "'=HYPERLINK(x)" in data and "'+event" in data and "'@ana" in data
    assert not any(cell[:1] in "=+-@" for line in data.splitlines() for cell in line.split(",") if cell)


def test_certificate_pdf_names_member_course_date_and_code() -> None:
    from cogs.learn import _certificate

    issued = certificates.Issued(
        "LRN-ABCD-EFGH-JKLM",
        "Дмитрий Émile",
        "Short course",
        {"en": "Short course", "fr": "Cours court"},
        START,
        "TLP:GREEN",
    )
    pdf = _certificate.render(issued)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert _certificate.filename(issued) == "certificate-LRN-ABCD-EFGH-JKLM.pdf"


async def test_a_course_is_found_by_id_title_or_a_unique_part_of_it(db: Database) -> None:
    course_id = await _load(db)
    await _load(db, AMBER_COURSE)
    async with db.transaction() as session:
        for typed in (str(course_id), f"#{course_id}", "Short course", "short", "SHORT COURSE"):
            assert (await courses.resolve(session, GUILD, typed, verified=False)).id == course_id
        with pytest.raises(NotFound):
            await courses.resolve(session, GUILD, "course", verified=True)  # two courses have it
        with pytest.raises(NotFound):
            await courses.resolve(session, GUILD, "9" * 6000, verified=True)  # not an id, not a title
        assert (await courses.resolve(session, GUILD, "course", verified=False)).id == course_id


async def test_an_amber_courses_certificate_does_not_exist_for_unverified_members(db: Database) -> None:
    course_id = await _load(db, AMBER_COURSE)
    async with db.transaction() as session:
        view = await walk.start(session, GUILD, MOD, str(course_id), "en", START, verified=True)
        while view.can_next:
            view = await walk.act(
                session, GUILD, MOD, course_id, NEXT, view.position, "en", START, verified=True
            )
        cert = await certificates.issue(session, GUILD, MOD, str(course_id), "Mod", START, verified=True)
        assert (await certificates.verify(session, GUILD, cert.code, verified=True)).course_title is not None
        with pytest.raises(NotFound):
            await certificates.verify(session, GUILD, cert.code, verified=False)
