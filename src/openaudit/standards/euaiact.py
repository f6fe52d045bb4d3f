"""EU AI Act: does the open-source exemption for general-purpose AI model providers plausibly apply?

``assess(ev, facts, license, restrictions)`` reads the same cited evidence as the other standards and answers
``likely_applies``, ``does_not_apply`` or ``undetermined``, condition by condition, each with a status
(``met``, ``not_met``, ``unknown``), a reason and citations. **This is not legal advice**: it is a reading of a
model card and license files against the conditions below, which a lawyer must confirm.

Legal basis read here (Regulation (EU) 2024/1689):

* **Art. 53(2)**: the obligations of Art. 53(1)(a) (technical documentation for the AI Office) and 53(1)(b)
  (information for downstream providers) do not apply to providers of models "released under a free and
  open-source licence that allows for the access, usage, modification, and distribution of the model, and
  whose parameters, including the weights, the information on the model architecture, and the information on
  model usage, are made publicly available". Not for models with systemic risk. Art. 54(6) exempts the same
  providers from appointing an authorised representative.
* **Art. 2(12)** and **recitals 102–104**: attribution and share-alike ("comparable terms of distribution") are
  compatible with a free and open-source licence; a model that is monetised — a price charged, or technical
  support or other services tied to it, including through a software platform — does not benefit (recital 103).
* **Art. 51(2)**: a model trained with more than 10^25 floating-point operations is presumed to have high-impact
  capabilities, hence systemic risk; the exemption is then unavailable (Art. 53(2), Art. 55 applies).
* The Commission's guidelines for providers of general-purpose AI models (2025) on the scope of the exemption.

Readings (stated in the output too):

* **Licence** — ``not_met`` when the terms carry a field-of-use limit read from the license text or known from
  the catalog: user or revenue caps, non-commercial / research-only terms, use restrictions or an acceptable-use
  policy incorporated by reference, territory exclusions, bans on training with outputs, no-derivatives. Each
  such term is cited by its clause. ``met`` when the license is known, OSI-approved (or a permissive, copyleft or
  public-domain license) and no such term was found; ``unknown`` otherwise. An acceptable-use policy is read as a
  restriction on usage; if a licensor's restrictions are narrow and safety-oriented, a lawyer may read it
  otherwise (that is why the answer is "likely", never "applies").
* **Public weights, architecture and usage information** — weights files in the repository (or card) count as
  published. Gating: an access gate approved **by hand** is read as *not* "made publicly available" (the
  publisher decides who gets the weights); a click-through gate approved automatically is read as public (anyone
  may obtain them by accepting the terms), with a caveat; a gate of unknown mode is ``unknown``.
  Architecture: a ``config.json`` / modelling code in the repository, or an open-source library that loads the
  model. Usage information: the model card itself with a usage section or a code example.
* **Not monetised** — the card or license files mention paid access, a paid tier, pricing, a subscription or
  paid support → ``not_met`` (cited). Silence is ``unknown``: a card cannot show the absence of monetisation.
  It does not stop ``likely_applies`` (the summary says it must be confirmed).
* **Systemic risk** — training compute from a stated FLOP figure, else estimated as 6 × parameters × training
  tokens when the card states both (e.g. "405B parameters", "15T tokens", or metadata such as
  ``parameters``/``training_tokens``). Above 10^25 FLOP → the presumption applies → ``not_met``. Parameters alone
  below 16.7 billion cannot reach 10^25 FLOP with fewer than 100 trillion training tokens (more than any
  published training run): read as ``met`` with that assumption stated. Otherwise ``unknown``. A card for several
  sizes ("8B and 70B parameters", "from 7 billion to 70 billion parameters") is read with the size the model's
  name states; without one the largest size is an upper bound, and the answer is ``unknown`` when the sizes fall
  on both sides of the threshold. The Commission can also designate a model (Art. 51(1)(b)); that is not visible
  in a card.

Verdict: any ``not_met`` → ``does_not_apply``; licence, weights/architecture/usage and systemic risk all ``met``
(monetisation ``met`` or ``unknown``) → ``likely_applies``; otherwise ``undetermined``.
"""

from __future__ import annotations

