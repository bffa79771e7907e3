"""The one-time code that proves a request is yours from another channel:
the right code within ten minutes passes, a wrong one gets two more tries,
and only a salted hash is kept in the conversation."""

from __future__ import annotations

from bot.requests import ownership

NUMBER = "2026120700000042"


def test_the_right_code_passes_and_only_its_hash_is_kept() -> None:
    code = ownership.new_code()
    assert len(code) == 6 and code.isdigit()
    kept = ownership.proof("tg:1", NUMBER, code, now=1000.0)
    assert code not in str(kept)
    assert ownership.check(kept, "tg:1", NUMBER, f"мой код {code}", now=1100.0) == ("ok", None)


def test_wrong_codes_have_three_tries_and_the_code_expires() -> None:
    kept = ownership.proof("tg:1", NUMBER, "123456", now=0.0)
    verdict, kept2 = ownership.check(kept, "tg:1", NUMBER, "000000", now=1.0)
    assert verdict == "retry" and kept2 is not None
    verdict, kept3 = ownership.check(kept2, "tg:1", NUMBER, "не помню", now=2.0)
    assert verdict == "retry"
    assert ownership.check(kept3, "tg:1", NUMBER, "111111", now=3.0) == ("failed", None)
    assert ownership.check(kept, "tg:1", NUMBER, "123456", now=ownership.CODE_TTL_S + 1.0)[0] == "failed"
    # The code is bound to the conversation and the number it was sent for.
    assert ownership.check(kept, "tg:2", NUMBER, "123456", now=1.0)[0] == "retry"
    assert ownership.check(None, "tg:1", NUMBER, "123456", now=1.0)[0] == "failed"


def test_the_proof_survives_the_masking_of_stored_events() -> None:
    """The proof is stored with every event, through the card masking: a hex
    digest held a masked 13-19 digit run about one time in ten, and then no
    code could ever match (the CI run of session 7 met one)."""
    from bot.text.redact import mask_deep

    for _ in range(500):
        kept = ownership.proof("tg:1", NUMBER, "123456", now=0.0)
        assert mask_deep(dict(kept)) == kept
    damaged = {**kept, "digest": "2add3f82•••• 9069f6"}
    assert ownership.check(damaged, "tg:1", NUMBER, "123456", now=1.0)[0] == "retry"
