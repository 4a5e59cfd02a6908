"""Scenario files of tabletop exercises: the format, its parser and its validation.

A scenario is a YAML file a facilitator writes in a text editor (see the README's facilitator's
guide and the two samples in ``bot/exercises/scenarios/``)::

    title: Radioactive source found at a land border      # a text, or {en: …, fr: …}
    label: TLP:GREEN                                      # sharing label (TLP:RED refused)
    language: en                                          # language of plain texts (en, fr)
    briefing: …                                           # read by everyone at the start
    teams:
      - name: Customs
        description: Border crossing point staff
        language: en                                      # optional: the team's language
    injects:
      - time: T+00:10                                     # exercise time, T+HH:MM
        to: Customs                                       # a team, a list of teams, or all
        id: alarm                                         # optional short name
        title: Portal monitor alarm
        text: A truck sets off the radiation portal monitor…
        resources: [3, 7]                                 # library resources by id
        expected: [Stop the vehicle, Secondary inspection]
        notes: Controllers only.
    hotwash: [What went well?]                            # optional; defaults when absent

Every mistake is reported with its line (``bot.documents``); a valid file becomes a frozen
:class:`Scenario`, which is also what the database keeps (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.documents import Bilingual, Checker, DocumentInvalid, Node, parse_yaml, register_messages
from bot.errors import Invalid
from bot.services import labels

MAX_TEAMS = 12
MAX_INJECTS = 300
MAX_EXPECTED = 12
MAX_HOURS = 99
MAX_HOTWASH = 5  # a Discord form holds five fields
ALL = "all"
ALL_WORDS = ("all", "tous", "toutes", "*")

_TIME = re.compile(r"^\s*(?:T\s*\+\s*)?(\d{1,2}):([0-5]\d)\s*$", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")

DEFAULT_HOTWASH: tuple[Bilingual, ...] = (
    Bilingual({"en": "What went well?", "fr": "Qu'est-ce qui a bien fonctionné ?"}),
    Bilingual(
        {"en": "What did not go well, and why?", "fr": "Qu'est-ce qui n'a pas fonctionné, et pourquoi ?"}
    ),
    Bilingual(
        {
            "en": "What should change in our plans, procedures or training?",
            "fr": "Que faut-il changer dans nos plans, procédures ou formations ?",
        }
    ),
    Bilingual(
        {
            "en": "Which improvement should come first, who owns it, and by when?",
            "fr": "Quelle amélioration faut-il mener en premier, par qui, et pour quand ?",
        }
    ),
)

# English problem wording specific to scenarios (catalog keys ``document.error.<code>`` as well).
SCENARIO_PROBLEMS = {
    "exercise_time": "'{value}' is not an exercise time (T+HH:MM, such as T+01:20)",
    "exercise_team": "unknown team '{value}' (teams: {teams})",
    "exercise_key": "'{value}' is not a short name (letters, digits, - _ .; at most 40)",
    "exercise_label": "'{value}' is not a sharing label (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT)",
    "exercise_red": "TLP:RED is refused: Liaison does not store material meant only for named recipients",
}
register_messages(SCENARIO_PROBLEMS)


def format_offset(seconds: float) -> str:
    """``T+01:20`` (exercise time; hours may exceed 24)."""
    total = max(0, int(seconds)) // 60
    return f"T+{total // 60:02d}:{total % 60:02d}"


def parse_offset(text: str) -> int | None:
    """``T+01:20``, ``t+1:20`` or ``01:20`` -> seconds; None when not an exercise time."""
    match = _TIME.match(text or "")
    if match is None:
        return None
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


@dataclass(frozen=True)
class Team:
    name: str
    description: Bilingual | None = None
    language: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description.to_json() if self.description else None,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Team:
        description = value.get("description")
        return cls(
            value["name"], Bilingual.from_json(description) if description else None, value.get("language")
        )


@dataclass(frozen=True)
class Inject:
    number: int  # 1-based, in exercise-time order
    offset: int  # seconds of exercise time
    teams: tuple[str, ...]  # empty: every team
    title: Bilingual
    text: Bilingual
    key: str | None = None
    resources: tuple[int, ...] = ()
    expected: tuple[Bilingual, ...] = ()
    notes: Bilingual | None = None
    line: int | None = None

    @property
    def time(self) -> str:
        return format_offset(self.offset)

    def goes_to(self, team: str) -> bool:
        return not self.teams or team in self.teams

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "offset": self.offset,
            "teams": list(self.teams),
            "title": self.title.to_json(),
            "text": self.text.to_json(),
            "key": self.key,
            "resources": list(self.resources),
            "expected": [e.to_json() for e in self.expected],
            "notes": self.notes.to_json() if self.notes else None,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Inject:
        return cls(
            number=int(value["number"]),
            offset=int(value["offset"]),
            teams=tuple(value.get("teams") or ()),
            title=Bilingual.from_json(value["title"]),
            text=Bilingual.from_json(value["text"]),
            key=value.get("key"),
            resources=tuple(int(r) for r in value.get("resources") or ()),
            expected=tuple(Bilingual.from_json(e) for e in value.get("expected") or ()),
            notes=Bilingual.from_json(value["notes"]) if value.get("notes") else None,
            line=value.get("line"),
        )


@dataclass(frozen=True)
class Scenario:
    title: Bilingual
    label: str
    language: str
    briefing: Bilingual
    teams: tuple[Team, ...]
    injects: tuple[Inject, ...]
    hotwash: tuple[Bilingual, ...] = DEFAULT_HOTWASH
    duration: int = 0  # seconds of exercise time; at least the last inject's time

    def team(self, name: str) -> Team | None:
        """A team by name, case-insensitive."""
        folded = name.strip().casefold()
        return next((t for t in self.teams if t.name.casefold() == folded), None)

    def inject(self, reference: str) -> Inject | None:
        """An inject by number (``3``, ``#3``) or short name."""
        cleaned = reference.strip().lstrip("#")
        for inject in self.injects:
            if cleaned == str(inject.number) or (inject.key and cleaned.casefold() == inject.key.casefold()):
                return inject
        return None

    def team_language(self, team: Team) -> str:
        return team.language or self.language

    def resource_ids(self) -> list[int]:
        return sorted({r for inject in self.injects for r in inject.resources})

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title.to_json(),
            "label": self.label,
            "language": self.language,
            "briefing": self.briefing.to_json(),
            "teams": [t.to_json() for t in self.teams],
            "injects": [i.to_json() for i in self.injects],
            "hotwash": [q.to_json() for q in self.hotwash],
            "duration": self.duration,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Scenario:
        return cls(
            title=Bilingual.from_json(value["title"]),
            label=value["label"],
            language=value.get("language") or "en",
            briefing=Bilingual.from_json(value["briefing"]),
            teams=tuple(Team.from_json(t) for t in value["teams"]),
            injects=tuple(Inject.from_json(i) for i in value["injects"]),
            hotwash=tuple(Bilingual.from_json(q) for q in value.get("hotwash") or ()) or DEFAULT_HOTWASH,
            duration=int(value.get("duration") or 0),
        )


def parse_scenario(text: str | bytes) -> Scenario:
    """Read and validate a scenario file; raises ``DocumentInvalid`` with every problem found."""
    root, problems = parse_yaml(text)
    checker = Checker(problems)
    if root is None:
        checker.raise_if_any()
        raise AssertionError("unreachable")
    scenario = _read(root, checker)
    checker.raise_if_any()
    assert scenario is not None
    return scenario


def _read(root: Node, checker: Checker) -> Scenario | None:
    fields = checker.mapping(
        root,
        required=("title", "label", "briefing", "teams", "injects"),
        optional=("language", "hotwash", "duration", "description"),
    )
    if fields is None:
        return None
    language = checker.language(fields.get("language")) if "language" in fields else "en"
    checker.default_language = language or "en"
    title = checker.bilingual(fields.get("title"), max_length=200)
    label = _label(checker, fields.get("label"))
    briefing = checker.bilingual(fields.get("briefing"), max_length=4000)
    teams = _teams(checker, fields.get("teams"))
    names: dict[str, str] = {}
    for team in teams:
        names.setdefault(team.name.casefold(), team.name)
    injects = _injects(checker, fields.get("injects"), names)
    hotwash: tuple[Bilingual, ...] = DEFAULT_HOTWASH
    if fields.get("hotwash") is not None:
        questions = [
            checker.bilingual(q, max_length=300)
            for q in checker.items(fields["hotwash"], minimum=1, maximum=MAX_HOTWASH)
        ]
        hotwash = tuple(q for q in questions if q is not None) or DEFAULT_HOTWASH
    last = max((inject.offset for inject in injects), default=0)
    duration = last
    if fields.get("duration") is not None:
        given = _time(checker, fields["duration"])
        duration = max(last, given or 0)
    if title is None or label is None or briefing is None or not checker.ok:
        return None
    return Scenario(title, label, language or "en", briefing, tuple(teams), tuple(injects), hotwash, duration)


def _label(checker: Checker, node: Node | None) -> str | None:
    value = checker.text(node, max_length=40)
    if value is None:
        return None
    try:
        return labels.parse(value).value
    except Invalid as exc:
        code = "exercise_red" if exc.key == "label.red_refused" else "exercise_label"
        checker.error(node, code, value=value)
        return None


def _time(checker: Checker, node: Node) -> int | None:
    raw = checker.text(node, max_length=20)
    if raw is None:
        return None
    seconds = parse_offset(raw)
    if seconds is None or seconds > MAX_HOURS * 3600:
        checker.error(node, "exercise_time", value=raw)
        return None
    return seconds


def _teams(checker: Checker, node: Node | None) -> list[Team]:
    teams: list[Team] = []
    seen: list[tuple[str, Node]] = []
    for item in checker.items(node, minimum=1, maximum=MAX_TEAMS):
        fields = checker.mapping(item, required=("name",), optional=("description", "language"))
        if fields is None:
            continue
        name = checker.text(fields.get("name"), max_length=60)
        description = checker.bilingual(fields.get("description"), required=False, max_length=1000)
        language = checker.language(fields.get("language")) if "language" in fields else None
        if name is None:
            continue
        if name.casefold() in ALL_WORDS:
            checker.error(fields["name"], "choice", value=name, allowed="(not 'all')")
            continue
        seen.append((name, fields["name"]))
        teams.append(Team(name, description, language))
    checker.unique(seen)
    return teams


def _injects(checker: Checker, node: Node | None, names: dict[str, str]) -> list[Inject]:
    drafts: list[dict[str, Any]] = []
    keys: list[tuple[str, Node]] = []
    for item in checker.items(node, minimum=1, maximum=MAX_INJECTS):
        fields = checker.mapping(
            item,
            required=("time", "title", "text"),
            optional=("to", "teams", "id", "resources", "expected", "notes"),
        )
        if fields is None:
            continue
        offset = _time(checker, fields["time"]) if "time" in fields else None
        title = checker.bilingual(fields.get("title"), max_length=200)
        text = checker.bilingual(fields.get("text"), max_length=1500)
        teams = _recipients(checker, fields.get("to") or fields.get("teams"), names)
        key = None
        if fields.get("id") is not None:
            key = checker.text(fields["id"], max_length=40)
            if key is not None and not _KEY.match(key):
                checker.error(fields["id"], "exercise_key", value=key)
                key = None
            elif key is not None:
                keys.append((key, fields["id"]))
        resources = checker.resource_ids(fields.get("resources"))
        expected: list[Bilingual] = []
        if fields.get("expected") is not None:
            entries = [fields["expected"]] if not fields["expected"].is_list() else None
            for entry in entries or checker.items(fields["expected"], maximum=MAX_EXPECTED):
                value = checker.bilingual(entry, max_length=500)
                if value is not None:
                    expected.append(value)
        notes = checker.bilingual(fields.get("notes"), required=False, max_length=1000)
        if offset is None or title is None or text is None or teams is None:
            continue
        drafts.append(
            {
                "offset": offset,
                "teams": teams,
                "title": title,
                "text": text,
                "key": key,
                "resources": tuple(resources),
                "expected": tuple(expected),
                "notes": notes,
                "line": item.line,
            }
        )
    checker.unique(keys)
    drafts.sort(key=lambda d: (d["offset"], d["line"]))  # stable: same time keeps file order
    return [Inject(number=index, **draft) for index, draft in enumerate(drafts, start=1)]


def _recipients(checker: Checker, node: Node | None, names: dict[str, str]) -> tuple[str, ...] | None:
    """``all`` (or absent) -> ``()``; a team or a list of teams -> their names as declared."""
    if node is None or node.value is None:
        return ()
    elements = node.value if node.is_list() else [node]
    found: list[str] = []
    ok = True
    for element in elements:
        value = checker.text(element, max_length=60)
        if value is None:
            ok = False
            continue
        if value.casefold() in ALL_WORDS:
            return ()
        name = names.get(value.casefold())
        if name is None:
            if names:  # teams themselves broken: said once, there
                checker.error(element, "exercise_team", value=value, teams=", ".join(names.values()))
            ok = False
            continue
        if name not in found:
            found.append(name)
    return tuple(found) if ok else None


def describe_problems(error: DocumentInvalid, translate: Any = None, *, line_word: str = "line") -> list[str]:
    """Every problem of a refused file, one line each, in line order."""
    return [problem.describe(translate, line_word=line_word) for problem in error.problems]
