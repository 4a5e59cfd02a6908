"""Discord's documented size limits, answered like Discord: 400 with code 50035."""

from __future__ import annotations

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
        elif not comp.get("custom_id") and comp.get("style") != 6:
            c.add([*path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
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


def check_message(payload: dict[str, Any]) -> Errors:
    """Errors of a message create/edit body (empty when valid)."""
    c = _Collector()
    c.max_len(["content"], payload.get("content"), 2000)
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
    _check_components(c, data.get("components"))
    return c.errors


def check_commands(commands: Any) -> Errors:
    """Validate a bulk overwrite of application commands."""
    c = _Collector()
    c.max_items([], commands, 100)

    def walk(path: list[str | int], opts: list[dict[str, Any]]) -> None:
        c.max_items([*path, "options"], opts, 25)
        for i, opt in enumerate(opts):
            p = [*path, "options", i]
            c.max_len([*p, "name"], opt.get("name"), 32)
            c.max_len([*p, "description"], opt.get("description"), 100)
            c.max_items([*p, "choices"], opt.get("choices"), 25)
            walk(p, opt.get("options") or [])

    for i, cmd in enumerate(commands if isinstance(commands, list) else []):
        c.max_len([i, "name"], cmd.get("name"), 32)
        c.max_len([i, "description"], cmd.get("description"), 100)
        walk([i], cmd.get("options") or [])
    return c.errors


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
