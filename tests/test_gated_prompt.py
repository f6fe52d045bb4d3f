"""The license text of a gated repository's access form (card metadata ``extra_gated_prompt``).

Read as a virtual file ``<card> (extra_gated_prompt)`` cited at the card lines where its text stands (the
card data returned by the Hub has no lines: there, the text's own); a weaker, supporting
source: it never names a license against the card or a license file, never makes a conflict or a
discrepancy finding of its own, and a short "agree to our license" note changes nothing.
Corpus-dependent tests read the real Llama 3 card from ../shared/corpus (never copied into the repository).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakehub import FakeHub, hub_env

import openaudit

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LLAMA3_CARD = CORPUS / "cards" / "meta-llama__Meta-Llama-3-8B.md"
needs_corpus = pytest.mark.skipif(
    not LLAMA3_CARD.is_file(), reason=f"shared corpus card not found at {LLAMA3_CARD} (tests read ../shared/corpus)")

PROMPT_FILE = "README.md (extra_gated_prompt)"
HUB_PROMPT_FILE = "model_info.cardData (extra_gated_prompt)"

# Invented for these tests (no real license): a cap on line 3 and a ban on line 5 of the prompt.
INVENTED_PROMPT = (
    "PEBBLE MODEL ACCESS TERMS (a test text)\n"
    "\n"
    "Licensees with more than 500 million monthly active users must request a license from Pebble Labs.\n"
    "\n"
    "You will not use the model or its outputs to improve any other large language model.\n"
)
# A Gemma-style note: it points at a license, it states none.
SHORT_NOTE = ("To access Pebble on Hugging Face, you are required to review and agree to Pebble Labs' usage license. "
              "To do this, please ensure you are logged in and click below.")
LICENSE_APACHE = """\
                                 Apache License
                           Version 2.0, January 2004

This file is a short stand-in written for openaudit's tests, not the license itself.
"""


def card(meta: dict, body: str = "# pebble\n\nA test model.\n") -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def llama3_prompt() -> str:
    meta = yaml.safe_load(LLAMA3_CARD.read_text(encoding="utf-8").split("---", 2)[1])
    return meta["extra_gated_prompt"]


def audit_dir(tmp_path: Path, files: dict[str, str]) -> dict:
    root = tmp_path / "model"
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return openaudit.audit(str(root)).to_dict()


def rules(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"]}


def of_kind(report: dict, kind: str) -> list[dict]:
    return [r for r in report["restrictions"] if r["kind"] == kind]


def line_with(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


def card_line(card_text: str, prompt: str, needle: str) -> int:
    """The card line where the prompt's line holding ``needle`` starts (its first words)."""
    first = " ".join(prompt.split("\n")[line_with(prompt, needle) - 1].split()[:4])
    key = line_with(card_text, "extra_gated_prompt:")
    return next(i for i, line in enumerate(card_text.split("\n"), start=1) if i >= key and first in line)


# ------------------------------------------------------------------------------------------------
# Local cards
# ------------------------------------------------------------------------------------------------


@needs_corpus
def test_llama3_license_in_the_prompt_gives_terms_cited_at_the_card_lines(tmp_path: Path) -> None:
    prompt = llama3_prompt()
    report = audit_dir(tmp_path, {"README.md": LLAMA3_CARD.read_text(encoding="utf-8")})
    lic = report["license"]
    assert lic["id"] == "llama3"
    cited = [e for e in lic["evidence"] if e["file"] == PROMPT_FILE]
    text = LLAMA3_CARD.read_text(encoding="utf-8")
    assert cited and "LLAMA 3 COMMUNITY LICENSE" in cited[0]["text"]
    assert cited[0]["line"] == line_with(text, "LLAMA 3 COMMUNITY LICENSE")  # the card's line, not the prompt's
    assert lic["confidence"] > 0.9  # the card's license and the text agree
    cap = of_kind(report, "user_cap")
    assert len(cap) == 1 and cap[0]["origin"] == "text", cap
    assert cap[0]["clause"]["file"] == PROMPT_FILE
    assert cap[0]["clause"]["line"] == card_line(text, prompt, "700 million monthly active users")
    ban = of_kind(report, "output_training_ban")
    assert ban and ban[0]["clause"]["file"] == PROMPT_FILE
    assert ban[0]["clause"]["line"] == card_line(text, prompt, "to improve any other large language model")
    assert not rules(report) & {"OA103", "OA109", "OA110"}
    assert any("access form" in n for n in report["notes"])


