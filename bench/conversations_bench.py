"""`bench/conversations`: the conversation sets played by a simulated customer
against the real processes (Rasa, actions, desk), with the figures per category.

Reuses the test suite's process runner (tests/conftest.py), so the figures are
of exactly what `make test` exercises. Prints the Markdown table that
docs/benchmarks.md keeps ("## Conversations"); `--failures` also lists every
conversation that did not go as it should, with what the bot did.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.conversation_sim import CONVERSATIONS, Verdict, figures, load_conversations, play, report
from tests.conftest import Stack, start_stack, stop_stack


def play_all(
    stack: Stack, run: str, only: str | None = None, directory: Path = CONVERSATIONS
) -> list[Verdict]:
    verdicts = []
    for conversation in load_conversations(directory):
        if only and conversation["category"] != only and not conversation["id"].startswith(only):
            continue
        verdicts.append(
            play(
                conversation,
                f"sim:{run}:{conversation['id']}",
                stack.say,  # type: ignore[arg-type]
                lambda sender: list(stack.tracker(sender)["events"]),
            )
        )
    return verdicts


def describe(verdict: Verdict) -> str:
    c = verdict.conversation
    what = []
    if verdict.dead_end:
        what.append("dead end")
    if verdict.unneeded_handoff:
        what.append("unneeded handoff")
    if verdict.missed_handoff:
        what.append("no person although needed")
    if c["urgent"] and not verdict.urgent_first:
        what.append(f"urgent, person at turn {verdict.handoff_at_turn}")
    unmet = [n for n, ok in zip(c["needs"], verdict.needs_met, strict=True) if not ok]
    if unmet and not verdict.handed_off:
        what.append(f"unmet {unmet}")
    return f"- {c['id']} [{c['category']}] {c['note']}: {'; '.join(what)}"


def transcript(verdict: Verdict) -> str:
    """What the customer said, what the bot answered, and the actions it ran."""
    t = verdict.transcript
    if t is None:
        return ""
    lines = []
    for said, replies in zip(t.said, t.replies, strict=False):
        lines.append(f"    > {said}")
        for reply in replies:
            buttons = " ".join(f"[{b.get('title')}]" for b in reply.get("buttons") or [])
            lines.append(f"    < {str(reply.get('text') or '')[:160]} {buttons}".rstrip())
    skip = ("action_listen", "action_session_start", "action_read_signal", "None")
    actions = [
        str(e.get("name")) for e in t.events if e.get("event") == "action" and str(e.get("name")) not in skip
    ]
    intents = [
        f"{(e.get('parse_data') or {}).get('intent', {}).get('name')}"
        f"@{(e.get('parse_data') or {}).get('intent', {}).get('confidence') or 0:.2f}"
        f"{'/' + str((e.get('parse_data') or {}).get('signal', {}).get('kind')) if (e.get('parse_data') or {}).get('signal') else ''}"
        for e in t.events
        if e.get("event") == "user"
    ]
    lines.append(f"    intents: {' '.join(intents)}")
    lines.append(f"    actions: {' '.join(actions)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list what went wrong, per conversation")
    parser.add_argument("--only", help="one category, or an id prefix")
    parser.add_argument(
        "--dir",
        type=Path,
        default=CONVERSATIONS,
        help="the conversation set to play (default: the test set, tests/data/conversations;"
        " tune on bench/data/conversations_dev, never on the test set)",
    )
    parser.add_argument(
        "--transcripts",
        action="store_true",
        help="with --failures, print what was said and answered (for the dev set only)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        print("==> starting Rasa, actions and the desk", file=sys.stderr, flush=True)
        stack = start_stack(Path(var))
        try:
            started = time.perf_counter()
            verdicts = play_all(stack, str(int(time.time())), args.only, args.dir)
            elapsed = time.perf_counter() - started
        finally:
            stop_stack(stack)
    print(report(figures(verdicts)))
    print(f"\n{len(verdicts)} conversations in {elapsed:.0f} s", file=sys.stderr)
    if args.failures:
        print()
        for verdict in verdicts:
            if not verdict.handled:
                print(describe(verdict))
                if args.transcripts:
                    print(transcript(verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
