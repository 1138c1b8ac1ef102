"""Webhook deliveries: check the signature, turn the JSON body into run inputs, start the run once
per delivery id, and optionally wait for its output.

No Litestar here: `backend/triggers/routes.py` maps these outcomes to HTTP answers.
"""

from __future__ import annotations

import asyncio
import json
import logging

from pydantic import JsonValue

from backend.credentials.crypto import SecretBox, SecretKeyError
from backend.problems import NotFound
from backend.runs.records import InvalidRunInputs
from backend.runs.repository import RunRepository
from backend.runs.starting import RunStarter
from backend.runs.store import RunOrigin
from backend.triggers.outcomes import (
    MAX_WAIT_SECONDS,
    BadSignature,
    Delivered,
    HookNotFound,
    InvalidDelivery,
    Started,
)
from backend.triggers.records import TriggerKind, TriggerRecord
from backend.triggers.repository import TriggerRepository, Webhook, record_fire
from backend.triggers.signatures import signature_matches
from backend.workflows.service import parse_id
from engine.graph import Problem
from engine.records import RunRecord
from engine.value_policy import text_problem

log = logging.getLogger(__name__)

MAX_DELIVERY_ID = 200


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_body(body: bytes) -> JsonValue | InvalidDelivery:
    if not body.strip():
        return {}
    try:
        value: JsonValue = json.loads(body, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        problem = Problem(code="INVALID_JSON", message=f"the body is not JSON: {exc}", path=None)
        return InvalidDelivery(code="INVALID_JSON", problems=(problem,))
    return value


def _delivery_problem(delivery_id: str) -> InvalidDelivery | None:
    reason = text_problem(delivery_id)
    if reason is None and 0 < len(delivery_id) <= MAX_DELIVERY_ID:
        return None
    message = (
        f"the delivery id {reason}" if reason else f"a delivery id has 1 to {MAX_DELIVERY_ID} characters"
    )
    problem = Problem(code="INVALID_DELIVERY_ID", message=message, path=None)
    return InvalidDelivery(code="INVALID_DELIVERY_ID", problems=(problem,))


class Deliveries:
    """Receives webhook deliveries (`POST /hooks/{trigger id}`)."""

    def __init__(
        self, repository: TriggerRepository, box: SecretBox, starter: RunStarter, runs: RunRepository
    ) -> None:
        self._repository = repository
        self._box = box
        self._starter = starter
        self._runs = runs

    async def deliver(
        self, trigger_id: str, body: bytes, *, signature: str | None, delivery_id: str | None
    ) -> Delivered:
        """Start the webhook's workflow with the body as inputs (once per delivery id)."""
        uuid = parse_id(trigger_id)
        hook = None if uuid is None else await self._repository.webhook(uuid)
        if hook is None:
            return HookNotFound()
        refused = self._check_signature(hook, body, signature)
        if refused is not None:
            return refused
        trigger = hook.trigger
        if delivery_id is not None:
            earlier = _delivery_problem(delivery_id) or await self._delivered(trigger, delivery_id)
            if earlier is not None:
                return earlier
        run = await self._prepare(trigger, body)
        if not isinstance(run, RunRecord):
            return run
        async with self._repository.pool.acquire() as connection, connection.transaction():
            # the fire first: its unique (trigger, delivery id) decides which of two concurrent
            # deliveries starts the run; the run's foreign key is checked at commit
            if not await record_fire(connection, trigger, run.id, delivery_id=delivery_id):
                recorded = None
            else:
                origin = RunOrigin(trigger.id, TriggerKind.WEBHOOK.value)
                await self._starter.create(run, origin=origin, connection=connection)
                recorded = run
        if recorded is None and delivery_id is not None:
            return await self._delivered(trigger, delivery_id) or HookNotFound()
        await self._starter.admit(trigger.workspace_id)
        return Started(run=run, replayed=False)

    async def _prepare(self, trigger: TriggerRecord, body: bytes) -> RunRecord | Delivered:
        inputs = _parse_body(body)
        if isinstance(inputs, InvalidDelivery):
            return inputs
        run = await self._starter.prepare(trigger.workspace_id, str(trigger.workflow_id), inputs)
        if isinstance(run, InvalidRunInputs):
            return InvalidDelivery(code="INVALID_INPUTS", problems=run.problems)
        if isinstance(run, NotFound):  # the workflow was deleted: the webhook went with it
            return HookNotFound()
        return run

    async def wait(self, run: RunRecord, seconds: float) -> RunRecord:
        """The run once it ended, or as it is after `seconds` (at most `MAX_WAIT_SECONDS`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(seconds, 0.0), MAX_WAIT_SECONDS)
        pause = 0.02
        current = run
        while not current.status.terminal:
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, 0.25)
            current = await self._runs.get(run.workspace_id, run.id) or current
        return current

    def _check_signature(self, hook: Webhook, body: bytes, signature: str | None) -> BadSignature | None:
        if signature is None and not hook.trigger.require_signature:
            return None
        if signature is None:
            return BadSignature("this webhook requires an X-Flowloom-Signature header")
        if hook.secret is None:
            return BadSignature("this webhook has no secret")
        try:
            secret = self._box.decrypt(hook.secret)
        except SecretKeyError:
            log.exception("the secret of webhook %s cannot be decrypted", hook.trigger.id)
            return BadSignature("the webhook's secret cannot be read; rotate it")
        if not signature_matches(secret, body, signature):
            return BadSignature("the X-Flowloom-Signature does not match the body")
        return None

    async def _delivered(self, trigger: TriggerRecord, delivery_id: str) -> Started | None:
        run_id = await self._repository.delivered_run(trigger.id, delivery_id)
        if run_id is None:
            return None
        run = await self._runs.get(trigger.workspace_id, run_id)
        return None if run is None else Started(run=run, replayed=True)