@needs_corpus
def test_prompt_alone_names_the_license_with_lower_confidence(tmp_path: Path) -> None:
    report = audit_dir(tmp_path, {"README.md": card({"license": "other", "extra_gated_prompt": llama3_prompt()})})
    lic = report["license"]
    assert lic["id"] == "llama3" and lic["confidence"] <= 0.6
    assert "access form" in lic["reason"] and lic["evidence"][0]["file"] == PROMPT_FILE


@needs_corpus
def test_prompt_never_overrides_the_card_or_a_license_file(tmp_path: Path) -> None:
    # Card and LICENSE say Apache-2.0, the prompt reads as Llama 3: Apache, no conflict, the prompt's terms unused.
    report = audit_dir(tmp_path, {"README.md": card({"license": "apache-2.0", "extra_gated_prompt": llama3_prompt()}),
                                  "LICENSE": LICENSE_APACHE})
    assert report["license"]["id"] == "apache-2.0"
    assert not rules(report) & {"OA103", "OA109", "OA110"}
    assert not any(r["clause"]["file"] == PROMPT_FILE for r in report["restrictions"])
    assert any(n.startswith(PROMPT_FILE + " reads as llama3, but") for n in report["notes"]), report["notes"]
    # A card saying otherwise, no license file: still not the prompt's license, and no conflict either.
    (tmp_path / "second").mkdir()  # (a directory without the LICENSE above, which names Apache-2.0)
    report = audit_dir(tmp_path / "second",
                       {"README.md": card({"license": "mit", "extra_gated_prompt": llama3_prompt()})})
    assert report["license"]["id"] == "mit" and "OA103" not in rules(report)
    # An unrecognised license file and a placeholder card: unknown, not the prompt's license.
    report = audit_dir(tmp_path, {"README.md": card({"license": "other", "extra_gated_prompt": llama3_prompt()}),
                                  "LICENSE": "Pebble license (test text). You may use this model for anything.\n"})
    assert report["license"]["id"] == "unknown"
    assert not any(r["clause"]["file"] == PROMPT_FILE for r in report["restrictions"])


def test_invented_prompt_terms_are_read_and_cited(tmp_path: Path) -> None:
    report = audit_dir(tmp_path, {"README.md": card({"license": "other", "extra_gated_prompt": INVENTED_PROMPT})})
    assert report["license"]["id"] == "unknown"  # no license is named from clauses
    cap = of_kind(report, "user_cap")
    assert len(cap) == 1 and cap[0]["thresholds"][0]["value"] == 500_000_000
    readme = card({"license": "other", "extra_gated_prompt": INVENTED_PROMPT})
    assert cap[0]["clause"]["file"] == PROMPT_FILE and cap[0]["clause"]["line"] == line_with(readme, "500 million")
    ban = of_kind(report, "output_training_ban")
    assert ban and ban[0]["clause"]["file"] == PROMPT_FILE
    assert ban[0]["clause"]["line"] == line_with(readme, "improve any other")
    # The same text in the LICENSE file: cited there, and the prompt is not read for terms.
    report = audit_dir(tmp_path, {"LICENSE": INVENTED_PROMPT})
    assert [r["clause"]["file"] for r in of_kind(report, "user_cap")] == ["LICENSE"]


def test_prompt_number_differing_from_catalog_is_a_note_not_a_finding(tmp_path: Path) -> None:
    # license: llama3 (700 million in the catalog), an access-form text saying 500 million: no OA109, both listed.
    report = audit_dir(tmp_path, {"README.md": card({"license": "llama3", "extra_gated_prompt": INVENTED_PROMPT})})
    assert report["license"]["id"] == "llama3"
    assert "OA109" not in rules(report)
    caps = sorted((r["thresholds"][0]["value"], r["origin"]) for r in of_kind(report, "user_cap"))
    assert caps == [(500_000_000, "text"), (700_000_000, "catalog")]
    line = line_with(card({"license": "llama3", "extra_gated_prompt": INVENTED_PROMPT}), "500 million")
    assert any(n.startswith(PROMPT_FILE + f" line {line} says 500,000,000 monthly active users where llama3 says "
                            "700,000,000") for n in report["notes"]), report["notes"]
    # The same text in a LICENSE file binds: a discrepancy finding.
    report = audit_dir(tmp_path, {"README.md": card({"license": "llama3"}), "LICENSE": INVENTED_PROMPT})
    assert "OA109" in rules(report)


