"""Websocket consumers: trainee screens watch a session, the trainer's control page drives it.

Neither writes to the database on its own: every action goes through sessions_app.actions,
whose services store it and report it after commit (live/publish.py sends it on).
"""

import asyncio
import json
import logging
import re
import uuid
from urllib.parse import parse_qs

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from live import connects, fanout, publish, restart, viewers, wire
from live.fanout import get_hub
from live.groups import control_group
from schools import access
from sessions_app import actions, fragments, screens, treatment
from sessions_app.models import Session
from shiller import throttle
from simulator import protocol

logger = logging.getLogger(__name__)
# One line per socket opened and closed (shiller/logs.py): its kind, session, close code.
socket_log = logging.getLogger("shiller.sockets")

# What each close code tells the page: simulator/protocol.py, which the pages get too.
CLOSE_FORBIDDEN = protocol.CLOSE["forbidden"]
CLOSE_NOT_FOUND = protocol.CLOSE["unknown_code"]
CLOSE_ENDED = protocol.CLOSE["ended"]
CLOSE_TOO_MANY = protocol.CLOSE["too_many"]
# The team changed (services.report_access_changed), as the hub hands it on.
ACCESS_CHANGED = json.dumps({"type": "access_changed"})
# Too many sockets from this address, or on this session, in this server process.
CLOSE_FULL = protocol.CLOSE["full"]
# This server process is restarting (live/restart.py).
CLOSE_RESTART = protocol.CLOSE["restart"]

# A screen sends pings and two buttons, a control page a few hundred bytes of values: anything
# longer is refused before it is parsed (daphne's own cap is --websocket-max-message-size).
SCREEN_MAX_MESSAGE_CHARS = 1024
CONTROL_MAX_MESSAGE_CHARS = 8192
# A screen's messages are counted in memory before any of them may reach the database, whose
# one worker thread every session of the process shares: a burst of SCREEN_BURST, then
# SCREEN_MESSAGES_PER_SECOND; the rest is ignored. A page pings at 0, 1 and 3 s, then every 20 s.
SCREEN_BURST = 10
SCREEN_MESSAGES_PER_SECOND = 1.0
# A screen that goes on sending past its allowance is closed: daphne queues every frame before
# the count can discard it, so a flood would otherwise grow the server's memory and hold up the
# other sessions. No page of ours comes near it.
SCREEN_FLOOD_CLOSE = 20
CLOSE_POLICY_VIOLATION = 1008
SCREEN_ID = re.compile(r"[0-9a-f]{16}")


async def refuse(consumer: AsyncWebsocketConsumer, code: int) -> None:
    """Accept, then close with `code`: a socket closed before accept() reaches the browser as
    an HTTP 403 and close code 1006, and the page could not tell why."""
    await consumer.accept()
    await consumer.close(code=code)


def schedule_due_step(session: Session) -> None:
    """A step a shock triggered is applied by the hubs that relayed the shock; one that no
    process holds any more (a restart) is applied once a socket of the session is back."""
    if (due := treatment.pending_step_at(session)) is not None:
        get_hub().step_at(str(session.pk), due)


def pong() -> str:
    # The server's clock: screens place trends and cuff cycles on it (see trends.js).
    return json.dumps({"type": "pong", "now": timezone.now().isoformat()})


