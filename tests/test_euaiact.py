"""EU AI Act open-source exemption (standards/euaiact.py): verdicts on fixture models written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.audit import audit
from openaudit.model import to_data

# Stand-in texts written for openaudit's tests. They carry the lines by which the licenses are recognised and
# the clauses the test needs, in this project's own words; they are not the licenses.
APACHE_STANDIN = """\
                                 Apache License
                           Version 2.0, January 2004

Short stand-in for openaudit's tests: it names the license and grants nothing.
"""
OPEN_CARD = """---
license: apache-2.0
library_name: transformers
pipeline_tag: text-generation
---
# pebble-1b

Pebble is a small test model with 1.2B parameters, pretrained on 300B tokens of public text.

## Usage

Load it with the transformers library and call generate.
"""
LLAMA_CARD = """---
license: llama3.1
library_name: transformers
---
# lab-llama-8b

A fine-tuned test model with 8B parameters.

## How to use

Load it with transformers.
"""
LLAMA_STANDIN = """Llama 3.1 Community License Agreement

Llama 3.1 Version Release Date: July 23, 2024

Test stand-in. Additional commercial terms: if the products of the licensee had more than 700 million monthly
active users in the preceding calendar month, the licensee must request a license from Meta.

The licensee's use must follow the Acceptable Use Policy, which is incorporated by reference into this agreement.
"""
NC_CARD = """---
license: cc-by-nc-4.0
library_name: transformers
---
# quiet-nc

A test model released for non-commercial use, with 3B parameters trained on 1T tokens.

## Usage

See the example below.
"""
BIG_CARD = """---
license: apache-2.0
library_name: transformers
---
# colossus-test

A test card: the dense model has 405B parameters and was pretrained on 15T tokens (a made-up card, for tests).

## Usage