@pytest.mark.parametrize("license_id", ["gemma", "other"])
def test_short_note_changes_nothing(tmp_path: Path, license_id: str) -> None:
    # Both gated (any extra_gated_* key says so, which OSAID and the grade assess): only the prompt differs.
    gate = {"extra_gated_button_content": "Acknowledge license"}
    without = audit_dir(tmp_path, {"README.md": card({"license": license_id, **gate})})
    with_note = audit_dir(tmp_path, {"README.md": card({"license": license_id, **gate,
                                                         "extra_gated_prompt": SHORT_NOTE})})
    for key in ("license", "restrictions", "findings", "notes"):
        assert with_note[key] == without[key], key
    status = [(r["id"], r["status"]) for r in without["osaid"]["requirements"]]  # (citations cite other lines)
    assert [(r["id"], r["status"]) for r in with_note["osaid"]["requirements"]] == status
    assert with_note["grade"]["letter"] == without["grade"]["letter"]


@pytest.mark.parametrize("value", [["a", "list"], {"a": 1}, 42, "", "   "])
def test_non_text_prompt_is_ignored(tmp_path: Path, value: object) -> None:
    report = audit_dir(tmp_path, {"README.md": card({"license": "mit", "extra_gated_prompt": value})})
    assert report["license"]["id"] == "mit"
    assert not any("extra_gated_prompt" in n for n in report["notes"])


# ------------------------------------------------------------------------------------------------
# The Hub: README readable, or gated (only model_info's cardData)
# ------------------------------------------------------------------------------------------------


def check_json(env: dict[str, str], target: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", target, "--format", "json"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    return json.loads(proc.stdout)


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


def test_hub_gated_readme_unreadable_prompt_from_card_data(fake_hub: FakeHub, env: dict[str, str]) -> None:
    readme = card({"license": "other", "extra_gated_prompt": INVENTED_PROMPT})
    fake_hub.add_repo("acme/gated", {"README.md": readme, "LICENSE": INVENTED_PROMPT}, gated="manual")
    fake_hub.add_repo("acme/open", {"README.md": readme})
    gated = check_json(env, "acme/gated")
    assert all(f["status"] == "unreadable" for f in gated["files"]), gated["files"]
    cap = of_kind(gated, "user_cap")
    assert len(cap) == 1 and cap[0]["clause"]["file"] == HUB_PROMPT_FILE and cap[0]["clause"]["line"] == 3
    assert any(n.startswith("terms were read from the license text in the access form") for n in gated["notes"])
    # Not gated: the prompt comes from the README that was read.
    open_ = check_json(env, "acme/open")
    cap = of_kind(open_, "user_cap")
    assert len(cap) == 1 and cap[0]["clause"]["file"] == PROMPT_FILE
    assert cap[0]["clause"]["line"] == line_with(readme, "500 million")  # the README's line


@needs_corpus
def test_hub_gated_llama3_identified_and_cited_from_card_data(fake_hub: FakeHub, env: dict[str, str]) -> None:
    prompt = llama3_prompt()
    fake_hub.add_repo("meta/gated-llama", {"README.md": LLAMA3_CARD.read_text(encoding="utf-8"),
                                           "LICENSE": "not served: gated"}, gated="manual")
    report = check_json(env, "meta/gated-llama")
    lic = report["license"]
    assert lic["id"] == "llama3"
    assert [e["file"] for e in lic["evidence"]] == ["model_info.cardData", HUB_PROMPT_FILE]
    cap = of_kind(report, "user_cap")
    assert len(cap) == 1 and cap[0]["origin"] == "text" and cap[0]["clause"]["file"] == HUB_PROMPT_FILE
    assert cap[0]["clause"]["line"] == line_with(prompt, "700 million monthly active users")
    assert not any(r["clause"]["source"] == "catalog" for r in report["restrictions"] if r["kind"] == "user_cap")
    assert not rules(report) & {"OA103", "OA109", "OA110"}


def test_sarif_points_at_the_card_not_a_virtual_file(tmp_path: Path) -> None:
    from openaudit.report.sarif import build_sarif

    root = tmp_path / "model"
    root.mkdir()
    (root / "README.md").write_text(card({"license": "other", "extra_gated_prompt": INVENTED_PROMPT}), encoding="utf-8")
    sarif = build_sarif([openaudit.audit(str(root))])
    cap = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "OA201")
    loc = cap["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "model/README.md" or \
        loc["physicalLocation"]["artifactLocation"]["uri"].endswith("/model/README.md")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert loc["physicalLocation"]["region"]["startLine"] == line_with(readme, "500 million")  # the card's line
    assert loc["physicalLocation"]["region"]["snippet"]["text"].startswith("Licensees with more than 500 million")