import re
from typing import Any

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.lazyre import compile as _lazy
from openaudit.licenses.numbers import parse_count
from openaudit.licenses.vocabulary import category as category_of
from openaudit.licenses.vocabulary import field_of_use
from openaudit.model import (
    Citation,
    EuAiActCompute,
    EuAiActCondition,
    EuAiActResult,
    LicenseResult,
    Obligation,
    Restriction,
    to_data,
)
from openaudit.standards.facts import Facts

EXEMPTIONS = ("likely_applies", "does_not_apply", "undetermined")
STATUSES = ("met", "not_met", "unknown")
THRESHOLD_FLOP = 1e25
MAX_CANDIDATES = 32  # token statements looked at (cards are untrusted: bounded work)
MAX_TOKENS_ASSUMED = 1e14  # 100 trillion training tokens: above any published training run
DISCLAIMER = ("Not legal advice: an automated reading of the model card and license files against Art. 53(2) of "
              "the EU AI Act (Regulation (EU) 2024/1689). Whether the exemption applies depends on facts a card "
              "does not show (who the provider is, how the model is placed on the market, monetisation, Commission "
              "designation); have it confirmed by counsel.")
BASIS = (
    "Regulation (EU) 2024/1689 (AI Act), Art. 53(2) and Art. 54(6): exemption for free and open-source GPAI models",
    "Art. 2(12) and recitals 102-104: free and open-source licence; monetisation excludes the exemption",
    "Art. 51(2): presumption of high-impact capabilities above 10^25 FLOP of training compute",
    "European Commission, guidelines on the scope of the obligations for providers of general-purpose AI models "
    "(2025)",
)

CONDITIONS = (
    ("open_source_licence", "Free and open-source licence allowing access, use, modification and distribution"),
    ("public_weights", "Parameters including the weights made publicly available"),
    ("public_architecture_usage", "Information on the model architecture and on model usage made publicly available"),
    ("not_monetised", "Not monetised (no price, paid tier or paid services tied to the model)"),
    ("no_systemic_risk", "Not a general-purpose AI model with systemic risk (training compute under 10^25 FLOP)"),
)
REMAINING = (
    {"article": "Art. 53(1)(c)", "obligation": "Put in place a policy to comply with Union copyright law, including "
     "identifying and respecting text-and-data-mining opt-outs (Art. 4(3) of Directive (EU) 2019/790)"},
    {"article": "Art. 53(1)(d)", "obligation": "Draw up and make publicly available a sufficiently detailed summary "
     "of the content used for training, following the AI Office's template"},
)
EXEMPTED = (
    {"article": "Art. 53(1)(a)", "obligation": "Technical documentation of the model for the AI Office and national "
     "authorities"},
    {"article": "Art. 53(1)(b)", "obligation": "Information and documentation for downstream providers"},
    {"article": "Art. 54", "obligation": "Authorised representative in the Union (providers established outside "
     "the EU)"},
)
SYSTEMIC = {"article": "Art. 55", "obligation": "Models with systemic risk: the exemption does not apply; all of "
            "Art. 53(1) and Art. 55 apply (model evaluation and adversarial testing, systemic-risk assessment and "
            "mitigation, serious-incident reporting, cybersecurity), plus notification under Art. 52"}

_NUM = r"(\d{1,4}(?:[.,]\d{1,3})?)"
_PARAMS = _lazy(_NUM + r"\s*(b|bn|billion|t|trillion|m|million)\b[\s-]*(?:total\s+|dense\s+|active\s+)?"
                     r"(?:param(?:eter)?s?)\b", re.I)
_PARAMS_AFTER = _lazy(r"\b(?:parameters?|params|model size)\s*(?:count)?\s*[:=|]\s*\**\s*" + _NUM
                           + r"\s*(b|bn|billion|t|trillion|m|million)\b", re.I)
_TOKENS = _lazy(_NUM + r"\s*(t|trillion|b|bn|billion)\+?\s*(?:high[- ]quality\s+|training\s+|text\s+"
                     r"|multilingual\s+|pre-?training\s+|diverse\s+)?tokens\b", re.I)
