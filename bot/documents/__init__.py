"""Human-written document files (scenarios, courses): YAML read with line numbers, validated in full.

A facilitator writes a file in a text editor; Liaison must then tell them *every* mistake at once,
each with its line, rather than stop at the first. This module is the shared, format-agnostic part:

- :func:`parse_yaml` reads YAML (PyYAML, safe loader) into :class:`Node` values that remember the
  line where each value starts (mappings, lists and scalars alike), plus the scalar's raw text so
  that ``time: 01:20`` or ``no`` are not silently turned into a number or a boolean.
- :class:`Checker` offers typed helpers (``mapping``, ``text``, ``bilingual``, ``integer``,
  ``choice``, ``items``, ``resource_ids``…) that return the converted value or ``None`` and
  *collect* a :class:`Problem` (line, location, code, parameters) for each mistake.
- :class:`Bilingual` is a text given either as one string or as ``{en: …, fr: …}``.

Problems carry a code and parameters; :meth:`Problem.message` renders them in English (the command
line) or through a translation function (the bot, in the caller's language, keys
``document.error.<code>`` in the catalogs). Nothing here imports discord or touches a database.
"""

from bot.documents.bilingual import Bilingual
from bot.documents.checker import Checker
from bot.documents.nodes import MAX_NODES, Node, parse_yaml, walk
from bot.documents.problems import ENGLISH, LANGUAGES, DocumentInvalid, Problem, register_messages

__all__ = [
    "ENGLISH",
    "LANGUAGES",
    "MAX_NODES",
    "Bilingual",
    "Checker",
    "DocumentInvalid",
    "Node",
    "Problem",
    "parse_yaml",
    "register_messages",
    "walk",
]