Generate text with transformers.
"""
WEIGHTS = {"config.json": "{}", "model.safetensors": b"\0" * 32}


def make(tmp_path: Path, name: str, card: str, license_text: str | None = None, extra: dict | None = None) -> str:
    d = tmp_path / name
    d.mkdir()
    (d / "README.md").write_text(card, encoding="utf-8")
    if license_text is not None:
        (d / "LICENSE").write_text(license_text, encoding="utf-8")
    for fname, data in {**WEIGHTS, **(extra or {})}.items():
        p = d / fname
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return str(d)


def conditions(report) -> dict[str, dict]:
    return {c["id"]: c for c in to_data(report.eu_ai_act)["conditions"]}


def test_apache_fully_open_model_is_not_excluded(tmp_path: Path) -> None:
    r = audit(make(tmp_path, "pebble", OPEN_CARD, APACHE_STANDIN), offline=True)
    e = to_data(r.eu_ai_act)
    assert e["exemption"] in ("likely_applies", "undetermined")
    assert e["exemption"] == "likely_applies"  # open licence, weights, config, usage, 2.2e21 FLOP
    c = conditions(r)
    assert c["open_source_licence"]["status"] == "met"
    assert c["public_weights"]["status"] == "met"
    assert c["no_systemic_risk"]["status"] == "met"
    assert c["not_monetised"]["status"] == "unknown"  # silence is not proof
    assert e["compute"]["flops"] == pytest.approx(6 * 1.2e9 * 300e9)
    assert "legal advice" in e["disclaimer"].lower()
    arts = {o["article"] for o in e["remaining_obligations"]}
    assert {"Art. 53(1)(c)", "Art. 53(1)(d)"} <= arts
    assert {o["article"] for o in e["exempted_obligations"]} >= {"Art. 53(1)(a)", "Art. 53(1)(b)"}
    assert any(f.rule == "OA704" for f in r.findings)


def test_llama_cap_and_aup_exclude_the_exemption_citing_the_clauses(tmp_path: Path) -> None:
    r = audit(make(tmp_path, "lab-llama", LLAMA_CARD, LLAMA_STANDIN), offline=True)
    assert r.eu_ai_act.exemption == "does_not_apply"
    lic = conditions(r)["open_source_licence"]
    assert lic["status"] == "not_met"
    assert "cap on users" in lic["reason"] and "acceptable-use" in lic["reason"]
    cited = {(c["file"], c["line"]) for c in lic["evidence"]}
    assert ("LICENSE", 5) in cited  # the 700 million MAU clause
    assert any(f == "LICENSE" and line and line >= 8 for f, line in cited)  # the AUP clause
    oa701 = [f for f in r.findings if f.rule == "OA701"]
    assert oa701 and oa701[0].evidence is not None and oa701[0].evidence.file == "LICENSE"


def test_non_commercial_model_does_not_qualify(tmp_path: Path) -> None:
    r = audit(make(tmp_path, "quiet-nc", NC_CARD), offline=True)
    assert r.license.id == "cc-by-nc-4.0"
    assert r.eu_ai_act.exemption == "does_not_apply"
    lic = conditions(r)["open_source_licence"]
    assert lic["status"] == "not_met" and "non-commercial" in lic["reason"]
    assert lic["evidence"]


def test_405b_parameters_and_15t_tokens_presume_systemic_risk(tmp_path: Path) -> None:
    r = audit(make(tmp_path, "colossus", BIG_CARD, APACHE_STANDIN), offline=True)
    e = to_data(r.eu_ai_act)
    assert e["compute"]["parameters"] == pytest.approx(405e9)
    assert e["compute"]["training_tokens"] == pytest.approx(15e12)
    assert e["compute"]["flops"] == pytest.approx(3.645e25)
    assert e["compute"]["presumed_systemic_risk"] is True
    assert e["exemption"] == "does_not_apply"
    sr = conditions(r)["no_systemic_risk"]
    assert sr["status"] == "not_met" and sr["evidence"][0]["line"] == 7
    assert any(o["article"] == "Art. 55" for o in e["remaining_obligations"])
    assert not e["exempted_obligations"]
    assert any(f.rule == "OA702" and f.severity == "warning" for f in r.findings)


def test_paid_tier_and_manual_gate_count_against(tmp_path: Path) -> None:
    card = OPEN_CARD.replace("---\n# pebble-1b", "extra_gated_prompt: Requests will be processed in 1-2 business "
                             "days.\n---\n# pebble-1b") + "\nA paid tier with faster inference is offered on our API.\n"
    r = audit(make(tmp_path, "paid", card, APACHE_STANDIN), offline=True)
    c = conditions(r)
    assert c["not_monetised"]["status"] == "not_met"
    assert c["not_monetised"]["evidence"][0]["file"] == "README.md"
    assert c["public_weights"]["status"] == "not_met"
    assert r.eu_ai_act.exemption == "does_not_apply"


def test_silent_card_is_undetermined_and_the_apache_license_text_is_not_monetisation(tmp_path: Path) -> None:
    card = "---\nlicense: apache-2.0\n---\n# mystery\n\nNo details.\n"
    text = APACHE_STANDIN + "\nYou may choose to offer, and charge a fee for, support (stand-in sentence).\n"
    r = audit(make(tmp_path, "mystery", card, text), offline=True)
    c = conditions(r)
    assert c["not_monetised"]["status"] == "unknown"
    assert c["no_systemic_risk"]["status"] == "unknown"
    assert r.eu_ai_act.exemption == "undetermined"
    assert any(f.rule == "OA703" for f in r.findings)


def test_eu_ai_act_in_json_and_terminal_summary(tmp_path: Path) -> None:
    import io
    import json

    import jsonschema

    from openaudit.report import render

    r = audit(make(tmp_path, "lab-llama", LLAMA_CARD, LLAMA_STANDIN), offline=True)
    data = json.loads(r.to_json())
    assert list(data).index("eu_ai_act") == list(data).index("grade") + 1
    schema = json.loads((Path(__file__).parent.parent / "schema" / "report.schema.json").read_text())
    jsonschema.validate(data, schema)
    buf = io.StringIO()
    render([r], "table", buf, color=False)
    assert "EU AI Act" in buf.getvalue() and "does not apply" in buf.getvalue()


def test_unknown_compute_when_the_card_does_not_state_it(tmp_path: Path) -> None:
    # parameters alone (34B: too large for the bound) and no training tokens: compute is unknown, not guessed
    card = OPEN_CARD.replace("1.2B parameters, pretrained on 300B tokens of public text", "34B parameters")
    r = audit(make(tmp_path, "mid", card, APACHE_STANDIN), offline=True)
    e = to_data(r.eu_ai_act)
    assert e["compute"]["parameters"] == pytest.approx(34e9)
    assert e["compute"]["flops"] is None and e["compute"]["presumed_systemic_risk"] is None
    sr = conditions(r)["no_systemic_risk"]
    assert sr["status"] == "unknown" and "parameters only" in sr["reason"]
    assert e["exemption"] == "undetermined" and "no_systemic_risk" in e["summary"]
    # undetermined: the duties the exemption would lift are still listed, conditionally
    remaining = {o["article"]: o for o in e["remaining_obligations"]}
    assert {"Art. 53(1)(a)", "Art. 53(1)(b)", "Art. 53(1)(c)", "Art. 53(1)(d)"} <= set(remaining)
    assert "unless" in remaining["Art. 53(1)(a)"]["condition"]
    assert not any(f.rule == "OA702" for f in r.findings)


def test_does_not_apply_lists_every_remaining_duty(tmp_path: Path) -> None:
    r = audit(make(tmp_path, "quiet-nc", NC_CARD), offline=True)
    arts = [o.article for o in r.eu_ai_act.remaining_obligations]
    assert {"Art. 53(1)(a)", "Art. 53(1)(b)", "Art. 53(1)(c)", "Art. 53(1)(d)", "Art. 54"} <= set(arts)
    assert not r.eu_ai_act.exempted_obligations


FAMILY_CARD = """---
license: apache-2.0
library_name: transformers
---
# family

