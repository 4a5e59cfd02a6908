"""Events: create, edit, cancel, list, RSVP with a capacity and a waiting list; one package.

The plain values it takes and gives (``values``), the checks on what a moderator types
(``validation``), finding events (``finding``), an event's life (``lifecycle``), members' answers
(``answers``), what the commands show (``reading``) and the member-data hooks (``member_data``).
Callers use the package: ``events.create(...)``, ``events.Counts``. The functions a cog calls own
their unit of work (``bot.db.unit``): called with the database, each runs in one transaction.
"""

from __future__ import annotations

from bot.db.models.events import GOING, MAYBE, NOT_GOING, WAITING
from bot.services.events.answers import (
    STATUSES,
    Answered,
    answer,
    answer_languages,
    attendee_ids,
    counts,
    members_with,
    my_status,
    my_statuses,
    promote_after_capacity_change,
    rsvp,
)
from bot.services.events.finding import (
    AUTOCOMPLETE_LIMIT,
    autocomplete,
    get,
    get_open,
    next_start,
    parse_ref,
    upcoming,
)
from bot.services.events.lifecycle import cancel, create, edit, set_announcement
from bot.services.events.member_data import erase_member, export_member, stats
from bot.services.events.reading import (
    Cancelling,
    Card,
    Details,
    Programme,
    calendar_entry,
    cancelling,
    card,
    details,
    listing,
    programme,
)
from bot.services.events.validation import (
    DEFAULT_DURATION,
    DESCRIPTION_LIMIT,
    LOCATION_LIMIT,
    MAX_CAPACITY,
    NO_REMINDERS,
    TITLE_LIMIT,
)
from bot.services.events.values import Change, Counts, EventInfo, EventInput, RsvpResult

__all__ = [
    "AUTOCOMPLETE_LIMIT",
    "DEFAULT_DURATION",
    "DESCRIPTION_LIMIT",
    "GOING",
    "LOCATION_LIMIT",
    "MAX_CAPACITY",
    "MAYBE",
    "NOT_GOING",
    "NO_REMINDERS",
    "STATUSES",
    "TITLE_LIMIT",
    "WAITING",
    "Answered",
    "Cancelling",
    "Card",
    "Change",
    "Counts",
    "Details",
    "EventInfo",
    "EventInput",
    "Programme",
    "RsvpResult",
    "answer",
    "answer_languages",
    "attendee_ids",
    "autocomplete",
    "calendar_entry",
    "cancel",
    "cancelling",
    "card",
    "counts",
    "create",
    "details",
    "edit",
    "erase_member",
    "export_member",
    "get",
    "get_open",
    "listing",
    "members_with",
    "my_status",
    "my_statuses",
    "next_start",
    "parse_ref",
    "programme",
    "promote_after_capacity_change",
    "rsvp",
    "set_announcement",
    "stats",
    "upcoming",
]
