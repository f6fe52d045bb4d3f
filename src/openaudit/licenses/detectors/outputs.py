"""Bans on training other models with the model or its outputs (distillation included)."""

from __future__ import annotations

import re

from openaudit.lazyre import compile as _lazy
from openaudit.licenses.detectors.common import (
    PROHIBIT,
    USE_WORD,
    Cand,
    find_after,
    prohibition,
    prohibition_at,
    relief_with_lead,
)
from openaudit.licenses.sentences import Sent

_I = re.I

_OUTPUTS = _lazy(
    r"\b(?:outputs?|results|generations?|generated\s+(?:content|data|text|images?|outputs?)|synthetic\s+data|"
    r"completions|responses|data\s+produced\s+by)\b",
    _I,
)
_TRAIN = _lazy(
    r"\b(?:improve|improving|train|training|develop|developing|create|creating|build|building|enhance|"
    r"fine[\s-]?tun\w*|distill\w*|pre-?train\w*)\b",
    _I,
)
_PLAIN_MODEL = _lazy(
    r"\s+(?:an?\s+|any\s+)?(?:(?:new|AI|ML|machine\s+learning|language|generative|foundation)\s+){0,3}"
    r"(?:models?|LLMs?)\b",
    _I,
)
_OTHER_MODEL = _lazy(
    r"\b(?:(?:any|other|another|competing|third[\s-]party|separate|rival|similar|new|different|your\s+own)\b"
    r"[^.;]{0,60}?\b(?:models?|LLMs?|(?:AI|ML|machine\s+learning)\s+(?:systems?|products?|services?)|"
    r"systems?)\b)|\bcompet\w+",
    _I,
)


_OUTPUT_GATE = frozenset(("output", "result", "generat", "synthetic", "completion", "response", "data produced"))
_TRAIN_GATE = frozenset(("improv", "train", "develop", "creat", "build", "enhanc", "tun", "distill"))


_WORK_OBJECT = _lazy(r"\b(?:model|models|materials|software|weights|parameters|checkpoints?)\b", _I)
_DISTILL = _lazy(r"\bdistill\w*", _I)
_TO_TRAIN = _lazy(
    r"\bto\s+(?:help\s+|assist\s+in\s+)?(?:improve|train|develop|create|build|enhance|fine[\s-]?tune|distill|"
    r"pre-?train)\b",
    _I,
)
_WORK_GATE = ("model", "material", "software", "weight", "parameter", "checkpoint")


def output_ban(s: Sent) -> list[Cand]:
    """Outputs (or the model itself), then training, then another model, with a prohibition around them: "You
    will not use ... any output ... to improve any other large language model", "Outputs may not be used to
    train competing models", "You may not use the Model to improve any AI model", "Distillation of the Model is
    prohibited". "If you use outputs to train a model, you shall name it ..." has no prohibition: a naming
    rule, not a ban."""
    outputs = s.has(_OUTPUT_GATE)
    if not (outputs or s.has(_WORK_GATE)) or not s.has(_TRAIN_GATE):
        return []
    text = s.combined
    if relief_with_lead(s) or PROHIBIT.search(text) is None:
        return []
    d = _DISTILL.search(text, s.item_offset)
    if d is not None and prohibition_at(text) is not None:
        return [Cand("output_training_ban", d.start(), "Distilling or training other models on the model or its "
                      "outputs is prohibited", score=2)]
    # "You may not use <anything> to improve any AI model": the prohibited use is training another model.
    p = prohibition(s)
    u = USE_WORD.search(text, p.end(), min(len(text), p.end() + 30)) if p is not None else None
    t = find_after(_TO_TRAIN, text, u.end(), 160) if u is not None else None
    if t is not None and p is not None and max(p.start(), t.start()) >= s.item_offset:
        other = _PLAIN_MODEL.match(text, t.end()) or find_after(_OTHER_MODEL, text, t.end(), 140)
        if other is not None:
            return [Cand("output_training_ban", max(p.start(), s.item_offset),
                          "The model may not be used to train or improve other models", score=2)]
    objects = [(o, "outputs") for o in _OUTPUTS.finditer(text)] if outputs else []
    objects += [(o, "model") for o in _WORK_OBJECT.finditer(text)]
    objects.sort(key=lambda x: x[0].start())
    for o, what in objects:
        t = find_after(_TRAIN, text, o.end(), 160)
        if t is None:
            continue
        other = _PLAIN_MODEL.match(text, t.end()) or find_after(_OTHER_MODEL, text, t.end(), 140)
        if other is None:
            continue
        p = prohibition_at(text, max(0, o.start() - 250))
        if p is None or p.start() > other.end() + 80:
            continue
        if what == "model" and p.start() > o.start():
            continue  # "the model ... to train other models" needs the prohibition first: "you may not use the ..."
        pos = min(p.start(), o.start())
        if max(p.start(), o.start()) < s.item_offset:
            continue  # all of it is in the lead-in, which is read on its own
        pos = pos if pos >= s.item_offset else max(p.start(), o.start())
        summary = "Outputs may not be used to train or improve other models" if what == "outputs" else \
            "The model may not be used to train or improve other models"
        return [Cand("output_training_ban", pos, summary, score=2)]
    return []
