"""The sandbox console: type slash commands as a member, click, fill forms, move the clock.

One line, one action. A line starting with ``/`` is a slash command run by the current member in
the current channel; the other lines are console commands (``help`` lists them). The same runner
reads a terminal, piped stdin or a script, and prints a transcript.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from bot import i18n
from bot.errors import LiaisonError
from bot.sandbox import lookup, render
from bot.sandbox.harness import LiaisonSandbox
from bot.sandbox.lookup import ConsoleError
from bot.sandbox.world import Channel, ChannelType, Interaction, Message, Perm, User

HELP = """\
/command option: value ...   run a slash command as the current member, in the current channel
complete /command option: typed   what autocomplete offers for the last option given
as <member>                  act as alice (moderator), bruno (French), carol, dmitri (Manage Server),
                             eve (DMs closed), or any member listed by `members`
as new <name> [locale]       a new member joins (locale: en-US, fr, de, ...) and you act as them
in <channel>                 run the next commands there (a channel, a thread, `dm`)
click <n> | click <label>    press a button of the last message shown
select <n> <value>[,<value>] choose in select menu n of the last message (option number or value)
modal field=value; f2=value  fill and submit the last form opened (by label or id)
say <channel> <text>         post a message as the current member (e.g. in a question's thread)
read <channel|thread|dms [member]>   what the current member sees there
channels | members           list them (threads are also named t1, t2, ...)
perm [<channel>]             what the bot may do there (View Channel, Send Messages, ...)
perm deny <channel> <perm>   remove a permission from the bot in a channel (an admin's overwrite;
                             perm: embed_links, send_messages, view_channel, manage_threads, ...)
perm allow <channel> <perm>  give it back
time [+2h|+1d|+90m]          show, or move forward, the bot's clock (due reminders then fire)
restart                      stop the bot and start it again on the same database
quit                         leave (end of input does too)"""
PREVIEW = 15


class Console:
    def __init__(self, sandbox: LiaisonSandbox, out: TextIO) -> None:
        self.sandbox, self.world, self.out = sandbox, sandbox.world, out
        self.member: User = sandbox.users.alice
        self.channel: Channel = sandbox.channels.general
        self.last_message: Message | None = None
        self.last_modal: Interaction | None = None
        self.failures = 0  # lines that could not be run (not the bot's refusals)
        self.timeout = 5.0  # how long to wait for the bot's answer
        self.seen = max(self.world.messages, default=0)
        render.clock = self.now
        self.commands: dict[str, Callable[[str], Awaitable[None]]] = {
            "help": self.help,
            "as": self.act_as,
            "in": self.go,
            "click": self.click,
            "select": self.select,
            "modal": self.modal,
            "say": self.say,
            "read": self.read,
            "channels": self.list_channels,
            "members": self.list_members,
            "time": self.time,
            "restart": self.restart,
            "complete": self.complete,
            "perm": self.perm,
        }

    def now(self) -> datetime:
        return self.sandbox.bot.clock.now() if self.sandbox.bot is not None else datetime.now(UTC)

    # ---- running --------------------------------------------------------------------
    def print(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    @property
    def prompt(self) -> str:
        place = (
            ""
            if self.channel is self.sandbox.channels.general
            else f" in {lookup.short(self.world, self.channel)}"
        )
        return f"{self.member.name}{place}> "

    def banner(self, db_label: str, seeded: Counter[str] | None, seconds: float) -> None:
        guild = self.sandbox.guild
        assert guild is not None
        self.print(
            f'Liaison sandbox: server "{guild.name}" at {self.sandbox.api_base}, '
            f"database {db_label}, ready in {seconds:.1f} s"
        )
        if seeded is not None:
            what = ", ".join(f"{n} {kind}" for kind, n in seeded.items() if n)
            self.print(f"Fresh database: server set up and sample data written ({what}).")
        self.print(*self.news("posted while the bot started")[1:])
        self.print(
            f"You are {self.member.name} (moderator) in #general. "
            "Type `help` for the console commands, `quit` to leave.",
            "",
        )

    async def run(self, lines: Iterable[str] | AsyncIterator[str], *, echo: bool) -> None:
        if isinstance(lines, AsyncIterator):
            async for line in lines:
                if not await self.step(line, echo=echo):
                    return
        else:
            for line in lines:
                if not await self.step(line, echo=echo):
                    return

    async def step(self, raw: str, *, echo: bool) -> bool:
        """Run one line; False when the session should end."""
        line = raw.strip()
        if not line:
            return True
        if line.startswith("#"):
            if echo:
                self.print(line)
            return True
        if echo:
            self.print(self.prompt + line)
        word, _, rest = line.partition(" ")
        if word in ("quit", "exit"):
            return False
        try:
            if line.startswith("/"):
                await self.slash(line, self.channel)
            elif word in self.commands:
                await self.commands[word](rest.strip())
            else:
                raise ConsoleError(f"unknown console command {word!r}; type `help`")
        except LiaisonError as exc:
            self.failures += 1
            self.print(f"! {i18n.t('en', exc.key, **exc.params)}")
        except (ConsoleError, ValueError, KeyError, TimeoutError) as exc:
            self.failures += 1
            self.print(f"! {exc}")
        self.print(*self.news(), "")
        return True

    def news(self, title: str = "meanwhile") -> list[str]:
        """What the bot posted since the last line, wherever it landed, except the answer shown."""
        fresh = [m for m in self.world.messages.values() if m.id > self.seen]
        self.seen = max(self.world.messages, default=0)
        last = self.sandbox.last_interaction
        shown = {m.id for m in last.responses} if last is not None else set()
        bot = self.world.bot.id
        posted = [m for m in fresh if m.author_id == bot and m.visible_to is None and not m.deleted]
        return render.feed_lines(
            self.world, sorted((m for m in posted if m.id not in shown), key=lambda m: m.id), title
        )

    def show(self, inter: Interaction) -> None:
        self.print(*render.interaction_lines(self.world, inter))
        with_components = [m for m in inter.responses if m.components and not m.deleted]
        if with_components:
            self.last_message = with_components[-1]
        if inter.modal is not None:
            self.last_modal = inter

    # ---- slash commands and components ------------------------------------------------
    async def slash(self, line: str, channel: Channel) -> None:
        lookup.check_command(self.sandbox, line)
        command, parsed = self.sandbox.parse(line, channel=channel)
        options: dict[str, Any] = dict(parsed)
        where = None if channel.type == ChannelType.DM else channel
        guild = None if where is None else ...
        inter = await self.sandbox.slash(
            command, user=self.member, channel=where, guild=guild, timeout=self.timeout, values=options
        )
        self.show(inter)

    async def complete(self, rest: str) -> None:
        lookup.check_command(self.sandbox, rest)
        command, parsed = self.sandbox.parse(rest, channel=self.channel)
        options: dict[str, Any] = dict(parsed)
        if not options:
            raise ConsoleError("give the option being typed last, e.g. `complete /event info event: work`")
        focused = list(options)[-1]
        value = options.pop(focused)
        where = None if self.channel.type == ChannelType.DM else self.channel
        choices = await self.sandbox.autocomplete(
            command,
            focused,
            value,
            user=self.member,
            channel=where,
            guild=None if where is None else ...,
            timeout=self.timeout,
            **options,
        )
        self.print(f"-- autocomplete for {focused}: {value!r}", *render.choices_lines(choices))

    def _message(self) -> Message:
        if self.last_message is None or self.last_message.deleted:
            raise ConsoleError("no message with buttons or menus shown yet")
        return self.world.messages[self.last_message.id]

    async def click(self, rest: str) -> None:
        msg = self._message()
        buttons = [c for c in self.sandbox._components(msg) if c["type"] == 2]
        if rest.isdigit():
            index = int(rest) - 1
        else:
            labels = [str(b.get("label") or "").lower() for b in buttons]
            if rest.lower() not in labels:
                raise ConsoleError(
                    f"no button {rest!r} (buttons: {', '.join(b.get('label') or '?' for b in buttons)})"
                )
            index = labels.index(rest.lower())
        if not 0 <= index < len(buttons):
            raise ConsoleError(f"no button {rest} (the message has {len(buttons)})")
        self.show(await self.sandbox.click(msg, index=index, user=self.member, timeout=self.timeout))

    async def select(self, rest: str) -> None:
        number, _, values_text = rest.partition(" ")
        if not number.isdigit() or not values_text.strip():
            raise ConsoleError("usage: select <menu number> <value>[,<value>...]")
        msg = self._message()
        menus = [c for c in self.sandbox._components(msg) if c["type"] in (3, 5, 6, 7, 8)]
        if not 0 < int(number) <= len(menus):
            raise ConsoleError(f"no select menu {number} (the message has {len(menus)})")
        options = menus[int(number) - 1].get("options") or []
        values = []
        for value in (v.strip() for v in values_text.split(",")):
            if options and value.isdigit() and 0 < int(value) <= len(options):
                value = options[int(value) - 1]["value"]
            values.append(value)
        inter = await self.sandbox.select(
            msg, values, index=int(number) - 1, user=self.member, timeout=self.timeout
        )
        self.show(inter)

    async def modal(self, rest: str) -> None:
        if self.last_modal is None or self.last_modal.modal is None:
            raise ConsoleError("no form is open")
        fields = render.modal_fields(self.last_modal.modal)
        values: dict[str, str] = {}
        for part in (p for p in rest.split(";") if p.strip()):
            typed, sep, value = part.partition("=")
            if not sep:
                raise ConsoleError(f"write field=value, not {part.strip()!r}")
            values[lookup.modal_field(typed.strip(), fields)] = value.strip()
        inter = await self.sandbox.submit_modal(
            self.last_modal, values, user=self.member, timeout=self.timeout
        )
        self.last_modal = None
        self.show(inter)

    # ---- members, channels, messages ----------------------------------------------------
    async def act_as(self, rest: str) -> None:
        words = rest.split()
        if not words:
            raise ConsoleError("usage: as <member> | as new <name> [locale]")
        if words[0] == "new":
            if len(words) < 2:
                raise ConsoleError("usage: as new <name> [locale]")
            if words[1] in self.sandbox.users:
                raise ConsoleError(f"{words[1]} is already a member")
            self.member = self.sandbox.add_member(words[1], locale=words[2] if len(words) > 2 else "en-US")
            await self.sandbox.quiet()
            self.print(f"{self.member.name} joined the server (locale {self.member.locale})")
        else:
            self.member = lookup.find_member(self.sandbox, words[0])
        if self.channel.type == ChannelType.DM:
            self.channel = self.sandbox.channels.general
        self.print(f"you are now {self.member.name}: {lookup.describe(self.sandbox, self.member)}")

    async def go(self, rest: str) -> None:
        target, _, command = rest.partition(" /")
        channel = lookup.find_channel(self.sandbox, self.member, target)
        if command:
            await self.slash("/" + command, channel)
            return
        self.channel = channel
        self.print(f"now in {render.where(self.world, channel)}")

    async def say(self, rest: str) -> None:
        if rest.startswith('"'):
            target, _, text = rest[1:].partition('"')
        else:
            target, _, text = rest.partition(" ")
        if not target or not text.strip():
            raise ConsoleError('usage: say <channel> <text>  (a thread name with spaces in "quotes")')
        channel = lookup.find_channel(self.sandbox, self.member, target)
        await self.sandbox.send_message(channel, text.strip(), user=self.member)
        await self.sandbox.quiet()
        self.print(f"(posted in {render.where(self.world, channel)})")

    async def read(self, rest: str) -> None:
        words = rest.split()
        if words[:1] in (["dm"], ["dms"]):
            user = lookup.find_member(self.sandbox, words[1]) if len(words) > 1 else self.member
            channel, viewer = self.world.dm_channel(user), user
        elif words:
            channel, viewer = lookup.find_channel(self.sandbox, self.member, rest), self.member
        else:
            channel, viewer = self.channel, self.member
        if channel.type == ChannelType.FORUM:
            posts = [t for t in lookup.threads(self.world) if t.parent_id == channel.id]
            self.print(f"== #{channel.name}: a forum with {len(posts)} posts (read one with `read tN`) ==")
            for post in posts:
                self.print(f"  {lookup.short(self.world, post)}  {post.name}")
            return
        messages = self.sandbox.messages(channel, user=viewer)
        self.print(f"== {render.where(self.world, channel)}: {len(messages)} messages ==")
        if len(messages) > PREVIEW:
            self.print(f"({len(messages) - PREVIEW} earlier not shown)")
        for msg in messages[-PREVIEW:]:
            self.print(*render.message_lines(self.world, msg))
            if msg.components:
                self.last_message = msg

    async def list_channels(self, rest: str) -> None:
        guild = self.sandbox.guild
        assert guild is not None
        kinds = {ChannelType.TEXT: "text", ChannelType.FORUM: "forum"}
        for cid in guild.channel_ids:
            channel = self.world.channels[cid]
            if not channel.is_thread:
                count = len(self.sandbox.messages(channel, user=self.member))
                self.print(f"#{channel.name:<10} {kinds.get(channel.type, channel.type)}, {count} messages")
        for i, thread in enumerate(lookup.threads(self.world), 1):
            state = " (archived)" if thread.archived else ""
            self.print(
                f"t{i:<10} {render.where(self.world, thread)}, "
                f"{len(self.sandbox.messages(thread, user=self.member))} messages{state}"
            )

    async def list_members(self, rest: str) -> None:
        for name, user in self.sandbox.users.items():
            if not user.bot:
                mark = "*" if user is self.member else " "
                self.print(f"{mark} {name:<8} {lookup.describe(self.sandbox, user)}")

    async def perm(self, rest: str) -> None:
        words = rest.split(maxsplit=2)
        if words[:1] in (["deny"], ["allow"]):
            if len(words) < 3:
                raise ConsoleError(f"usage: perm {words[0]} <channel> <permission>")
            channel = lookup.find_channel(self.sandbox, self.member, words[1])
            try:
                bit = Perm.named(words[2])
            except ValueError as exc:
                raise ConsoleError(str(exc)) from None
            if words[0] == "deny":
                self.sandbox.remove_bot_permission(channel, bit)
            else:
                self.sandbox.give_bot_permission(channel, bit)
            await self.sandbox.quiet()
        else:
            channel = lookup.find_channel(self.sandbox, self.member, rest) if rest else self.channel
        perms = self.world.channel_permissions(channel, self.world.bot.id)
        shown = [
            name.lower()
            for name, bit in vars(Perm).items()
            if isinstance(bit, int)
            and name not in ("ALL", "EVERYONE_DEFAULT")
            and not name.startswith("_")
            and perms & bit == bit
        ]
        seen = "sees" if self.world.can_view(channel, self.world.bot.id) else "cannot see"
        self.print(
            f"the bot {seen} {render.where(self.world, channel)}: " + (", ".join(shown) or "no permission")
        )

    # ---- the bot ------------------------------------------------------------------------
    async def time(self, rest: str) -> None:
        from bot.timeutil import parse_duration

        bot = self.sandbox.bot
        assert bot is not None
        if rest:
            delta: timedelta = parse_duration(rest.lstrip("+"))
            await self.sandbox.advance(delta)
            await self.sandbox.quiet(0.2)
        offset = bot.clock.offset
        self.print(
            f"bot time: {bot.clock.now():%Y-%m-%d %H:%M} UTC" + (f" (real time + {offset})" if offset else "")
        )

    async def restart(self, rest: str) -> None:
        started = asyncio.get_running_loop().time()
        await self.sandbox.restart_bot()
        await self.sandbox.quiet()
        self.print(
            f"bot restarted on the same database in {asyncio.get_running_loop().time() - started:.1f} s"
        )

    async def help(self, rest: str) -> None:
        self.print(HELP)
