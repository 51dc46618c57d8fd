"""Assembly of the intake interview as a compiled LangGraph ``StateGraph``.

::

    START -route_start-+-> greet -----------------------------------> END
                       |
                       +-> turn -route_after_turn-+-----------------> END   (reply ready)
                                                  +-> emergency ----> END
                                                  +-> conclude -----> END
                                                  +-> close --------> END

One graph run handles one input (session start or one patient utterance); the state between
runs lives in the checkpointer under ``thread_id = session id``.

``turn`` runs the per-utterance steps of :mod:`.nodes` in order — ``extract`` → ``safety`` →
``update`` → (``route_after_update``) → ``plan`` → (``route_after_plan``) → ``respond`` — each
step seeing the state as the steps before it left it, exactly as successive LangGraph
super-steps over last-value channels would. They are one node because every LangGraph
super-step costs about half a millisecond of bookkeeping (task preparation, callback managers,
channel versioning) while each step is tens of microseconds of pure CPU work with no
parallelism, interrupt or intermediate checkpoint between them (turns run with
``durability="exit"``); see D70 in ``docs/decisions.md``. The endings stay graph nodes: they run
once per interview.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, Literal, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import TracePolicy, omit_payload

from media_host.intake_agent import nodes
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.extraction.base import Extractor
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.state import IntakeState

IntakeGraph = CompiledStateGraph[Any, Any, Any, Any]

# Node inputs and outputs are patient data: if tracing (e.g. LangSmith) is ever switched on,
# node spans keep their timing but never record payloads.
_NO_PAYLOAD = TracePolicy(process_inputs=omit_payload, process_outputs=omit_payload)


def _inline(fn: Callable[..., Any], **deps: Any) -> Any:
    """Run a pure, fast node or router on the event loop.

    LangGraph runs plain functions of an async graph in a thread pool; for sub-millisecond CPU
    work the thread hand-off costs more than the work, so nodes are wrapped as coroutines.
    """

    async def run(state: IntakeState) -> Any:
        return fn(state, **deps)

    run.__name__ = run.__qualname__ = fn.__name__
    return run


Step = Callable[[IntakeState], dict[str, Any]]


def _turn_node(extractor: Extractor, lexicon: Lexicon) -> Any:
    """The per-utterance node: every step of a turn in order, in one super-step.

    Each step sees the state as the steps before it left it (their partial updates folded in,
    last value wins) and the node returns every channel a step wrote: the same state a chain
    of graph nodes over last-value channels would produce. Extraction runs inline for the rules
    backend and in a worker thread for network backends (a blocking HTTP call must never stall
    the media host's event loop); the other steps are pure, fast CPU work and run inline.
    """
    inline = isinstance(extractor, RulesExtractor)
    safety: Step = partial(nodes.safety, lexicon=lexicon)
    update: Step = partial(nodes.update, lexicon=lexicon)
    plan: Step = partial(nodes.plan, lexicon=lexicon)
    respond: Step = partial(nodes.respond, lexicon=lexicon)

    async def turn(state: IntakeState) -> dict[str, Any]:
        if inline:
            written = nodes.extract(state, extractor=extractor)
        else:
            written = await asyncio.to_thread(nodes.extract, state, extractor=extractor)
        view: dict[str, Any] = {**state, **written}
        current = cast(IntakeState, view)  # the same dict, as the nodes see it

        def run(step: Step) -> None:
            changes = step(current)
            view.update(changes)
            written.update(changes)

        run(safety)
        run(update)
        if nodes.route_after_update(current) == "plan":
            run(plan)
            if nodes.route_after_plan(current) == "respond":
                run(respond)
        return written

    return turn


def _route_start(state: IntakeState) -> Literal["greet", "turn"]:
    return "greet" if nodes.route_start(state) == "greet" else "turn"


def route_after_turn(state: IntakeState) -> str:
    """Where a turn goes next: an ending node, or END when the reply (a question) is ready.

    The same decisions the ``turn`` node took, read back from the state it wrote.
    """
    if nodes.route_after_update(state) == "emergency":
        return "emergency"
    after_plan = nodes.route_after_plan(state)
    return END if after_plan == "respond" else after_plan


def build_graph(
    *,
    extractor: Extractor,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    lexicon: Lexicon | None = None,
) -> IntakeGraph:
    """Build and compile the interview graph.

    Args:
        extractor: The extraction backend (rules or azure_openai).
        checkpointer: Where interview state persists between turns; ``None`` keeps no state
            between runs (only useful for single-run tests).
        lexicon: Symptom lexicon; defaults to the packaged one.

    Returns:
        A compiled graph. Invoke it with ``{"turn_input": {...}}`` (plus ``session_id`` and
        ``language`` on start) and ``{"configurable": {"thread_id": session_id}}``.
    """
    lex = lexicon or load_lexicon()
    builder = StateGraph(IntakeState)
    builder.add_node("greet", _inline(nodes.greet), trace_policy=_NO_PAYLOAD)
    builder.add_node("turn", _turn_node(extractor, lex), trace_policy=_NO_PAYLOAD)
    builder.add_node("conclude", _inline(nodes.conclude), trace_policy=_NO_PAYLOAD)
    builder.add_node("emergency", _inline(nodes.emergency), trace_policy=_NO_PAYLOAD)
    builder.add_node("close", _inline(nodes.close), trace_policy=_NO_PAYLOAD)

    builder.add_conditional_edges(START, _inline(_route_start), ["greet", "turn"])
    builder.add_edge("greet", END)
    builder.add_conditional_edges(
        "turn", _inline(route_after_turn), ["emergency", "conclude", "close", END]
    )
    for terminal in ("conclude", "emergency", "close"):
        builder.add_edge(terminal, END)
    return builder.compile(checkpointer=checkpointer, name="intake_interview")
