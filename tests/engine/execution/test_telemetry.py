"""The Telemetry port: the engine reports every node attempt and how it ended, and the HTTP tool
sends the headers the port gives while its attempt is open."""

from __future__ import annotations

from engine.nodes.base import HttpSettings
from engine.records import RunStatus
from engine.testing import RecordingTelemetry
from tests.engine.execution.rig import Rig, edge, fails, node, step, workflow
from tests.json_values import at
from tests.servers.counting import CountingServer


async def test_every_attempt_is_reported_with_its_outcome() -> None:
    telemetry = RecordingTelemetry()
    rig = Rig({"flaky": fails(1)}, services={"telemetry": telemetry})

    run_id, status = await rig.run(
        workflow(
            step("flaky", retry={"maxAttempts": 2, "backoffSeconds": 0.01}),
            node("ask", "llm", model="test", prompt="hi"),
            edges=[edge("flaky", "ask")],
        )
    )

    assert status is RunStatus.SUCCEEDED
    seen = [(a.node_id, a.kind, a.attempt, a.outcome) for a in telemetry.attempts]
    assert seen == [
        ("flaky", "template", 1, "failed"),
        ("flaky", "template", 2, "succeeded"),
        ("ask", "llm", 1, "succeeded"),
    ]
    assert telemetry.attempts[0].error == "failure 1"
    ask = telemetry.attempts[2]
    assert ask.run_id == run_id
    assert ask.usage is not None
    assert ask.usage.input_tokens > 0


async def test_the_http_tool_sends_the_open_attempts_headers_and_its_own_win(
    counting: CountingServer,
) -> None:
    telemetry = RecordingTelemetry()
    rig = Rig(services={"telemetry": telemetry, "http": HttpSettings(allowlist=frozenset({"127.0.0.1"}))})

    run_id, status = await rig.run(
        workflow(
            node("plain", "tool", url=f"{counting.url}/plain"),
            node("own", "tool", url=f"{counting.url}/own", headers={"X-Attempt": "mine"}),
        )
    )

    assert status is RunStatus.SUCCEEDED
    outputs = await rig.latest(run_id)
    assert at(outputs["plain"].output, "body", "headers", "x-attempt") == "plain/1"
    assert at(outputs["own"].output, "body", "headers", "x-attempt") == "mine"