The family comes in two sizes — 8B and 405B parameters — pretrained on over 15 trillion tokens.

## Usage

Load it with transformers.
"""


def test_card_for_several_sizes_uses_the_size_in_the_name_or_says_unknown(tmp_path: Path) -> None:
    small = to_data(audit(make(tmp_path, "Family-8B", FAMILY_CARD, APACHE_STANDIN), offline=True).eu_ai_act)
    assert small["compute"]["parameters"] == pytest.approx(8e9)
    assert small["compute"]["flops"] == pytest.approx(7.2e23) and small["compute"]["presumed_systemic_risk"] is False
    big = to_data(audit(make(tmp_path, "Family-405B", FAMILY_CARD, APACHE_STANDIN), offline=True).eu_ai_act)
    assert big["compute"]["presumed_systemic_risk"] is True and big["exemption"] == "does_not_apply"
    unnamed = to_data(audit(make(tmp_path, "family", FAMILY_CARD, APACHE_STANDIN), offline=True).eu_ai_act)
    assert unnamed["compute"]["parameters_stated"] == [8e9, 405e9]
    assert unnamed["compute"]["presumed_systemic_risk"] is None and unnamed["compute"]["ambiguous"] is True
    sr = {c["id"]: c for c in unnamed["conditions"]}["no_systemic_risk"]
    assert sr["status"] == "unknown" and "several model sizes" in sr["reason"] and sr["evidence"][0]["line"] == 7
    assert unnamed["exemption"] == "undetermined"


CORPUS_LLAMA = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "licenses" / "llama3.1.txt"


@pytest.mark.skipif(not CORPUS_LLAMA.is_file(), reason="shared corpus not found (tests read ../shared/corpus)")
def test_real_llama_license_cap_and_aup_cited_through_the_cli(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    d = make(tmp_path, "lab-llama", LLAMA_CARD)
    (Path(d) / "LICENSE").write_bytes(CORPUS_LLAMA.read_bytes())  # read from the corpus, not copied into the repo
    lines = CORPUS_LLAMA.read_text(encoding="utf-8").split("\n")
    cap_line = next(i for i, t in enumerate(lines, 1) if "700 million monthly active users" in t)
    aup_line = next(i for i, t in enumerate(lines, 1) if "Acceptable Use Policy" in t and "incorporated" in t)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", d, "-f", "json", "--max-depth", "0"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    e = json.loads(proc.stdout)["eu_ai_act"]
    assert e["exemption"] == "does_not_apply" and "legal advice" in e["disclaimer"].lower()
    lic = {c["id"]: c for c in e["conditions"]}["open_source_licence"]
    assert lic["status"] == "not_met"
    assert {("LICENSE", cap_line), ("LICENSE", aup_line)} <= {(c["file"], c["line"]) for c in lic["evidence"]}
    assert f"LICENSE:{cap_line}" in lic["reason"] and f"LICENSE:{aup_line}" in lic["reason"]
    assert "Recital 102" in lic["reason"]


@pytest.mark.parametrize(("sentence", "name", "params"), [
    ("a collection ranging in scale from 7 billion to 70 billion parameters", "Chat-7b-hf", 7e9),
    ("We have three models with 2, 7 and 72 billion parameters. This repo holds one of them.", "VL-7B-Instruct", 7e9),
    ("All variants come in sizes of 7B, 13B and 34B parameters.", "Code-13B", 13e9),
    ("Version 3.5 and 7B parameters.", "v-3.5", 7e9),  # "3.5" is a version, not a size
])
def test_size_lists_in_cards(tmp_path: Path, sentence: str, name: str, params: float) -> None:
    card = OPEN_CARD.replace("Pebble is a small test model with 1.2B parameters, pretrained on 300B tokens of public "
                             "text.", sentence + " Pretrained on 2T tokens.")
    e = to_data(audit(make(tmp_path, name, card, APACHE_STANDIN), offline=True).eu_ai_act)
    assert e["compute"]["parameters"] == pytest.approx(params)
    assert "parameters_stated" not in e["compute"]
    assert e["compute"]["flops"] == pytest.approx(6 * params * 2e12)
