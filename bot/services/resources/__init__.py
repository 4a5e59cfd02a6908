"""The resource library's services: validation, catalog, search, suggestions, glossary, transfer.

This package is also where ``/liaison stats`` and ``/me export|delete`` find the feature's hooks.
"""

from bot.services.resources.catalog import Edit, add, edit, get, remove, resolve, show
from bot.services.resources.privacy import bot_messages, erase_member, export_member, stats
from bot.services.resources.searching import Hit, SearchResult, search, tag_names
from bot.services.resources.typeahead import autocomplete
from bot.services.resources.validation import Fields, fields

__all__ = [
    "Edit",
    "Fields",
    "Hit",
    "SearchResult",
    "add",
    "autocomplete",
    "bot_messages",
    "edit",
    "erase_member",
    "export_member",
    "fields",
    "get",
    "remove",
    "resolve",
    "search",
    "show",
    "stats",
    "tag_names",
]
