"""Assembly of the intake interview as a compiled LangGraph ``StateGraph``.

::

    START -route_start-+-> greet ------------------------------------------> END
                       |
                       +-> extract -> safety -> update -route_after_update-+
                                                                           |
                 END <- emergency <------------------- new emergency flag -+
                                                                           |
                 plan <-------------------------------------- otherwise ---+
                   |
                   +-route_after_plan-+-> respond --> END
                                      +-> conclude -> END
                                      +-> close ----> END

One graph run handles one input (session start or one patient utterance); the state between
runs lives in the checkpointer under ``thread_id = session id``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

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


def _extract_node(extractor: Extractor) -> Any:
    """The extract node: inline for the rules backend, in a worker thread for network backends
    (a blocking HTTP call must never stall the media host's event loop)."""
    inline = isinstance(extractor, RulesExtractor)

    async def extract(state: IntakeState) -> dict[str, Any]:
        if inline:
            return nodes.extract(state, extractor=extractor)
        return await asyncio.to_thread(nodes.extract, state, extractor=extractor)

    return extract


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
    builder.add_node("extract", _extract_node(extractor), trace_policy=_NO_PAYLOAD)
    builder.add_node("safety", _inline(nodes.safety, lexicon=lex), trace_policy=_NO_PAYLOAD)
    builder.add_node("update", _inline(nodes.update, lexicon=lex), trace_policy=_NO_PAYLOAD)
    builder.add_node("plan", _inline(nodes.plan, lexicon=lex), trace_policy=_NO_PAYLOAD)
    builder.add_node("respond", _inline(nodes.respond, lexicon=lex), trace_policy=_NO_PAYLOAD)
    builder.add_node("conclude", _inline(nodes.conclude), trace_policy=_NO_PAYLOAD)
    builder.add_node("emergency", _inline(nodes.emergency), trace_policy=_NO_PAYLOAD)
    builder.add_node("close", _inline(nodes.close), trace_policy=_NO_PAYLOAD)

    builder.add_conditional_edges(START, _inline(nodes.route_start), ["greet", "extract"])
    builder.add_edge("greet", END)
    builder.add_edge("extract", "safety")
    builder.add_edge("safety", "update")
    builder.add_conditional_edges(
        "update", _inline(nodes.route_after_update), ["emergency", "plan"]
    )
    builder.add_conditional_edges(
        "plan", _inline(nodes.route_after_plan), ["respond", "conclude", "close"]
    )
    for terminal in ("respond", "conclude", "emergency", "close"):
        builder.add_edge(terminal, END)
    return builder.compile(checkpointer=checkpointer, name="intake_interview")
