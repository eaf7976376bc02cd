"""Websocket consumers: trainee screens watch a session, the trainer's control page drives it.

Neither writes to the database on its own: every action goes through services (or scenarios),
which store it and broadcast after commit.
"""

import json
import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app import scenarios, services, viewers, vitals
from sessions_app.fanout import get_hub
from sessions_app.groups import control_group
from sessions_app.models import Session

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4410
CLOSE_TOO_MANY = 4429


async def refuse(consumer: AsyncWebsocketConsumer, code: int) -> None:
    """Accept, then close with `code`: a socket closed before accept() reaches the browser as
    an HTTP 403 and close code 1006, and the page could not tell why."""
    await consumer.accept()
    await consumer.close(code=code)


def pong() -> str:
    # The server's clock: screens place trends and cuff cycles on it (see trends.js).
    return json.dumps({"type": "pong", "now": timezone.now().isoformat()})


class MonitorConsumer(AsyncWebsocketConsumer):
    """A trainee screen: receives the snapshot, then every change; it can start the cuff and
    silence the alarms, nothing else."""

    # Reached through the process's hub, not a layer channel of its own (see fanout.py).
    channel_layer_alias = None
    session_id = None
    pending: list[dict] | None = None

    async def connect(self):
        address = (self.scope.get("client") or ("",))[0]
        if await self.throttled(address):
            await refuse(self, CLOSE_TOO_MANY)
            return
        session = await self.get_session(self.scope["url_route"]["kwargs"]["code"])
        if session is None:
            await self.record_failure(address)
            await refuse(self, CLOSE_NOT_FOUND)
            return
        if not session.is_open():
            await refuse(self, CLOSE_ENDED)
            return
        await self.accept()
        # Messages that reach the hub before the snapshot is sent wait, so they cannot be
        # overtaken by an older snapshot.
        self.pending = []
        self.session_id = str(session.pk)
        await get_hub().add_screen(self.session_id, self)
        # Read again after subscribing: no change can fall between snapshot and stream.
        await self.send(text_data=await self.snapshot(session.code))
        pending, self.pending = self.pending, None
        for event in pending:
            await self.deliver(event)

    async def disconnect(self, code):
        if self.session_id is not None:
            await get_hub().remove_screen(self.session_id, self)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except ValueError:
            return
        message_type = message.get("type") if isinstance(message, dict) else None
        if message_type == "ping":
            await self.send(text_data=pong())
        elif message_type in ("start_nibp", "silence_alarms"):
            # The trainee's two buttons; the answer comes back as a broadcast to every screen.
            try:
                await self.act(message_type)
            except services.SessionNotOpen as ended:
                # Ended but not yet announced (expire_sessions has not run): say so, as it would.
                await self.send(
                    text_data=json.dumps({"type": "session_ended", "reason": ended.reason})
                )
                await self.close(code=CLOSE_ENDED)
            except Session.DoesNotExist:
                await self.close(code=CLOSE_NOT_FOUND)
            except services.NothingToSilence:
                pass

    async def deliver(self, event: dict) -> None:
        """Called by the hub with each event of the session; its text is already serialised."""
        if self.pending is not None:
            self.pending.append(event)
            return
        try:
            await self.send(text_data=event["text"])
            if event["type"] == "monitor.ended":
                await self.close()
        except Exception:
            # A socket that died between messages must not stop the hub's loop.
            logger.info("Dropped a message for a closed screen", exc_info=True)

    @database_sync_to_async
    def get_session(self, code: str) -> Session | None:
        return services.find_session_by_code(code)

    @database_sync_to_async
    def snapshot(self, code: str) -> str:
        return json.dumps(services.monitor_state(services.find_session_by_code(code)))

    @database_sync_to_async
    def act(self, message_type: str) -> None:
        if message_type == "start_nibp":
            services.start_nibp(self.session_id)
        else:
            services.silence_alarms(self.session_id)

    # Unknown codes count against the client like failed joins: guessing does not pay.

    @sync_to_async
    def throttled(self, address: str) -> bool:
        return services.join_retry_after(address) is not None

    @sync_to_async
    def record_failure(self, address: str) -> None:
        services.record_failed_join(address)


