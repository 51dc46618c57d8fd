"""Subprocess worker for the fresh-process resume test: runs turns of one session against
Table Storage (Azurite) and prints what happened as JSON on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json

from media_host.intake_agent.agent import IntakeAgent
from tests.support.checkpoints import open_saver


async def main(args: argparse.Namespace) -> None:
    async with open_saver(args.connection_string, args.table) as saver:
        await run(IntakeAgent(checkpointer=saver), args)


async def run(agent: IntakeAgent, args: argparse.Namespace) -> None:
    replies: list[dict[str, object]] = []
    out: dict[str, object] = {"replies": replies}
    start = await agent.start_session(args.session, args.lang)
    out["start"] = start.model_dump()
    for n, text in enumerate(args.utterance):
        turn = await agent.handle_utterance(args.session, item_id=f"{args.prefix}{n}", text=text)
        replies.append(turn.reply.model_dump())
    values = (await agent.graph.aget_state({"configurable": {"thread_id": args.session}})).values
    out["turn"] = values["turn"]
    out["phase"] = values["phase"]
    out["findings"] = sorted(values["findings"])
    out["asked"] = values["asked"]
    out["transcript_items"] = [r.item_id for r in values["transcript_refs"]]
    print(json.dumps(out))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--connection-string", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--session", required=True)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--prefix", default="item-")
    parser.add_argument("--utterance", action="append", default=[])
    asyncio.run(main(parser.parse_args()))