_TOKENS_AFTER = _lazy(r"\b(?:training\s+)?tokens\s*(?:seen|trained)?\s*[:=|]\s*\**\s*" + _NUM
                           + r"\s*(t|trillion|b|bn|billion)\b", re.I)
_FLOPS = _lazy(r"(\d(?:\.\d+)?)\s*(?:[x×*]\s*10\s*\^?\s*|e\+?)(\d{2})\s*(?:flops?|floating[- ]point)", re.I)
_NOT_TRAINING_TOKENS = _lazy(r"\b(context|window|sequence length|max(?:imum)?[_ ]?(?:new[_ ])?tokens|"
                                  r"generat\w*|vocab\w*|per second|tokens/s)\b", re.I)
_MONETISED = _lazy(
    r"\b(paid (?:tiers?|plans?|access|api|versions?|subscriptions?|licen(?:ce|se)s?|support|services?|editions?)"
    r"|pricing|price list|subscription (?:fees?|plans?)|per[- ](?:token|call|request) (?:fees?|pricing|prices?)"
    r"|pay[- ](?:per[- ]use|as[- ]you[- ]go)|purchase (?:a |an )?(?:commercial |enterprise )?licen(?:ce|se)"
    r"|(?:commercial|enterprise) licen(?:ce|se)s? (?:is |are )?(?:available )?(?:for a fee|for purchase|at a cost)"
    r"|licen(?:cing|sing) fees?|royalt(?:y|ies) (?:fees?|payments?|of)|premium (?:tier|plan|access|version))\b", re.I)
# A line is read with _MONETISED only when it holds one of these (lower case): each alternative of the pattern
# needs one. "royalty "/"royalties " and not "royalt": "royalty-free", in most grants, never matches.
_MONEY_KEYS = ("paid ", "pricing", "price list", "subscription", "per-token", "per token", "per-call", "per call",
               "per-request", "per request", "pay-", "pay ", "purchase", "licensing fee", "licencing fee", "royalty ",
               "royalties ", "premium", "for a fee", "at a cost")
_USAGE_WORDS = r"\b(usage|use|how to|quick ?start|getting started|inference|intended uses?|uses)\b"
_USAGE_HEADING = _lazy(r"^\s{0,3}#{1,6}\s.*" + _USAGE_WORDS, re.I)
_USAGE_WORD = _lazy(_USAGE_WORDS, re.I)


def _cite(c: Citation) -> dict[str, Any]:
    return to_data(c)  # type: ignore[no-any-return]


def _number(num: str, unit: str) -> float | None:
    """A size the card states ("7.5", "B"), read by the one number parser (openaudit.licenses.numbers)."""
    return parse_count(f"{num} {unit}")


def _card_lines(ev: Evidence) -> list[tuple[int, str]]:
    """(line number, text) of the card body's non-blank lines outside fenced code (HTML comments removed)."""
    card = ev.card
    if card is None:
        return []
    doc = card.markdown
    kinds, lines, uncommented = doc.kinds, doc.lines, doc.uncommented
    skip = (md.CODE, md.BLANK)
    return [(no, uncommented[no] if no in uncommented else lines[no - 1]) for no in doc.body() if kinds[no] not in skip]


def _meta_number(ev: Evidence, keys: tuple[str, ...]) -> tuple[float, Citation] | None:
    meta = ev.metadata
    card = ev.card
    for key in keys:
        v = meta.get(key)
        val: float | None = None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            val = float(v)
        elif isinstance(v, str) and len(v) <= 100:
            val = parse_count(v)  # "7B", "7.24 billion", "7,000,000,000", "7e9"
        if val:
            return val, Citation(source="metadata", file=card.path if card else None,
                                 line=card.line_of(key) if card else None, text=f"{key}: {v}"[:200])
    return None


