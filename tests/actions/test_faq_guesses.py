"""When an unsure «not ours» gives way to the knowledge base's answer
(actions/faq.py, out_of_scope_is_a_guess): only below UNSURE_OUT_OF_SCOPE and
only when the base is confident, not on any answer it gives."""

from __future__ import annotations

from actions.faq import CONFIDENT_ANSWER, UNSURE_OUT_OF_SCOPE, out_of_scope_is_a_guess


def test_an_unsure_not_ours_gives_way_to_a_confident_answer() -> None:
    assert out_of_scope_is_a_guess(0.25, "сдал ноутбук по гарантии, уже 40 дней", "answer", 0.99)


def test_an_answer_the_base_is_not_sure_of_does_not_overrule_it() -> None:
    assert not out_of_scope_is_a_guess(0.25, "вопрос", "answer", CONFIDENT_ANSWER - 0.01)


def test_a_sure_not_ours_or_no_answer_stays_not_ours() -> None:
    assert not out_of_scope_is_a_guess(UNSURE_OUT_OF_SCOPE, "какая погода в сочи?", "answer", 1.0)
    assert not out_of_scope_is_a_guess(0.2, "какая погода в сочи?", "choices", 1.0)