class LiveConsumer(AsyncWebsocketConsumer):
    """What both sockets share: a cap on sockets per address, frames refused before parsing
    when too long, nothing unexpected escaping `receive`, and leaving the hub however the
    connection ends (an exception, a cancellation), so a socket that is gone is never counted."""

    # Reached through the process's hub, not a layer channel of its own (see fanout.py).
    channel_layer_alias = None
    max_message_chars: int
    kind: str  # In the logs.
    session_id = None
    address: str | None = None
    opened_at: float | None = None
    close_code: int | None = None
    handling = False
    restarting = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.leave()

    async def dispatch(self, message):
        # Channels' own dispatch first closes stale database connections through the worker
        # thread that every session of the process shares, for every frame: 500 screens
        # pinging or pressing then queue other sessions' changes behind them (seconds). Our
        # database calls go through database_sync_to_async, which does that in its own turn.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        # As dispatch: Channels' own also closes stale database connections through the shared
        # worker thread, for every socket that closes; a class leaving at once queued there.
        if self.close_code is None:
            self.close_code = message.get("code")
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.opened_at = asyncio.get_running_loop().time()

    async def close(self, code=None, reason=None):
        """Through ASGI, but for 1012, which daphne's autobahn refuses to send for an
        application (live/wire.py writes it)."""
        if self.close_code is None:
            self.close_code = 1000 if code is None or code is True else code
        protocol = self.scope.get(wire.SCOPE_KEY)
        if code == CLOSE_RESTART and protocol is not None:
            wire.close(protocol, code)
            return
        await super().close(code, reason)

    async def close_for_restart(self) -> None:
        """Close with 1012 (live/restart.py), but never between a message and its answer: a
        change stored and not acknowledged would be sent again from the other process."""
        self.restarting = True
        if not self.handling:
            await self.close(code=CLOSE_RESTART)

    async def refuse_if_restarting(self) -> bool:
        """A socket that reaches a draining process is sent to another one."""
        if restart.state.draining:
            await refuse(self, CLOSE_RESTART)
            return True
        return False

    async def leave(self) -> None:
        """Once, when the consumer ends: after a disconnect (Channels' StopConsumer) as after an
        exception or a cancellation."""
        hub = get_hub()
        if self.address is not None:
            hub.release_address(self.address)
        if self.session_id is not None:
            await self.leave_session(hub)
        if self.opened_at is not None:
            duration = asyncio.get_running_loop().time() - self.opened_at
            socket_log.info(
                "%s socket closed (%s) after %.1f s",
                self.kind,
                self.close_code,
                duration,
                extra={
                    "event": "socket_close",
                    "kind": self.kind,
                    "session": self.session_id,
                    "close_code": self.close_code,
                    "duration_ms": round(duration * 1000),
                },
            )

    def log_open(self) -> None:
        socket_log.info(
            "%s socket opened",
            self.kind,
            extra={"event": "socket_open", "kind": self.kind, "session": self.session_id},
        )

    async def leave_session(self, hub) -> None:
        raise NotImplementedError

    def admit(self) -> bool:
        """Count this socket against its address; False when the address has too many."""
        address = throttle.scope_client_address(self.scope)
        if not get_hub().admit_address(address, settings.MAX_SOCKETS_PER_ADDRESS):
            return False
        self.address = address
        return True

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > self.max_message_chars:
            limit = {"limit": self.max_message_chars}
            await self.refuse_message(
                _("A message must be a JSON object of at most %(limit)s characters.") % limit
            )
            return
        try:
            # RecursionError: deeply nested arrays ("[[[[...") exhaust the parser's stack.
            message = json.loads(text_data)
        except (ValueError, RecursionError):
            await self.refuse_message(_("Malformed JSON."))
            return
        if not isinstance(message, dict):
            await self.refuse_message(_("A message must be a JSON object."))
            return
        if self.restarting:
            return  # Unanswered, so the page sends it again to the next process.
        self.handling = True
        try:
            await self.handle(message)
        except Disconnected:
            pass  # The client went away while we answered: there is no one to tell.
        except Exception:
            logger.exception("Unexpected failure on a %s message", type(self).__name__)
            await self.refuse_message(_("The server could not handle this message."), message)
        finally:
            self.handling = False
        if self.restarting:
            await self.close(code=CLOSE_RESTART)

    async def perform(self, action: actions.Action, payload: dict) -> actions.Done:
        """Run the action in the database thread; what it stored is broadcast from here, once
        it has returned (publish.held). Its reply says so when that did not get through."""
        async with publish.held() as held:
            done = await self.run(action, payload)
        if not held.sent and "broadcast" in done.reply:
            done.reply["broadcast"] = False
        return done

    async def run(self, action: actions.Action, payload: dict) -> actions.Done:
        raise NotImplementedError

    async def refuse_message(self, text: str, message: dict | None = None) -> None:
        """A screen ignores what it cannot use; the control page is told (ControlConsumer)."""

    async def handle(self, message: dict) -> None:
        raise NotImplementedError