def compute_estimate(ev: Evidence, lines: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """Training compute: stated FLOP, or 6 × parameters × tokens from the card; each figure cited."""
    path = ev.card.path if ev.card else "README.md"
    params = _meta_number(ev, ("parameters", "num_parameters", "params", "model_parameters", "parameter_count"))
    tokens = _meta_number(ev, ("training_tokens", "tokens", "train_tokens", "pretraining_tokens"))
    flops = _meta_number(ev, ("training_flops", "training_compute", "flops", "compute_flops"))
    p_cands: list[tuple[float, Citation]] = []
    t_cands: list[tuple[float, Citation]] = []
    for no, text in _card_lines(ev) if lines is None else lines:
        if text.lstrip().startswith("|"):
            continue  # tables compare other models
        low = text.lower()
        if "param" not in low and "token" not in low and "flop" not in low and "floating" not in low:
            continue
        quote = " ".join(text[:1000].split())[:200]
        if "param" in low and not p_cands:  # only the first statement is used
            for rx in (_PARAMS, _PARAMS_AFTER):
                for m in rx.finditer(text):
                    cite = Citation("file", path, no, quote)
                    if rx is _PARAMS:  # "8B and 70B parameters": the sizes listed before the last one
                        p_cands.extend((v, cite) for v in _listed_before(text, m.start()))
                    size = _number(m.group(1), m.group(2))
                    if size:
                        p_cands.append((size, cite))
        if "token" in low and len(t_cands) < MAX_CANDIDATES:
            for rx in (_TOKENS, _TOKENS_AFTER):
                for m in rx.finditer(text):
                    window = text[max(0, m.start() - 40):m.end() + 10]
                    if _NOT_TRAINING_TOKENS.search(window):
                        continue
                    count = _number(m.group(1), m.group(2))
                    if count:
                        t_cands.append((count, Citation("file", path, no, quote)))
        if flops is None and ("flop" in low or "floating" in low):
            m = _FLOPS.search(text)
            if m:
                flops = (float(m.group(1)) * 10 ** int(m.group(2)), Citation("file", path, no, quote))
    sizes: list[float] = []
    if params is None and p_cands:
        params = p_cands[0]  # the first statement is the model's own size; later ones often compare
        sizes = sorted({v for v, _ in p_cands})
        if len(sizes) > 1:  # a card for several sizes: the one in the model's name, else the range is kept
            named = _size_in_name(ev.id, sizes)
            params = (named, params[1]) if named else (sizes[-1], params[1])
            if named:
                sizes = []
    if tokens is None and t_cands:
        tokens = max(t_cands, key=lambda c: c[0])
    out: dict[str, Any] = {
        "parameters": params[0] if params else None,
        "training_tokens": tokens[0] if tokens else None,
        "flops": None,
        "method": None,
        "threshold": THRESHOLD_FLOP,
        "presumed_systemic_risk": None,
        "flops_text": None,
        "evidence": [_cite(c) for c in (params[1] if params else None, tokens[1] if tokens else None,
                                        flops[1] if flops else None) if c is not None],
    }
    if len(sizes) > 1:
        out["parameters_stated"] = sizes
    if flops:
        out["flops"], out["method"] = flops[0], "stated training compute"
    elif params and tokens:
        out["flops"], out["method"] = 6 * params[0] * tokens[0], "estimated: 6 × parameters × training tokens"
        if len(sizes) > 1:
            low_flops = 6 * sizes[0] * tokens[0]
            out["method"] += (f" with the largest of the sizes the card states ({', '.join(_sci(v) for v in sizes)} "
                              "parameters; which one this model is, is not stated)")
            if low_flops <= THRESHOLD_FLOP < out["flops"]:  # the answer depends on which size this model is
                out["ambiguous"] = True
                out["flops_text"] = f"{_sci(low_flops)} to {_sci(out['flops'])}"
                return out
    if out["flops"] is not None:
        out["presumed_systemic_risk"] = out["flops"] > THRESHOLD_FLOP
        out["flops_text"] = _sci(out["flops"])
    elif params and 6 * params[0] * MAX_TOKENS_ASSUMED <= THRESHOLD_FLOP:
        out["method"] = ("bound: 6 × parameters × 100 trillion tokens (more than any published training run) stays "
                         "under 10^25 FLOP")
        out["presumed_systemic_risk"] = False
    return out


_LISTED = _lazy(r"(?<![\w.])" + _NUM + r"\s*(b|bn|billion|t|trillion|m|million)?\s*"
                r"(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|to\s+|/\s*|&\s*)$", re.I)
_NAME_SIZE = _lazy(r"(?<![\d.])(\d{1,4}(?:\.\d{1,3})?)\s*([bm])(?![a-z])", re.I)


def _listed_before(text: str, end: int) -> list[float]:
    """Sizes listed just before a "N parameters" statement: "7B, 13B and 70B parameters" -> [13e9, 7e9];
    "from 7 billion to 70 billion parameters" -> [7e9]; "2, 7 and 72 billion parameters" -> [7e9, 2e9]."""
    out: list[float] = []
    m = _PARAMS.match(text, end)
    unit = m.group(2) if m else "b"
    head = text[max(0, end - 120):end]
    while len(out) < 8:
        m = _LISTED.search(head)
        if not m:
            break
        if m.group(2) is None and (len(unit) == 1 or not m.group(1).isdigit()):
            break  # a bare whole number only before "… 72 billion" ("version 3.5 and 7B" is not a list)
        unit = m.group(2) or unit  # a bare number takes the unit of the size after it
        size = _number(m.group(1), unit)
        if size is None:
            break
        out.append(size)
        head = head[:m.start()]
    return out


def _size_in_name(target: str, sizes: list[float]) -> float | None:
    """The size among ``sizes`` that the model's name states ("Meta-Llama-3-8B" -> 8e9), if exactly one does."""
    name = target.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    found = {v for m in _NAME_SIZE.finditer(name[:200]) if (v := _number(m.group(1), m.group(2)))}
    hits = [v for v in sizes if any(abs(v - f) <= 1e-6 * v for f in found)]
    return hits[0] if len(hits) == 1 else None


def _short(text: str, limit: int = 200) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:(") + "…"


def _sci(x: float) -> str:
    import math

    exp = math.floor(math.log10(x)) if x > 0 else 0
    return f"{x / 10 ** exp:.1f}×10^{exp}"


# ---------------------------------------------------------------------------------------------------------------
# Conditions

Cond = tuple[str, str, list[Citation]]


def _licence(license: LicenseResult, restrictions: list[Restriction], category: str | None) -> Cond:
    fou = field_of_use()  # rules/vocabulary/kinds.yaml; the categories: license-categories.yaml
    limiting = [r for r in restrictions if r.kind in fou]
    if limiting:
        parts = []
        for r in limiting[:5]:
            where = (f"{r.clause.file}:{r.clause.line}" if r.clause and r.clause.file and r.clause.line
                     else "the catalog's known terms of this license" if r.origin == "catalog" else "the license")
            parts.append(f"{fou[r.kind]} ({where})")
        cites = [r.clause or Citation(source="catalog", text=r.summary) for r in limiting]
        return ("not_met", "the licence does not allow use for any purpose: " + "; ".join(parts)
                + ". Recital 102 admits only attribution and comparable-terms (share-alike) conditions", cites)
    name = license.name or license.id
    if license.id == "unknown":
        return ("unknown", f"the license is not identified ({license.reason or 'no license found'})",
                list(license.evidence))
    unclassified = [r for r in restrictions if r.kind == "unclassified"]
    cat = category_of(category)
    if unclassified and (license.osi_approved or cat.open):
        return ("unknown", f"{name} is open, but the text holds binding sentences that were not classified (e.g. "
                f"{unclassified[0].summary}); whether they limit use needs review",
                [r.clause for r in unclassified if r.clause is not None] or list(license.evidence))
    if license.osi_approved or cat.open:
        why = "OSI-approved" if license.osi_approved else f"a {category} license"
        return ("met", f"{name} ({license.spdx or license.id}) is {why} and no field-of-use restriction was found; "
                "attribution and share-alike terms are compatible (recital 102)", list(license.evidence))
    if cat.restrictive:
        return ("not_met", f"{name} is a {category} license: it does not grant use, modification and distribution "
                "for any purpose", list(license.evidence))
    return ("unknown", f"{name} is neither OSI-approved nor known to restrict use; its terms need review",
            list(license.evidence))


def _weights(facts: Facts) -> Cond:
    g = facts.gating
    if g.status == "manual":
        return ("not_met", f"{g.detail}: read as not \"made publicly available\" (the publisher chooses who obtains "
                "the weights)", list(g.citations))
    if not facts.weights:
        return ("unknown", "no weights file was found in the repository (a card alone, or weights hosted elsewhere)",
                [])
    shown = ", ".join(w.value for w in facts.weights[:3])
    cites = [w.citation for w in facts.weights[:3]]
    if g.status == "auto":
        return ("met", f"weights files are published ({shown}); {g.detail} — read as public, since anyone who "
                "accepts the terms obtains them at once", cites + list(g.citations))
    if g.status == "gated":
        return ("unknown", f"weights files are published ({shown}) behind an access gate whose approval mode is not "
                "known (a gate approved by hand would not be public)", cites + list(g.citations))
    return ("met", f"weights files are published in the repository ({shown})", cites + list(g.citations))


def _architecture_usage(ev: Evidence, facts: Facts) -> Cond:
    arch: list[Citation] = []
    what = []
    for name in ev.siblings:
        if name.rsplit("/", 1)[-1] in ("config.json", "params.json") or re.search(r"(^|/)modeling_[^/]+\.py$", name):
            arch.append(Citation(source="file", file=name, text=None))
            what.append(name)
            if len(arch) >= 2:
                break
    if not arch and facts.inference:
        f = facts.inference[0]
        arch.append(f.citation)
        what.append(f"loaded by {f.value}")
    usage: list[Citation] = []
    path = ev.card.path if ev.card else "README.md"
    doc = ev.card.markdown if ev.card is not None else None
    for h in doc.headings if doc is not None else ():
        if h.html or not _USAGE_WORD.search(h.raw):  # the heading pattern's words, before the whole pattern
            continue
        text = doc.text(h.line) if doc is not None else h.raw  # (doc is set whenever there are headings)
        if _USAGE_HEADING.match(text):
            usage.append(Citation("file", path, h.line, " ".join(text.split())[:200]))
            break
    if not usage and facts.inference:
        usage.append(facts.inference[0].citation)
    if arch and usage:
        return ("met", f"architecture: {', '.join(what)}; usage information in the model card", arch + usage)
    if ev.card is None:
        return ("unknown", "no model card: usage information not found", arch)
    missing = [w for w, ok in (("architecture (no config.json, modelling code or library)", arch),
                               ("usage information (no usage section or code example in the card)", usage)) if not ok]
    return ("unknown", "not found: " + "; ".join(missing), arch + usage)


def _monetised(ev: Evidence) -> Cond:
    hits: list[Citation] = []
    for f in ev.files:
        if f.text is None:
            continue
        # Keyword search first (str.find is C-speed on a 2 MiB text), the regex only on the lines found.
        low = f.text.lower()
        starts: set[int] = set()
        for kw in _MONEY_KEYS:
            pos = low.find(kw)
            n = 0
            while pos >= 0 and n < 100:
                starts.add(low.rfind("\n", 0, pos) + 1)
                pos = low.find(kw, pos + len(kw))
                n += 1
        for start in sorted(starts)[:500]:
            end = low.find("\n", start)
            line = f.text[start:end if end >= 0 else len(low)]
            if _MONETISED.search(line[:5000]):
                no = low.count("\n", 0, start) + 1
                hits.append(Citation("file", f.name, no, " ".join(line[:1000].split())[:200]))
                if len(hits) >= 3:
                    break
    if hits:
        where = ", ".join(f"{c.file}:{c.line}" for c in hits)
        return ("not_met", f"paid access, pricing or paid services are mentioned ({where}); recital 103 excludes "
                "monetised models", hits)
    return ("unknown", "no mention of a price, paid tier or paid services in the card or license files; the "
            "absence of monetisation cannot be shown from them (confirm it)", [])


def _systemic(est: dict[str, Any]) -> Cond:
    cites = [Citation(**c) for c in est["evidence"]]
    if est["presumed_systemic_risk"] is True:
        return ("not_met", f"training compute {_sci(est['flops'])} FLOP ({est['method']}) exceeds 10^25 FLOP: "
                "presumed systemic risk (Art. 51(2)); the open-source exemption is unavailable", cites)
    if est["presumed_systemic_risk"] is False:
        if est["flops"] is not None:
            return ("met", f"training compute {_sci(est['flops'])} FLOP ({est['method']}) is under 10^25 FLOP; "
                    "the Commission may still designate a model (Art. 51(1)(b))", cites)
        return ("met", f"{_sci(est['parameters'])} parameters ({est['method']}); the Commission may still designate "
                "a model (Art. 51(1)(b))", cites)
    if est.get("ambiguous"):
        return ("unknown", f"training compute {est['flops_text']} FLOP: the card states several model sizes "
                f"({', '.join(_sci(v) for v in est['parameters_stated'])} parameters) without saying which one this "
                "model is, and the answer depends on it", cites)
    known = [w for w, v in (("parameters", est["parameters"]), ("training tokens", est["training_tokens"])) if v]
    return ("unknown", "training compute cannot be estimated: the card states "
            + (" and ".join(known) + " only" if known else "neither parameters nor training tokens"), cites)


def assess(ev: Evidence, facts: Facts, license: LicenseResult, restrictions: list[Restriction]) -> EuAiActResult:
    from openaudit.standards.osaid import license_category

    lines = _card_lines(ev)
    est = compute_estimate(ev, lines)
    results = {
        "open_source_licence": _licence(license, restrictions, license_category(license.id)),
        "public_weights": _weights(facts),
        "public_architecture_usage": _architecture_usage(ev, facts),
        "not_monetised": _monetised(ev),
        "no_systemic_risk": _systemic(est),
    }
    conditions = []
    for cid, name in CONDITIONS:
        status, reason, cites = results[cid]
        if status == "not_met" and not cites:  # a negative answer is always cited
            status, reason = "unknown", reason + " (no citation, so not counted against)"
        conditions.append(EuAiActCondition(id=cid, name=name, status=status, reason=reason,
                                           evidence=tuple(cites[:6])))
    by_id = {c.id: c.status for c in conditions}
    failed = [c for c in conditions if c.status == "not_met"]
    if failed:
        exemption = "does_not_apply"
    elif all(by_id[k] == "met" for k in ("open_source_licence", "public_weights", "public_architecture_usage",
                                         "no_systemic_risk")):
        exemption = "likely_applies"
    else:
        exemption = "undetermined"
    systemic = est["presumed_systemic_risk"] is True
    remaining = [Obligation(**r) for r in REMAINING]  # apply to every GPAI provider, exempt or not
    if exemption == "does_not_apply":
        remaining += [Obligation(**e) for e in EXEMPTED]
    elif exemption == "undetermined":
        remaining += [Obligation(**e, condition="unless the exemption is confirmed") for e in EXEMPTED]
    if systemic:
        remaining.append(Obligation(**SYSTEMIC))
    if exemption == "does_not_apply":
        summary = "Open-source exemption does not apply: " + "; ".join(
            f"{c.id} not met ({_short(c.reason)})" for c in failed) + "."
    elif exemption == "likely_applies":
        summary = ("Open-source exemption (Art. 53(2)) likely applies: open licence, public weights, architecture "
                   "and usage information, compute under 10^25 FLOP"
                   + ("; no sign of monetisation, which must be confirmed" if by_id["not_monetised"] == "unknown"
                      else "") + ". Copyright policy and training-content summary still required.")
    else:
        summary = "Open-source exemption undetermined: not shown — " + ", ".join(
            c.id for c in conditions if c.status == "unknown") + "."
    return EuAiActResult(
        exemption=exemption,
        summary=summary,
        conditions=tuple(conditions),
        compute=EuAiActCompute(
            parameters=est["parameters"], training_tokens=est["training_tokens"], flops=est["flops"],
            method=est["method"], threshold=est["threshold"], presumed_systemic_risk=est["presumed_systemic_risk"],
            flops_text=est["flops_text"], evidence=tuple(Citation(**c) for c in est["evidence"]),
            parameters_stated=tuple(est["parameters_stated"]) if "parameters_stated" in est else None,
            ambiguous=est.get("ambiguous")),
        remaining_obligations=tuple(remaining),
        exempted_obligations=tuple(Obligation(**e) for e in EXEMPTED) if exemption == "likely_applies" else (),
        basis=tuple(BASIS),
        disclaimer=DISCLAIMER,
    )
