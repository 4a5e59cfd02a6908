"""Discord's documented size limits, answered like Discord: 400 with code 50035."""

from __future__ import annotations

import unicodedata
from typing import Any

Errors = dict[str, Any]


class _Collector:
    def __init__(self) -> None:
        self.errors: Errors = {}

    def add(self, path: list[str | int], code: str, message: str) -> None:
        node = self.errors
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_len(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def max_items(self, path: list[str | int], value: Any, limit: int) -> None:
        if isinstance(value, list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def _check_embeds(c: _Collector, embeds: Any) -> None:
    if not isinstance(embeds, list):
        return
    c.max_items(["embeds"], embeds, 10)
    for i, embed in enumerate(embeds):
        path: list[str | int] = ["embeds", i]
        c.max_len([*path, "title"], embed.get("title"), 256)
        c.max_len([*path, "description"], embed.get("description"), 4096)
        c.max_len([*path, "footer", "text"], (embed.get("footer") or {}).get("text"), 2048)
        c.max_len([*path, "author", "name"], (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        c.max_items([*path, "fields"], fields, 25)
        for j, f in enumerate(fields):
            c.max_len([*path, "fields", j, "name"], f.get("name"), 256)
            c.max_len([*path, "fields", j, "value"], f.get("value"), 1024)
            if not f.get("name") or not f.get("value"):
                c.add([*path, "fields", j], "BASE_TYPE_REQUIRED", "This field is required")
    if sum(_embed_chars(e) for e in embeds) > 6000:
        c.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _check_component(c: _Collector, path: list[str | int], comp: dict[str, Any]) -> None:
    ctype = comp.get("type")
    c.max_len([*path, "custom_id"], comp.get("custom_id"), 100)
    if ctype == 2:
        c.max_len([*path, "label"], comp.get("label"), 80)
        if comp.get("style") == 5:
            if not comp.get("url"):
                c.add([*path, "url"], "BASE_TYPE_REQUIRED", "This field is required")
            if comp.get("custom_id"):
                c.add(
                    [*path, "custom_id"],
                    "COMPONENT_LINK_BUTTON_CUSTOM_ID",
                    "A link button cannot have a custom_id",
                )
        else:
            if not comp.get("custom_id") and comp.get("style") != 6:
                c.add([*path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
            if comp.get("url"):
                c.add([*path, "url"], "COMPONENT_BUTTON_URL", "Only a link button (style 5) has a url")
    elif ctype in (3, 5, 6, 7, 8):
        c.max_len([*path, "placeholder"], comp.get("placeholder"), 150)
        options = comp.get("options") or []
        c.max_items([*path, "options"], options, 25)
        for k, opt in enumerate(options):
            c.max_len([*path, "options", k, "label"], opt.get("label"), 100)
            c.max_len([*path, "options", k, "value"], opt.get("value"), 100)
            c.max_len([*path, "options", k, "description"], opt.get("description"), 100)
    elif ctype == 4:
        c.max_len([*path, "label"], comp.get("label"), 45)
        c.max_len([*path, "placeholder"], comp.get("placeholder"), 100)
        c.max_len([*path, "value"], comp.get("value"), 4000)
    elif ctype == 18:
        c.max_len([*path, "label"], comp.get("label"), 45)
        inner = comp.get("component")
        if isinstance(inner, dict):
            _check_component(c, [*path, "component"], inner)


def _check_components(c: _Collector, components: Any, key: str = "components") -> None:
    if not isinstance(components, list):
        return
    c.max_items([key], components, 5)
    for i, row in enumerate(components):
        if row.get("type") == 1:
            inner = row.get("components") or []
            c.max_items([key, i, "components"], inner, 5)
            for j, comp in enumerate(inner):
                _check_component(c, [key, i, "components", j], comp)
        else:
            _check_component(c, [key, i], row)


IS_COMPONENTS_V2 = 1 << 15


def _check_layout(c: _Collector, components: Any) -> None:
    """Components v2: up to 40 components in all, 4000 characters of text displays."""
    count, text = 0, 0

    def walk(path: list[str | int], items: list[dict[str, Any]]) -> None:
        nonlocal count, text
        for i, comp in enumerate(items):
            count += 1
            if comp.get("type") == 10:
                text += len(comp.get("content") or "")
            elif comp.get("type") == 1:
                c.max_items([*path, i, "components"], comp.get("components"), 5)
            _check_component(c, [*path, i], comp)
            walk([*path, i, "components"], comp.get("components") or [])
            if isinstance(comp.get("accessory"), dict):
                walk([*path, i, "accessory"], [comp["accessory"]])

    walk(["components"], components if isinstance(components, list) else [])
    if count > 40:
        c.add(["components"], "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
    if text > 4000:
        c.add(
            ["components"],
            "BASE_TYPE_MAX_LENGTH",
            "The total text length of components must be 4000 or fewer.",
        )


def _custom_ids(items: Any) -> list[str]:
    out: list[str] = []
    for comp in items if isinstance(items, list) else []:
        if not isinstance(comp, dict):
            continue
        if comp.get("custom_id"):
            out.append(str(comp["custom_id"]))
        out += _custom_ids(comp.get("components"))
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                out += _custom_ids([comp[key]])
    return out


def _check_unique_ids(c: _Collector, components: Any, key: str = "components") -> None:
    ids = _custom_ids(components)
    if len(ids) != len(set(ids)):
        c.add([key], "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")


def _check_allowed_mentions(c: _Collector, am: Any) -> None:
    """``parse`` naming ``users`` (``roles``) excludes a ``users`` (``roles``) list."""
    if not isinstance(am, dict):
        return
    parse = am.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            c.add(
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        c.max_items(["allowed_mentions", kind], am.get(kind), 100)


def check_message(payload: dict[str, Any]) -> Errors:
    """Errors of a message create/edit body (empty when valid)."""
    c = _Collector()
    c.max_len(["content"], payload.get("content"), 2000)
    _check_unique_ids(c, payload.get("components"))
    _check_allowed_mentions(c, payload.get("allowed_mentions"))
    _check_embeds(c, payload.get("embeds"))
    if int(payload.get("flags") or 0) & IS_COMPONENTS_V2:
        _check_layout(c, payload.get("components"))
    else:
        _check_components(c, payload.get("components"))
    c.max_items(["attachments"], payload.get("attachments"), 10)
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        c.add(["nonce"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    return c.errors


def check_choices(choices: Any) -> Errors:
    c = _Collector()
    c.max_items(["choices"], choices, 25)
    for i, choice in enumerate(choices if isinstance(choices, list) else []):
        c.max_len(["choices", i, "name"], choice.get("name"), 100)
        c.max_len(["choices", i, "value"], choice.get("value"), 100)
    return c.errors


def check_modal(data: dict[str, Any]) -> Errors:
    c = _Collector()
    c.max_len(["title"], data.get("title"), 45)
    c.max_len(["custom_id"], data.get("custom_id"), 100)
    if not data.get("title"):
        c.add(["title"], "BASE_TYPE_REQUIRED", "This field is required")
    if not data.get("custom_id"):
        c.add(["custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
    rows = data.get("components")
    if not isinstance(rows, list) or not 1 <= len(rows) <= 5:
        c.add(["components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    _check_unique_ids(c, rows)
    _check_components(c, rows)
    return c.errors


# Discord's locales (https://discord.com/developers/docs/reference#locales)
LOCALES = frozenset(
    {
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    }
)
CHAT_INPUT, SUB_COMMAND, SUB_COMMAND_GROUP = 1, 1, 2


def _valid_name(name: Any, *, chat_input: bool) -> bool:
    """``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``, lower case for slash commands
    and options (user and message commands may have spaces and capitals)."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    if not chat_input:
        return True
    marks = ("Mn", "Mc")  # Devanagari and Thai vowel signs
    ok = all(ch.isalnum() or ch in "-_'" or unicodedata.category(ch) in marks for ch in name)
    return ok and name == name.lower()


def _check_names(c: _Collector, path: list[str | int], item: dict[str, Any], *, chat_input: bool) -> None:
    if not _valid_name(item.get("name"), chat_input=chat_input):
        c.add(
            [*path, "name"],
            "APPLICATION_COMMAND_INVALID_NAME",
            "Command name is invalid" if chat_input else "Must be between 1 and 32 in length.",
        )
    description = item.get("description")
    if chat_input:
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            c.add([*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    elif description:
        c.add(
            [*path, "description"],
            "APPLICATION_COMMAND_INVALID_DESCRIPTION",
            "User and message commands have an empty description",
        )
    for key in ("name_localizations", "description_localizations"):
        table = item.get(key)
        if table is None:
            continue
        if not isinstance(table, dict):
            c.add([*path, key], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        for locale, text in table.items():
            if locale not in LOCALES:
                c.add([*path, key, locale], "BASE_TYPE_CHOICES", f"Value must be one of {sorted(LOCALES)}.")
            elif key == "name_localizations":
                if not _valid_name(text, chat_input=chat_input):
                    c.add([*path, key, locale], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            elif chat_input and (not isinstance(text, str) or not 1 <= len(text) <= 100):
                c.add([*path, key, locale], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_duplicates(
    c: _Collector, path: list[str | int], items: list[dict[str, Any]], *, key: Any = None
) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        ident = key(item) if key else item.get("name")
        if ident in seen:
            c.add(
                [*path, i, "name"],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({item.get('name')})",
            )
        seen.add(ident)


def _check_option(c: _Collector, p: list[str | int], opt: dict[str, Any]) -> None:
    _check_names(c, p, opt, chat_input=True)
    choices = opt.get("choices")
    c.max_items([*p, "choices"], choices, 25)
    if choices and opt.get("autocomplete"):
        c.add(
            [*p, "autocomplete"],
            "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES",
            "Autocomplete cannot be enabled on an option that has choices",
        )
    for k, choice in enumerate(choices if isinstance(choices, list) else []):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            c.add([*p, "choices", k, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        value = choice.get("value")
        if isinstance(value, str) and not 1 <= len(value) <= 100:
            c.add([*p, "choices", k, "value"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        for locale, text in (choice.get("name_localizations") or {}).items():
            if locale not in LOCALES:
                c.add(
                    [*p, "choices", k, "name_localizations", locale],
                    "BASE_TYPE_CHOICES",
                    f"Value must be one of {sorted(LOCALES)}.",
                )
            elif not isinstance(text, str) or not 1 <= len(text) <= 100:
                c.add(
                    [*p, "choices", k, "name_localizations", locale],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )


def _check_options(c: _Collector, path: list[str | int], opts: Any) -> None:
    if not isinstance(opts, list):
        return
    c.max_items([*path, "options"], opts, 25)
    _check_duplicates(c, [*path, "options"], opts)
    subs = [o for o in opts if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if subs and len(subs) != len(opts):
        c.add(
            [*path, "options"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-commands and sub-command groups cannot be mixed with other options",
        )
    optional_seen = False
    for i, opt in enumerate(opts):
        p: list[str | int] = [*path, "options", i]
        _check_option(c, p, opt)
        if opt.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _check_options(c, p, opt.get("options") or [])
            continue
        if opt.get("required"):
            if optional_seen:
                c.add(
                    [*p, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True


def check_commands(commands: Any) -> Errors:
    """Validate a bulk overwrite of application commands."""
    c = _Collector()
    c.max_items([], commands, 100)
    items = [cmd for cmd in commands if isinstance(cmd, dict)] if isinstance(commands, list) else []
    _check_duplicates(c, [], items, key=lambda cmd: (cmd.get("name"), cmd.get("type", 1)))
    for i, cmd in enumerate(items):
        chat_input = cmd.get("type", CHAT_INPUT) == CHAT_INPUT
        _check_names(c, [i], cmd, chat_input=chat_input)
        if chat_input:
            _check_options(c, [i], cmd.get("options") or [])
        dmp = cmd.get("default_member_permissions")
        if dmp is not None and not str(dmp).isdigit():
            c.add([i, "default_member_permissions"], "NUMBER_TYPE_COERCE", "Value is not int.")
    return c.errors


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