class ScreenActions:
    """A session's trainee buttons in this process: a press that can change nothing now (the
    cuff already measuring, the alarms already silenced, the same press already on its way to
    the database) is answered without a query, so 500 screens pressing NIBP cost one."""

    def __init__(self):
        self._quiet_until: dict[str, float] = {}
        self._running: set[str] = set()

    async def press(self, name: str, run) -> None:
        """`run()` performs the press; its Done says until when pressing again changes nothing."""
        loop = asyncio.get_running_loop()
        if name in self._running or self._quiet_until.get(name, 0) > loop.time():
            return
        self._running.add(name)
        try:
            done = await run()
        finally:
            self._running.discard(name)
        if done.quiet_until is not None:
            quiet_seconds = (done.quiet_until - timezone.now()).total_seconds()
            self._quiet_until[name] = loop.time() + quiet_seconds


class MonitorConsumer(LiveConsumer):
    """A trainee screen: receives the snapshot, then every change; it can start the cuff and
    silence the alarms, nothing else."""

    max_message_chars = SCREEN_MAX_MESSAGE_CHARS
    kind = "monitor"
    pending: list[dict] | None = None
    tokens = float(SCREEN_BURST)
    tokens_at = 0.0
    discarded = 0

    async def connect(self):
        self.since = self.last_seen = timezone.now()
        self.screen = self.describe_screen()
        if await self.refuse_if_restarting():
            return
        if not self.admit():
            await refuse(self, CLOSE_FULL)
            return
        session, wait = await connects.join(self.scope["url_route"]["kwargs"]["code"], self.address)
        if wait:
            await refuse(self, CLOSE_TOO_MANY)
            return
        if session is None:
            await refuse(self, CLOSE_NOT_FOUND)
            return
        if not session.is_open():
            await refuse(self, CLOSE_ENDED)
            return
        # Messages that reach the hub before the snapshot is sent wait, so they cannot be
        # overtaken by an older snapshot.
        self.pending = []
        session_id = str(session.pk)
        if not await get_hub().add_screen(session_id, self, settings.MAX_SOCKETS_PER_SESSION):
            await refuse(self, CLOSE_FULL)
            return
        self.session_id = session_id
        await self.accept()
        self.log_open()
        # Asked after subscribing: a change the snapshot lacks reaches this socket through the
        # hub (connects.py), and a session that ended since the lookup is not shown.
        session, text = await connects.snapshot(session_id)
        if session is None or not session.is_open():
            await self.close(code=CLOSE_ENDED if session else CLOSE_NOT_FOUND)
            return
        get_hub().end_at(session_id, session.expires_at)
        schedule_due_step(session)
        await self.send(text_data=text)
        pending, self.pending = self.pending, None
        for event in pending:
            await self.deliver(event)

    async def leave_session(self, hub) -> None:
        await hub.remove_screen(self.session_id, self)

    def describe_screen(self) -> dict:
        """Who this screen is, for the trainer's list: the name typed on the join page (the
        monitor URL's ?screen=) and the browser's User-Agent."""
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        headers = dict(self.scope.get("headers", ()))
        user_agent = headers.get(b"user-agent", b"").decode("latin-1")
        # The browser's own id (monitor.js keeps it), so that a reconnect is the same screen.
        screen_id = next(iter(query.get("sid", [])), "")
        if not SCREEN_ID.fullmatch(screen_id):
            screen_id = uuid.uuid4().hex[:16]
        return {"id": screen_id, **screens.describe(user_agent, *query.get("screen", [""])[:1])}

    def description(self) -> dict:
        """As the hub publishes it (viewers.py): JSON, times in ISO 8601."""
        return {**self.screen, "since": self.since.isoformat(), "last_seen": self.last_seen.isoformat()}

    def take_token(self) -> bool:
        now = asyncio.get_running_loop().time()
        elapsed = now - self.tokens_at
        self.tokens = min(SCREEN_BURST, self.tokens + elapsed * SCREEN_MESSAGES_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def receive(self, text_data=None, bytes_data=None):
        # Counted before anything else, parsing included.
        if self.take_token():
            self.discarded = 0
            await super().receive(text_data, bytes_data)
            return
        self.discarded += 1
        if self.discarded == SCREEN_FLOOD_CLOSE:
            logger.info("Closed a screen of session %s that flooded", self.session_id)
            await self.close(code=CLOSE_POLICY_VIOLATION)

    async def handle(self, message: dict) -> None:
        self.last_seen = timezone.now()
        if message.get("type") == "ping":
            await self.send(text_data=pong())
            return
        # The trainee's buttons; the answer comes back as a broadcast to every screen.
        action = actions.for_sender(message.get("type"), actions.SCREEN_KINDS)
        if action is None:
            return
        presses = get_hub().screen_actions(self.session_id, ScreenActions)
        try:
            if action.coalesce:
                await presses.press(action.name, lambda: self.perform(action, message))
            else:
                await self.perform(action, message)
        except actions.Refused as refused:
            if refused.ended:
                # Ended but not yet announced (expire_sessions has not run): say so, as it would.
                await self.send(
                    text_data=json.dumps({"type": "session_ended", "reason": refused.ended})
                )
                await self.close(code=CLOSE_ENDED)
            elif refused.forbidden:
                await self.close(code=CLOSE_NOT_FOUND)
            else:
                # Only the screen that pressed is told why (Shock before a charge, say).
                error = {"type": "error", "action": action.name, "errors": refused.errors}
                await self.send(text_data=json.dumps(error))

    async def deliver(self, event: dict) -> None:
        """Called by the hub with each event of the session; its text is already serialised."""
        if self.pending is not None:
            self.pending.append(event)
            return
        # Under daphne, framed once for every screen (live/wire.py). A failure here reaches the
        # hub, which drops and closes this socket alone.
        protocol = self.scope.get(wire.SCOPE_KEY)
        if protocol is None or not wire.send(protocol, event["text"]):
            await self.send(text_data=event["text"])
        if event["type"] == "monitor.ended":
            await self.close()

    @database_sync_to_async
    def run(self, action: actions.Action, payload: dict) -> actions.Done:
        return actions.run(action, actions.Sender(self.session_id, screen=self.screen), payload)


class ControlConsumer(LiveConsumer):
    """The trainer's control page: sends changes, sees the viewer count and the stream."""

    max_message_chars = CONTROL_MAX_MESSAGE_CHARS
    kind = "control"
    _viewers_task: asyncio.Task | None = None
    _seen_task: asyncio.Task | None = None
    _access_task: asyncio.Task | None = None
    role: str | None = None
    # The session's faculty, by id: their names on the rows of the changes they make.
    names: dict[str, str] = {}

    async def connect(self):
        if await self.refuse_if_restarting():
            return
        if not self.admit():
            await refuse(self, CLOSE_FULL)
            return
        user = self.scope.get("user")
        session = None
        if user is not None and user.is_authenticated:
            session, self.role, self.names = await self.get_session(
                self.scope["url_route"]["kwargs"]["pk"], user
            )
        if session is None:
            await refuse(self, CLOSE_FORBIDDEN)
            return
        self.kinds = actions.kinds_of(self.role)
        if not session.is_open():
            await refuse(self, CLOSE_ENDED)
            return
        session_id = str(session.pk)
        group = control_group(session_id)
        if not await get_hub().subscribe(group, self, settings.MAX_SOCKETS_PER_SESSION):
            await refuse(self, CLOSE_FULL)
            return
        self.session_id = session_id
        get_hub().end_at(session_id, session.expires_at)
        schedule_due_step(session)
        # The hub delivers from its own task, outside this connection's language.
        self.language = translation.get_language()
        await self.accept()
        self.log_open()
        await self.send_viewers()
        self._seen_task = asyncio.create_task(self.keep_screens_seen())

    async def leave_session(self, hub) -> None:
        for task in (self._viewers_task, self._seen_task, self._access_task):
            if task is not None:
                task.cancel()
        await hub.unsubscribe(control_group(self.session_id), self)

    async def refuse_message(self, text: str, message: dict | None = None) -> None:
        request_id = message.get("request_id") if message else None
        await self.send_error(request_id, {"message": text})

    async def handle(self, message: dict) -> None:
        request_id = message.get("request_id")
        message_type = message.get("type")
        if message_type == "ping":
            await self.send(text_data=pong())
            return
        action = actions.for_sender(message_type, self.kinds)
        if action is None and actions.watch_only(message_type, self.kinds):
            errors = {"type": actions.read_only_message(self.kinds)}
            await self.send_error(request_id, errors, code=actions.READ_ONLY)
            return
        if action is not None and action.uploads:
            # A file does not travel on the live link: the page posts it (docs/protocol.md).
            message = _("Send an image with its form: a file does not travel on the live link.")
            await self.send_error(request_id, {"type": message})
            return
        if action is None:
            errors = {"type": _("Unknown message type: %(type)s.") % {"type": message_type}}
            await self.send_error(request_id, errors)
            return
        try:
            done = await self.perform(action, message)
        except actions.Refused as refused:
            if refused.forbidden and await self.check_access():
                # The role changed a moment before this change reached the database (the
                # owner made this co-trainer an observer): watching, not lost.
                errors = {"type": actions.read_only_message(self.kinds)}
                await self.send_error(request_id, errors, code=actions.READ_ONLY)
                return
            await self.send_error(request_id, refused.errors)
            if refused.forbidden:
                await self.close(code=CLOSE_FORBIDDEN)
            elif refused.ended:
                await self.send_json({"type": "session_ended", "reason": refused.ended})
                await self.close(code=CLOSE_ENDED)
            return
        # The page shows `message`, in its language, as the sending form's status.
        ack = {"type": "ack", "request_id": request_id, "message": str(action.done), **done.reply}
        await self.send_json(ack)

    async def send_error(self, request_id, errors: dict, code: str | None = None) -> None:
        error = {"type": "error", "request_id": request_id, "errors": errors}
        if code is not None:
            error["code"] = code
        await self.send_json(error)

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_viewers(self) -> None:
        connected = await viewers.connected(self.session_id)
        if connected is None:
            # The cache is unreachable: the page shows the count as unknown.
            await self.send_json({"type": "viewers", "count": None})
            return
        count, described = connected
        with translation.override(self.language):
            html = {"screens": fragments.screen_list(count, described)}
        await self.send_json({"type": "viewers", "count": count, "html": html})

    async def keep_screens_seen(self) -> None:
        """The list's "last seen" moves with the hubs' refreshes, which tell no one: read it
        again as often as they write it."""
        while True:
            await asyncio.sleep(fanout.REFRESH_SECONDS)
            await self.send_viewers()

    async def deliver(self, event: dict) -> None:
        """Called by the hub with each event of the session's control group."""
        if event["type"] == "viewers.changed":
            # Read the count beside the hub's loop, not in it: the cache may be slow or down.
            if self._viewers_task is None or self._viewers_task.done():
                self._viewers_task = asyncio.create_task(self.send_viewers())
            return
        if event["text"] == ACCESS_CHANGED:
            # Beside the hub's loop too: it reads the database.
            if self._access_task is None or self._access_task.done():
                self._access_task = asyncio.create_task(self.check_access())
            return
        await self.send(text_data=self.with_fragments(event["text"]))
        if event["type"] == "monitor.ended":
            await self.close()

    def with_fragments(self, text: str) -> str:
        """The message, with the page's fragments it changes rendered in the page's language."""
        message = json.loads(text)
        with translation.override(self.language):
            html = fragments.for_message(message, self.names)
        return text if html is None else json.dumps({**message, "html": html})

    async def check_access(self) -> bool:
        """The team changed: a trainer who lost the session loses the page at once (False); one
        whose role changed is told, and the page reloads with the controls of the new role."""
        session, role, self.names = await self.get_session(self.session_id, self.scope["user"])
        if session is None:
            await self.send_json({"type": "access_revoked"})
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        if role != self.role:
            self.role, self.kinds = role, actions.kinds_of(role)
            await self.send_json({"type": "access_changed", "role": role})
        return True

    # Database.

    @database_sync_to_async
    def get_session(self, pk, user) -> tuple[Session | None, str | None, dict]:
        """The session, the trainer's role on it, and its faculty's names; (None, None, {})
        when it is none of theirs."""
        session = access.sessions_for(user).filter(pk=pk).select_related("trainer").first()
        if session is None:
            return None, None, {}
        return session, access.role_on(user, session), access.faculty_names(session)

    @database_sync_to_async
    def run(self, action: actions.Action, payload: dict) -> actions.Done:
        return actions.run(action, actions.Sender(self.session_id, self.scope["user"]), payload)
