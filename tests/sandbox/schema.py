"""Every request body the sandbox receives during the suite (and, in the protocol tests, every
answer it gives), checked against Discord's published OpenAPI description
(``discord-api/openapi.json``, a copy of ``shared/discord-api``): a body Discord would reject
fails the test, as an unknown route does.

Validators are compiled once per (method, route) and cached for the whole session, and so is the
verdict on a body already seen (the command definitions every test syncs).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.sandbox.server import SandboxServer

SPEC_PATH = Path(__file__).parent / "discord-api" / "openapi.json"
SPEC_URI = "urn:discord-openapi"
_PARAM = re.compile(r"\{[^}]+\}")


def _patch_known_gaps(spec: dict[str, Any]) -> None:
    """What Discord accepts although its description leaves it out (see the spec's README):
    ``nsfw`` on command definitions, ``flags`` on embeds, channel type 16 (media), the answers to
    deferred and other callbacks that carry no message, overwrite bits as strings, snowflakes sent as integers
    (discord.py sends attachment and mention ids as numbers)."""
    schemas = spec["components"]["schemas"]
    snowflake = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [snowflake, {"type": "integer", "minimum": 0}]}
    for name in ("ApplicationCommandCreateRequest", "ApplicationCommandUpdateRequest"):
        schemas[name].setdefault("properties", {}).setdefault("nsfw", {"type": ["boolean", "null"]})
    schemas["ChannelTypes"]["oneOf"].append({"title": "GUILD_MEDIA", "const": 16})
    # the answer to a deferral (5, 6) or an autocomplete / modal (8, 9) acknowledgement
    schemas["InteractionCallbackResponse"]["properties"]["resource"]["oneOf"].append(
        {"type": "object", "properties": {"type": {"enum": [5, 6, 8, 9]}}, "required": ["type"]}
    )
    # permission bits as strings (Discord's documented form, what discord.py sends)
    put = spec["paths"]["/channels/{channel_id}/permissions/{overwrite_id}"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]["properties"]
    for key in ("allow", "deny"):
        body[key] = {"anyOf": [body[key], {"type": "string", "pattern": "^[0-9]+$"}]}
    schemas["RichEmbed"].setdefault("properties", {}).setdefault("flags", {"type": ["integer", "null"]})


@functools.cache
def _spec() -> tuple[dict[str, Any], Registry[Any]]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    _patch_known_gaps(spec)
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    return spec, Registry().with_resource(SPEC_URI, resource)


@functools.cache
def _paths() -> list[tuple[re.Pattern[str], str]]:
    """The spec's paths as patterns over the sandbox's route templates (any parameter name)."""
    spec, _ = _spec()
    out = []
    for path in spec["paths"]:
        literal = [re.escape(part) for part in _PARAM.split(path)]
        out.append((re.compile("^" + r"\{[^}]+\}".join(literal) + "$"), path))
    # literal segments (``@me``) before parameters: the most specific path first
    out.sort(key=lambda item: item[1].count("{"))
    return out


def spec_path(route: str) -> str | None:
    """The spec's path for a sandbox route template (``/channels/{channel_id}/messages``)."""
    return next((path for pattern, path in _paths() if pattern.match(route)), None)


@functools.cache
def validator(method: str, route: str) -> Draft202012Validator | None:
    """The compiled validator of a route's JSON body, or None when the route takes none."""
    spec, registry = _spec()
    path = spec_path(route)
    if path is None:
        return None
    operation = spec["paths"][path].get(method.lower()) or {}
    content = (operation.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or content.get("multipart/form-data")
    if media is None:
        return None
    schema = _absolute(copy.deepcopy(media["schema"]))
    return Draft202012Validator(schema, registry=registry)


def _absolute(node: Any) -> Any:
    """Local ``#/components/...`` references made to point into the registered spec."""
    if isinstance(node, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


@functools.cache
def response_validator(method: str, route: str, status: int) -> Draft202012Validator | None:
    """The compiled validator of a route's answer with ``status`` (``4XX``: Discord's error body)."""
    spec, registry = _spec()
    path = spec_path(route)
    if path is None:
        return None
    responses = (spec["paths"][path].get(method.lower()) or {}).get("responses") or {}
    answer = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    media = ((answer or {}).get("content") or {}).get("application/json")
    if media is None:
        return None
    return Draft202012Validator(_absolute(copy.deepcopy(media["schema"])), registry=registry)


def response_problems(method: str, route: str, status: int, body: Any) -> list[str]:
    """What Discord's description says is wrong with the sandbox's answer."""
    if body is None or response_validator(method, route, status) is None:
        return []
    return list(_response_problems(method, route, status, json.dumps(body, sort_keys=True)))


@functools.lru_cache(maxsize=2048)
def _response_problems(method: str, route: str, status: int, text: str) -> tuple[str, ...]:
    check = response_validator(method, route, status)
    assert check is not None
    found = []
    for error in check.iter_errors(json.loads(text)):
        deepest = _deepest(error)
        where = "/".join(map(str, deepest.absolute_path))
        found.append(f"answer to {method} {route} ({status}) at /{where}: {deepest.message[:300]}")
    return tuple(found[:5])


def _deepest(error: ValidationError) -> ValidationError:
    """The failing part inside ``oneOf``/``anyOf``: the branch meant for the value (whose
    ``type`` discriminator matched), else the one that got furthest."""
    while error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def score(errors: list[ValidationError]) -> tuple[bool, int]:
            wrong_kind = any(
                e.validator in ("enum", "const", "type")
                and (not e.relative_path or e.relative_path[-1] == "type")
                for e in errors
            )
            return (not wrong_kind, max(len(e.absolute_path) for e in errors))

        chosen = max(branches.values(), key=score)
        error = best_match(chosen) or chosen[0]
    return error


def problems(method: str, route: str, body: Any) -> list[str]:
    """What Discord's description says is wrong with ``body`` (empty when it conforms)."""
    if spec_path(route) is None:
        return [f"{method} {route}: not in Discord's API description"]
    if body is None or validator(method, route) is None:
        return []
    return list(_problems(method, route, json.dumps(body, sort_keys=True)))


@functools.lru_cache(maxsize=512)
def _problems(method: str, route: str, text: str) -> tuple[str, ...]:
    """Cached on the body's text: each test syncs the same command definitions (~1 s to check)."""
    check = validator(method, route)
    assert check is not None
    found = []
    for error in check.iter_errors(json.loads(text)):
        deepest = _deepest(error)
        where = "/".join(map(str, deepest.absolute_path))
        found.append(f"{method} {route} at /{where}: {deepest.message[:300]}")
    return tuple(found[:5])


def install(server: SandboxServer, *, responses: bool = False) -> None:
    """Check every request body the server receives from now on (and, with ``responses``, every
    JSON answer it gives: ~30 ms each, so for the protocol tests only); what fails is kept in
    ``server.schema_errors`` (fixtures assert it stays empty)."""
    server.body_check = problems
    if responses:
        server.response_check = response_problems
