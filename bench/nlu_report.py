"""Renders the bench/nlu results (var/bench-nlu/*.json) as a Markdown table.

With `--docs FILE`, replaces the text between the bench/nlu markers in FILE
(docs/benchmarks.md) with the table; otherwise prints it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

BEGIN = "<!-- bench/nlu:begin -->"
END = "<!-- bench/nlu:end -->"
SETS = {"heldout": "held-out (project)", "ru-intents": "ru-intents (public)"}


def _cell(row: dict, key: str, fmt: str = "{:.3f}") -> str:
    value = row.get(key)
    return "—" if value is None else fmt.format(value)


def table(results: list[dict]) -> str:
    lines = [
        "| set | pipeline | in-scope acc. | macro F1 | OOS recall | OOS precision | training s"
        " | parse p50 / p99 ms | server RSS MB | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {name: i for i, name in enumerate(SETS)}
    for row in sorted(results, key=lambda r: (order.get(r["set"], 9), r["config"])):
        extra = ""
        if "fallback_rate" in row:
            extra = f" (with its fallback: {row['accuracy_with_fallback']:.3f}, {row['fallback_rate']:.1%} withheld)"
        lines.append(
            f"| {SETS.get(row['set'], row['set'])} | `{row['config']}` | {_cell(row, 'in_scope_accuracy')}{extra}"
            f" | {_cell(row, 'macro_f1')} | {_cell(row, 'oos_recall')} | {_cell(row, 'oos_precision')}"
            f" | {row['train_s']:.0f} | {row['parse_p50_ms']:.1f} / {row['parse_p99_ms']:.1f}"
            f" | {row.get('server_rss_mb') or '—'} | {row.get('load_avg_1m', '—')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--docs", type=Path)
    args = parser.parse_args()
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(args.results.glob("*.json"))]
    rendered = table(results)
    print(rendered)
    if args.docs:
        text = args.docs.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            args.docs.write_text(f"{head}{BEGIN}\n{rendered}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
