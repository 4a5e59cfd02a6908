"""Tabletop exercises through the sandbox: a whole exercise with two teams at high speed, what each
member can see, the report; pause/resume, ad hoc injects, AMBER assignment; a restart mid-exercise."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.sandbox.harness import LiaisonSandbox

SCENARIO = """\
title: Border drill
label: TLP:GREEN
briefing: A truck at the border crossing.
teams:
  - name: Customs
    description: Border officers
  - name: Police
injects:
  - time: T+00:00
    to: all
    title: Start of play
    text: Everyone reads the briefing.
  - time: T+00:10
    to: Customs
    id: alarm
    title: Portal alarm
    text: CUSTOMS-ONLY gamma alarm on lane 2.
    expected: [EXPECTED-SECRET stop the truck]
    notes: NOTES-SECRET the source is in the toolbox
  - time: T+00:20
    to: Police
    title: Driver runs
    text: POLICE-ONLY the driver walks away.
    expected: [EXPECTED-POLICE detain him]
  - time: T+00:30
    to: all
    title: Hand-over
    text: BOTH-TEAMS the regulator arrives.
hotwash:
  - What went well?
  - Which improvement first, who, by when?
"""


def _bot(sandbox: LiaisonSandbox) -> int:
    assert sandbox.bot is not None and sandbox.bot.user is not None
    return sandbox.bot.user.id


def _threads(sandbox: LiaisonSandbox) -> dict[str, Any]:
    return {t.name.split(" · ")[-1]: t for t in sandbox.threads(sandbox.channels.general)}


def _posts(sandbox: LiaisonSandbox, thread: Any) -> list[Any]:
    return [m for m in sandbox.messages(thread) if m.author_id == _bot(sandbox)]


def _injects(sandbox: LiaisonSandbox, thread: Any) -> list[str]:
    return [m.content for m in _posts(sandbox, thread) if "inject #" in m.content]


def _added(sandbox: LiaisonSandbox, thread: Any) -> set[int]:
    """Members the bot added to a thread (PUT thread-members/{user_id})."""
    pattern = re.compile(rf"/channels/{thread.id}/thread-members/(\d+)$")
    return {
        int(match.group(1))
        for r in sandbox.requests
        if r.method == "PUT" and (match := pattern.search(r.path)) is not None
    }


def _seen(sandbox: LiaisonSandbox, user: Any) -> str:
    """Everything ``user`` can read in the exercise's threads (the sandbox's visibility rules)."""
    return " ".join(m.content for t in _threads(sandbox).values() for m in sandbox.messages(t, user=user))


async def _load(sandbox: LiaisonSandbox, text: str = SCENARIO, **options: Any) -> str:
    loaded = await sandbox.slash(
        "exercise load", user=sandbox.users.alice, scenario=("drill.yaml", text.encode()), **options
    )
    assert loaded.ephemeral and "Loaded exercise #" in (loaded.content or ""), loaded.content
    found = re.search(r"#(\d+)", loaded.content or "")
    assert found is not None
    return found.group(1)


async def _setup(sandbox: LiaisonSandbox) -> str:
    users = sandbox.users
    setup = await sandbox.slash("liaison setup", user=users.alice, exercises_channel=sandbox.channels.general)
    assert "Exercises channel" in str(setup.embeds), setup.embeds
    exercise = await _load(sandbox)
    sandbox.add_member("frank")
    for member, team, role in (
        (users.frank, "Customs", None),
        (users.eve, "Police", None),
        (users.carol, "Customs", "controller"),
        (users.dmitri, "all", "observer"),
    ):
        options = {"role": role} if role else {}
        done = await sandbox.slash(
            "exercise assign", user=users.alice, exercise=exercise, member=member, team=team, **options
        )
        assert done.ephemeral and "Border drill" in (done.content or ""), done.content
    return exercise


async def test_full_exercise_two_teams_at_high_speed(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    exercise = await _setup(sandbox)
    refused = await sandbox.slash("exercise start", user=users.frank, exercise=exercise)
    assert refused.ephemeral and "facilitators" in (refused.content or "")
    started = await sandbox.slash("exercise start", user=users.alice, exercise=exercise, speed=300)
    assert started.ephemeral and "has started" in (started.content or ""), started.content
    threads = _threads(sandbox)
    customs, police, control = threads["Customs"], threads["Police"], threads["control"]
    assert all(t.type == 12 for t in (customs, police, control))  # private threads
    assert users.frank.id in _added(sandbox, customs) and users.frank.id not in _added(sandbox, police)
    assert users.eve.id in _added(sandbox, police) and users.eve.id not in _added(sandbox, customs)
    assert users.carol.id in _added(sandbox, customs) | _added(sandbox, police)
    assert users.dmitri.id in _added(sandbox, control)
    assert users.dmitri.id not in _added(sandbox, customs) | _added(sandbox, police)
    assert users.frank.id not in _added(sandbox, control) and users.eve.id not in _added(sandbox, control)
    control_text = " ".join(m.content for m in _posts(sandbox, control))
    assert "EXPECTED-SECRET" in control_text and "NOTES-SECRET" in control_text

    # T+00:30 at speed 300 is 6 real seconds after the start
    await sandbox.wait_for(lambda: len(_injects(sandbox, police)) == 3, timeout=15)
    await sandbox.wait_for(lambda: len(_injects(sandbox, customs)) == 3, timeout=5)
    customs_text = " ".join(_injects(sandbox, customs))
    police_text = " ".join(_injects(sandbox, police))
    assert "CUSTOMS-ONLY" in customs_text and "POLICE-ONLY" not in customs_text
    assert "POLICE-ONLY" in police_text and "CUSTOMS-ONLY" not in police_text
    team_text = " ".join(m.content for t in (customs, police) for m in sandbox.messages(t))
    assert "SECRET" not in team_text and "EXPECTED-POLICE" not in team_text
    # what each member can observe, by the sandbox's visibility of private threads
    assert sandbox.can_view(customs, users.frank) and not sandbox.can_view(police, users.frank)
    assert sandbox.can_view(police, users.eve) and not sandbox.can_view(customs, users.eve)
    assert not sandbox.can_view(control, users.frank) and not sandbox.can_view(control, users.eve)
    assert sandbox.can_view(control, users.dmitri) and sandbox.can_view(control, users.carol)
    frank_sees, eve_sees = _seen(sandbox, users.frank), _seen(sandbox, users.eve)
    assert "CUSTOMS-ONLY" in frank_sees and "POLICE-ONLY" not in frank_sees
    assert "POLICE-ONLY" in eve_sees and "CUSTOMS-ONLY" not in eve_sees
    for player_sees in (frank_sees, eve_sees):
        assert "SECRET" not in player_sees and "EXPECTED-" not in player_sees
    assert "NOTES-SECRET" in _seen(sandbox, users.dmitri)
    assert all("T+00:" in m and "<t:" in m for m in _injects(sandbox, customs))
    assert [re.search(r"T\+\d\d:\d\d", m).group(0) for m in _injects(sandbox, customs)] == [  # type: ignore[union-attr]
        "T+00:00",
        "T+00:10",
        "T+00:30",
    ]
    inject_posts = [m for m in _posts(sandbox, customs) if "inject #" in m.content]
    assert all(m.nonce and str(m.nonce).startswith("liaison-x") for m in inject_posts)
    await sandbox.wait_for(lambda: len([m for m in _posts(sandbox, control) if "inject #" in m.content]) == 4)

    # decisions: the command in the team's thread, and the button under an inject
    decided = await sandbox.slash(
        "exercise decision", user=users.frank, channel=customs, text="Stop the <@1> truck"
    )
    assert not decided.ephemeral and "Decision logged" in (decided.content or ""), decided.content
    elsewhere = await sandbox.slash("exercise decision", user=users.frank, text="wrong place")
    assert elsewhere.ephemeral and "team's exercise thread" in (elsewhere.content or "")
    intruder = await sandbox.slash("exercise decision", user=users.eve, channel=customs, text="not my team")
    assert intruder.ephemeral
    form = await sandbox.click(inject_posts[1], label="Log decision", user=users.frank)
    logged = await sandbox.submit_modal(
        form, {"decision": "Secondary inspection with the RIID"}, user=users.frank
    )
    assert any("Decision logged" in m.content for m in logged.responses), logged.responses
    assert any("Secondary inspection" in m.content for m in _posts(sandbox, control))

    observed = await sandbox.slash(
        "exercise observe",
        user=users.dmitri,
        exercise=exercise,
        note="Truck stopped late",
        inject="alarm",
        rating="partly",
    )
    assert observed.ephemeral and "Observation recorded" in (observed.content or ""), observed.content
    not_observer = await sandbox.slash("exercise observe", user=users.eve, exercise=exercise, note="x")
    assert not_observer.ephemeral and "observers" in (not_observer.content or "")

    ended = await sandbox.slash("exercise end", user=users.carol, exercise=exercise)
    assert ended.ephemeral and "ended" in (ended.content or ""), ended.content
    call = [m for m in _posts(sandbox, customs) if "Hot wash" in m.content][-1]
    form = await sandbox.click(call, label="Answer the hot wash", user=users.frank)
    saved = await sandbox.submit_modal(
        form,
        {"q1": "Fast alarm <script>alert(1)</script>", "q2": "Train on RIIDs, customs, March"},
        user=users.frank,
    )
    assert any("answers are saved" in m.content for m in saved.responses), saved.responses

    report = await sandbox.slash("exercise report", user=users.alice, exercise=exercise)
    assert report.ephemeral
    files = dict(report.files)
    markdown = files[f"exercise-{exercise}-report.md"].decode()
    html = files[f"exercise-{exercise}-report.html"].decode()
    assert markdown.startswith("**TLP:GREEN**") and "TLP:GREEN" in html.split("<h1>")[0]
    for text in (markdown, html):
        assert "Secondary inspection" in text and "Truck stopped late" in text and "partly met" in text
        assert "Train on RIIDs" in text and "Improvement plan" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    timeline = re.findall(r"Inject #(\d+): ([^(|]+?) \(to", markdown)
    assert [(n, t.strip()) for n, t in timeline] == [
        ("1", "Start of play"),
        ("2", "Portal alarm"),
        ("3", "Driver runs"),
        ("4", "Hand\\-over"),
    ]
    remind = await sandbox.click(report, label="Remind me of the improvement items", user=users.alice)
    assert any("2 reminders planned" in m.content for m in remind.responses), remind.responses
    refused_report = await sandbox.slash("exercise report", user=users.frank, exercise=exercise)
    assert refused_report.ephemeral and not refused_report.files


async def test_pause_resume_ad_hoc_inject_info_and_list(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    exercise = await _setup(sandbox)
    await sandbox.slash("exercise start", user=users.alice, exercise=exercise, speed=1)
    threads = _threads(sandbox)
    await sandbox.wait_for(lambda: len(_injects(sandbox, threads["Police"])) == 1)
    paused = await sandbox.slash("exercise pause", user=users.alice, exercise=exercise)
    assert "paused at **T+00:00**" in (paused.content or ""), paused.content
    await sandbox.advance(timedelta(hours=1))  # paused: nothing is due
    assert len(_injects(sandbox, threads["Police"])) == 1
    info = await sandbox.slash("exercise info", user=users.eve, exercise=exercise)
    assert info.ephemeral and "paused" in str(info.embeds) and "T+00:00" in str(info.embeds)
    resumed = await sandbox.slash("exercise resume", user=users.alice, exercise=exercise)
    assert "resumes at **T+00:00**" in (resumed.content or ""), resumed.content
    await sandbox.advance(timedelta(minutes=10, seconds=2))
    assert len(_injects(sandbox, threads["Customs"])) == 2 and len(_injects(sandbox, threads["Police"])) == 1
    adhoc = await sandbox.slash(
        "exercise inject", user=users.carol, exercise=exercise, text="ADHOC the minister calls", team="Police"
    )
    assert adhoc.ephemeral and "goes out now" in (adhoc.content or ""), adhoc.content
    await sandbox.wait_for(lambda: any("ADHOC" in m for m in _injects(sandbox, threads["Police"])))
    assert not any("ADHOC" in m for m in _injects(sandbox, threads["Customs"]))
    forced = await sandbox.slash("exercise inject", user=users.alice, exercise=exercise)  # the next one: #3
    assert "#3" in (forced.content or ""), forced.content
    await sandbox.wait_for(lambda: any("POLICE-ONLY" in m for m in _injects(sandbox, threads["Police"])))
    late_joiner = sandbox.add_member("gina")
    joined = await sandbox.slash(
        "exercise assign", user=users.carol, exercise=exercise, member=late_joiner, team="Police"
    )
    assert "player (Police)" in (joined.content or ""), joined.content
    assert late_joiner.id in _added(sandbox, threads["Police"])
    assert late_joiner.id not in _added(sandbox, threads["Customs"]) | _added(sandbox, threads["control"])
    listed = await sandbox.slash("exercise list", user=users.eve)
    assert "Border drill" in (listed.content or "") and "running" in (listed.content or "")
    choices = await sandbox.autocomplete("exercise info", "exercise", "bord", user=users.eve)
    assert choices and choices[0]["value"] == exercise
    # the timeline's inject titles are offered to facilitators and observers, never to players
    staff = await sandbox.autocomplete("exercise inject", "inject", "", user=users.dmitri, exercise=exercise)
    assert any("Portal alarm" in c["name"] for c in staff)
    assert (
        await sandbox.autocomplete("exercise inject", "inject", "", user=users.eve, exercise=exercise) == []
    )


async def test_amber_scenario_only_for_verified_members_and_bad_files(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    amber = await _load(sandbox, SCENARIO.replace("TLP:GREEN", "TLP:AMBER"))
    refused = await sandbox.slash(
        "exercise assign", user=users.alice, exercise=amber, member=users.eve, team="Police"
    )
    assert refused.ephemeral and "verified" in (refused.content or ""), refused.content
    listed = await sandbox.slash("exercise list", user=users.eve)
    assert "Border drill" not in (listed.content or "")
    hidden = await sandbox.slash("exercise info", user=users.eve, exercise=amber)
    assert hidden.ephemeral and "No exercise" in (hidden.content or "")
    bad = await sandbox.slash(
        "exercise load", user=users.alice, scenario=("bad.yaml", b"title: x\nlabel: TLP:RED\nteams: []\n")
    )
    assert bad.ephemeral and "refused" in (bad.content or "") and "line 2" in (bad.content or ""), bad.content
    member_load = await sandbox.slash(
        "exercise load", user=users.eve, scenario=("drill.yaml", SCENARIO.encode())
    )
    assert member_load.ephemeral and "moderators" in (member_load.content or "")
    sandbox.fail_next("/threads", status=403, method="POST")
    refused_threads = await sandbox.slash(
        "exercise start", user=users.alice, exercise=amber, channel=sandbox.channels.events
    )
    assert refused_threads.ephemeral and "private threads" in (refused_threads.content or ""), (
        refused_threads.content
    )
    assert not sandbox.threads(sandbox.channels.events)
    here = await sandbox.slash(
        "exercise start", user=users.alice, exercise=amber, channel=sandbox.channels.events
    )
    assert "has started" in (here.content or ""), here.content  # no channel set: where it was run
    assert [t.name for t in sandbox.threads(sandbox.channels.events)][-1].endswith("· control")


@pytest.mark.engines  # injects claimed across a restart
async def test_restart_mid_exercise_every_inject_once_in_order(sandbox: LiaisonSandbox) -> None:
    users = sandbox.users
    exercise = await _setup(sandbox)
    await sandbox.slash("exercise start", user=users.alice, exercise=exercise, speed=1)
    threads = _threads(sandbox)
    await sandbox.wait_for(lambda: len(_injects(sandbox, threads["Customs"])) == 1)
    await sandbox.advance(timedelta(minutes=10, seconds=1))
    assert len(_injects(sandbox, threads["Customs"])) == 2
    assert sandbox.bot is not None
    clock = sandbox.bot.clock
    await sandbox.kill_bot()
    clock.advance(timedelta(minutes=10, seconds=30))  # T+00:20 falls due while the bot is down
    await sandbox.start_bot()
    await sandbox.wait_for(lambda: len(_injects(sandbox, threads["Police"])) == 2, timeout=10)
    assert "(late)" in _injects(sandbox, threads["Police"])[1]
    await sandbox.restart_bot()
    await sandbox.restart_bot(kill=True)
    await sandbox.recovered()
    info = await sandbox.slash("exercise info", user=users.alice, exercise=exercise)
    assert "T+00:20" in str(info.embeds)  # the clock carried on from where it was
    await sandbox.advance(timedelta(minutes=10))
    await sandbox.wait_for(lambda: len(_injects(sandbox, threads["Customs"])) == 3)
    await sandbox.quiet(0.3)
    for team, expected in (
        ("Customs", ["T+00:00", "T+00:10", "T+00:30"]),
        ("Police", ["T+00:00", "T+00:20", "T+00:30"]),
    ):
        shown = [re.search(r"T\+\d\d:\d\d", m).group(0) for m in _injects(sandbox, threads[team])]  # type: ignore[union-attr]
        assert shown == expected, (team, shown)
    control = [m for m in _injects(sandbox, threads["control"])]
    assert len(control) == 4
