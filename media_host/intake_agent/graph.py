"""Assembly of the intake interview as a compiled LangGraph ``StateGraph``.

::

    START ─route_start─┬─> greet ──────────────────────────────────────────────> END
                       └─> receive -> extract -> safety -> update ─route_after_update─┐
                                                                                      │
          ┌──────────── emergency <──────────────────────────────────────── emergency ┤
          │                                                                           │
          │        plan <─────────────────────────────────────────────────────── plan ┘
          │          └─route_after_plan─┬─> respond ──> END
          │                             ├─> conclude ─> END
          └─> END                       └─> close ────> END

One graph run handles one input (session start or one patient utterance); the state between
runs lives in the checkpointer under ``thread_id = session id``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from media_host.intake_agent import nodes
from media_host.intake_agent.extraction.base import Extractor
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.state import IntakeState

IntakeGraph = CompiledStateGraph[Any, Any, Any, Any]


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
    builder.add_node("greet", nodes.greet)
    builder.add_node("receive", nodes.receive)
    builder.add_node("extract", partial(nodes.extract, extractor=extractor))
    builder.add_node("safety", partial(nodes.safety, lexicon=lex))
    builder.add_node("update", partial(nodes.update, lexicon=lex))
    builder.add_node("plan", partial(nodes.plan, lexicon=lex))
    builder.add_node("respond", partial(nodes.respond, lexicon=lex))
    builder.add_node("conclude", nodes.conclude)
    builder.add_node("emergency", nodes.emergency)
    builder.add_node("close", nodes.close)

    builder.add_conditional_edges(START, nodes.route_start, ["greet", "receive"])
    builder.add_edge("greet", END)
    builder.add_edge("receive", "extract")
    builder.add_edge("extract", "safety")
    builder.add_edge("safety", "update")
    builder.add_conditional_edges("update", nodes.route_after_update, ["emergency", "plan"])
    builder.add_conditional_edges("plan", nodes.route_after_plan, ["respond", "conclude", "close"])
    for terminal in ("respond", "conclude", "emergency", "close"):
        builder.add_edge(terminal, END)
    return builder.compile(checkpointer=checkpointer, name="intake_interview")