class ControlConsumer(AsyncWebsocketConsumer):
    """The trainer's control page: sends changes, sees the viewer count and the stream."""

    channel_layer_alias = None
    session_id = None

    async def connect(self):
        user = self.scope.get("user")
        session = None
        if user is not None and user.is_authenticated:
            session = await self.get_own_session(self.scope["url_route"]["kwargs"]["pk"], user)
        if session is None:
            await refuse(self, CLOSE_FORBIDDEN)
            return
        if not session.is_open():
            await refuse(self, CLOSE_ENDED)
            return
        self.session_id = str(session.pk)
        await self.accept()
        await get_hub().subscribe(control_group(self.session_id), self)
        await self.send_viewers()

    async def disconnect(self, code):
        if self.session_id is not None:
            await get_hub().unsubscribe(control_group(self.session_id), self)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data or "")
        except ValueError:
            await self.send_error(None, {"message": _("Malformed JSON.")})
            return
        if not isinstance(message, dict):
            await self.send_error(None, {"message": _("A message must be a JSON object.")})
            return
        request_id = message.get("request_id")
        message_type = message.get("type")
        if message_type == "ping":
            await self.send(text_data=pong())
        elif message_type in self.ACTIONS:
            await self.run_action(request_id, message)
        else:
            errors = {"type": _("Unknown message type: %(type)s.") % {"type": message_type}}
            await self.send_error(request_id, errors)

    # What the control page can ask for; each is one services call, answered by an ack or error.
    ACTIONS = (
        "set_vitals",
        "stop_trend",
        "set_alarm_limits",
        "start_nibp",
        "set_nibp_interval",
        "apply_step",
    )

    async def run_action(self, request_id, message: dict) -> None:
        try:
            ack = await self.apply(message)
        except vitals.VitalsError as error:
            await self.send_error(request_id, error.errors)
        except services.NoTrend:
            await self.send_error(request_id, {"trend": _("No trend is in progress.")})
        except Session.DoesNotExist:
            await self.send_error(request_id, {"session": _("This session is not yours.")})
            await self.close(code=CLOSE_FORBIDDEN)
        except services.SessionNotOpen as ended:
            await self.send_error(request_id, {"session": _("This session has ended.")})
            await self.send_json({"type": "session_ended", "reason": ended.reason})
            await self.close(code=CLOSE_ENDED)
        else:
            await self.send_json({"type": "ack", "request_id": request_id, **ack})

    async def send_error(self, request_id, errors: dict) -> None:
        await self.send_json({"type": "error", "request_id": request_id, "errors": errors})

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    async def send_viewers(self) -> None:
        await self.send_json({"type": "viewers", "count": await viewers.total(self.session_id)})

    async def deliver(self, event: dict) -> None:
        """Called by the hub with each event of the session's control group."""
        if event["type"] == "viewers.changed":
            await self.send_viewers()
            return
        await self.send(text_data=event["text"])
        if event["type"] == "monitor.ended":
            await self.close()

    # Database.

    @database_sync_to_async
    def get_own_session(self, pk, user) -> Session | None:
        return Session.objects.filter(pk=pk, trainer=user).first()

    @database_sync_to_async
    def apply(self, message: dict) -> dict:
        """Run one action for the logged-in trainer; returns what its ack adds."""
        mine = {"trainer": self.scope["user"]}
        match message["type"]:
            case "set_vitals":
                change = services.apply_vitals(
                    self.session_id,
                    message.get("values"),
                    transition_seconds=message.get("transition_seconds", 0),
                    **mine,
                )
                return {"event_id": str(change.event.id), "broadcast": change.broadcast}
            case "stop_trend":
                change = services.stop_trend(self.session_id, **mine)
                return {"event_id": str(change.event.id), "broadcast": change.broadcast}
            case "set_alarm_limits":
                limits = services.set_alarm_limits(self.session_id, message.get("limits"), **mine)
                return {"limits": limits}
            case "start_nibp":
                started_at = services.start_nibp(self.session_id, **mine)
                return {"started_at": started_at.isoformat()}
            case "set_nibp_interval":
                minutes = services.set_nibp_interval(
                    self.session_id, message.get("minutes"), **mine
                )
                return {"minutes": minutes}
            case "apply_step":
                # Without an index, the next step.
                change = scenarios.apply_step(self.session_id, message.get("index"), **mine)
                return {
                    "event_id": str(change.event.id),
                    "broadcast": change.broadcast,
                    "step": change.event.detail["step"],
                }
