"""The ``turn`` node runs a whole utterance in one super-step and changes nothing else.

The reference is the interview graph as it was before the steps were folded into one node:
every step of :mod:`media_host.intake_agent.nodes` a graph node of its own, joined by the same
routers. Both graphs answer the same scripted interviews; their states must be equal after
every turn.
"""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from media_host.intake_agent import nodes
from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.graph import IntakeGraph, build_graph
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.state import IntakeState, intake_serializer
from tests.agent_graph.test_agent_facade import FAIL_MARKER, FlakyExtractor

SCRIPTS = {
    "headache to the end": [
        "yes, that's fine",
        "I've had a headache since yesterday",
        "it came on gradually",
        "it's about 5 out of 10",
        "at the front of my head",
        "no",
        "no",
        "I don't know",
        "no fever and no neck stiffness",
        "no",
        "no",
        "I'm 34 years old",
        "female",
        "no",
        "I take ibuprofen sometimes",
        "no allergies",
        "yes that's right",
    ],
    "emergency mid interview": [
        "yes",
        "I have chest pain",
        "it's crushing, it spreads to my left arm and jaw, and I'm sweating and short of breath",
    ],
    "consent declined": ["no, I don't want to do this"],
    "symptoms first, then a red flag question answered yes": [
        "I've had a fever and a stiff neck since this morning",
        "yes",
        "yes",
        "yes",
    ],
}


def _reference_graph(lexicon: Lexicon) -> IntakeGraph:
    """One graph node per step, as the interview graph was built before (D70)."""

    def bind(fn: Any, **deps: Any) -> Any:
        async def run(state: IntakeState) -> Any:
            return fn(state, **deps)

        run.__name__ = fn.__name__
        return run

    extractor = RulesExtractor()
    builder = StateGraph(IntakeState)
    builder.add_node("greet", bind(nodes.greet))
    builder.add_node("extract", bind(nodes.extract, extractor=extractor))
    for name in ("safety", "update", "plan", "respond"):
        builder.add_node(name, bind(getattr(nodes, name), lexicon=lexicon))
    for name in ("conclude", "emergency", "close"):
        builder.add_node(name, bind(getattr(nodes, name)))
    builder.add_conditional_edges(START, bind(nodes.route_start), ["greet", "extract"])
    builder.add_edge("greet", END)
    builder.add_edge("extract", "safety")
    builder.add_edge("safety", "update")
    builder.add_conditional_edges("update", bind(nodes.route_after_update), ["emergency", "plan"])
    builder.add_conditional_edges(
        "plan", bind(nodes.route_after_plan), ["respond", "conclude", "close"]
    )
    for terminal in ("respond", "conclude", "emergency", "close"):
        builder.add_edge(terminal, END)
    return builder.compile(checkpointer=InMemorySaver(serde=intake_serializer()))


def _comparable(values: dict[str, Any]) -> dict[str, Any]:
    """The state without the summary's wall-clock timestamp."""
    out = dict(values)
    if out.get("summary") is not None:
        out["summary"] = out["summary"].model_copy(update={"completed_at": None})
    return out


@pytest.mark.parametrize("script", list(SCRIPTS))
async def test_one_node_turn_gives_the_same_state_as_one_node_per_step(script: str) -> None:
    lexicon = load_lexicon()
    graphs = {
        "turn node": build_graph(
            extractor=RulesExtractor(),
            checkpointer=InMemorySaver(serde=intake_serializer()),
            lexicon=lexicon,
        ),
        "node per step": _reference_graph(lexicon),
    }
    config: Any = {"configurable": {"thread_id": script}}
    start = {"session_id": script, "language": "en", "turn_input": {"kind": "start"}}
    states: dict[str, list[dict[str, Any]]] = {name: [] for name in graphs}
    for name, graph in graphs.items():
        await graph.ainvoke(start, config, durability="exit")
        for n, text in enumerate(SCRIPTS[script]):
            turn_input = {"kind": "utterance", "item_id": f"item-{n}", "text": text}
            result = await graph.ainvoke({"turn_input": turn_input}, config, durability="exit")
            states[name].append(_comparable(result))
            if result.get("ended"):
                break
    assert states["turn node"] == states["node per step"]
    assert states["turn node"][-1]["ended"] or script.startswith("symptoms first")


async def test_an_utterance_is_one_super_step_and_an_ending_two() -> None:
    graph = build_graph(extractor=RulesExtractor(), checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "steps"}}
    start = {"session_id": "steps", "language": "en", "turn_input": {"kind": "start"}}
    await graph.ainvoke(start, config)

    async def nodes_run(text: str, item_id: str) -> list[str]:
        turn_input = {"kind": "utterance", "item_id": item_id, "text": text}
        ran: list[str] = []
        async for update in graph.astream(
            {"turn_input": turn_input}, config, stream_mode="updates", durability="exit"
        ):
            ran.extend(update)
        return ran

    assert await nodes_run("yes", "i1") == ["turn"]
    assert await nodes_run("I have chest pain", "i2") == ["turn"]
    crushing = "it's crushing, it spreads to my left arm and jaw, and I'm sweating"
    assert await nodes_run(crushing, "i3") == ["turn", "emergency"]


async def test_a_restored_turn_leaves_nothing_scheduled() -> None:
    agent = IntakeAgent(extractor=FlakyExtractor())
    await agent.start_session("restored", "en")
    await agent.handle_utterance("restored", item_id="i1", text="yes")

    turn = await agent.handle_utterance("restored", item_id="i2", text=FAIL_MARKER)

    assert turn.notices == ["internal error while processing the utterance; state kept"]
    snapshot = await agent.graph.aget_state({"configurable": {"thread_id": "restored"}})
    assert snapshot.next == ()  # the restored checkpoint does not run a node on its own
    turn = await agent.handle_utterance("restored", item_id="i3", text="I have a headache")
    assert not turn.reply.end_of_interview and turn.notices == []
