"""The clause detectors, one module per job, and the kind classifier that runs them on a sentence.

Each detector looks for its key phrase in a sentence (``openaudit.licenses.sentences.Sent``) and checks the
sentence around it, returning candidate restrictions (``common.Cand``): ``caps`` (user and revenue
thresholds), ``territory``, ``outputs`` (training other models), ``field_of_use`` (non-commercial, use-based
restrictions), ``obligations`` (attribution, naming, share-alike, no-derivatives, registration), ``changes``
(terms the licensor may change), ``chinese`` (texts written in Chinese). A binding sentence no detector
claims is read by ``unclassified``. ``openaudit.licenses.clauses`` walks a file's sentences through them.
"""

from __future__ import annotations

from openaudit.licenses.detectors import caps, changes, chinese, field_of_use, obligations, outputs, territory
from openaudit.licenses.detectors.common import Cand, has_cjk, is_definition
from openaudit.licenses.sentences import Sent

__all__ = ["candidates"]


def candidates(s: Sent) -> list[Cand]:
    """Every restriction the detectors find in one sentence (a heading, a definition: none but changes)."""
    if s.heading or len(s.text.strip()) < 6:
        return []
    out = changes.modifiable_terms(s)  # "AUP means ..., as may be updated"
    if is_definition(s.text):
        return out
    if has_cjk(s):
        return out + chinese.chinese(s)
    thresholds = caps.thresholds(s)
    out += thresholds
    out += territory.territory(s)
    out += outputs.output_ban(s)
    out += field_of_use.non_commercial(s)
    out += field_of_use.use_restrictions(s)
    if not any(c.kind == "attribution" for c in thresholds):
        out += obligations.attribution(s)
    out += obligations.naming(s)
    out += obligations.share_alike(s)
    out += obligations.no_derivatives(s)
    if not thresholds:  # "you must request a license" after a cap is its consequence
        out += obligations.registration(s)
    return out
