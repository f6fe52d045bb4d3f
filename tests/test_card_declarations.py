"""What a card declares, read as the card means it (issue 14, "Cards"): `license: other` with a name or with the
license in the access form is not "no license"; a version-less `license_name` takes the version its
`license_link` names; a term for multimodal models only is decided from the model's modality; a family's own
models are not hinted at as derivatives of it; a declared name is shown when the license is unknown.

Cards here are written for these tests (no real license text is copied)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakehub import FakeHub, hub_env

import openaudit


def card(meta: dict, body: str = "# pebble\n\nA test model.\n") -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body


def audit_card(tmp_path: Path, meta: dict, name: str = "model") -> dict:
    root = tmp_path / name
    root.mkdir()
    (root / "README.md").write_text(card(meta), encoding="utf-8")
    return openaudit.audit(str(root), offline=True).to_dict()


def check_hub(hub: FakeHub, tmp_path: Path, repo: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", repo, "--format", "json"],
                          env=hub_env(hub.url, tmp_path / "hf"), cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def rules(report: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in report["findings"]:
        out.setdefault(f["rule"], []).append(f["message"])
    return out


def kinds(report: dict) -> set[str]:
    return {r["kind"] for r in report["restrictions"]}


# Invented for this test (no real license): the whole agreement in the access form, with a cap and a ban.
PROMPT_LICENSE = (
    "PEBBLE MODEL LICENSE AGREEMENT\n"
    "Version 1.0\n"
    "\n"
    "1. Grant. Pebble Labs grants you a non-exclusive, worldwide, royalty-free license to use, reproduce, "
    "distribute and modify the Pebble Model.\n"
    "2. Restrictions. You may not use the Pebble Model or any of its outputs for any commercial purpose.\n"
    "3. If your products or services had more than 10 million monthly active users, you must request a license "
    "from Pebble Labs.\n"
)


def test_gated_card_with_the_license_in_its_access_form_is_not_no_license(fake_hub: FakeHub, tmp_path: Path) -> None:
    # Gated without access: the Hub's card data is all there is, and its access form holds the whole license.
    fake_hub.add_repo("pebble/pebble-7b", {"README.md": card({"license": "other", "extra_gated_prompt": PROMPT_LICENSE,
                                                              "extra_gated_fields": {"Name": "text"}})},
                      gated="manual")
    report = check_hub(fake_hub, tmp_path, "pebble/pebble-7b")
    found = rules(report)
    assert {"non_commercial", "user_cap"} <= kinds(report)  # its terms were read ...
    assert all(r["clause"]["file"].endswith("(extra_gated_prompt)") for r in report["restrictions"])
    assert "OA101" not in found, found["OA101"]  # ... so it is not "no license"
    assert "OA102" in found  # but unidentified, said as such


def test_license_other_with_a_license_name_is_not_no_license(tmp_path: Path) -> None:
    report = audit_card(tmp_path, {"license": "other", "license_name": "pebble-community-license"})
    found = rules(report)
    assert "OA101" not in found and "OA102" in found


def test_license_other_alone_says_what_the_card_declares(tmp_path: Path) -> None:
    found = rules(audit_card(tmp_path, {"license": "other"}))
    assert found["OA101"] == ["The card declares license: other but names no license (no license_name or "
                              "license_link), no license file in the repository and no license text in the access "
                              "form."]
    found = rules(audit_card(tmp_path, {"pipeline_tag": "text-generation"}, name="bare"))
    assert found["OA101"][0].startswith("No license declared in the card metadata")


def test_versionless_license_name_takes_the_version_of_its_link(tmp_path: Path) -> None:
    # Hub cards write license_name "qwen" for every Qwen agreement; the link names the 2024 Qwen2.5 one, which
    # has no output-training ban (the 2023 Tongyi Qianwen agreement, id "qwen", has one).
    report = audit_card(tmp_path, {"license": "other", "license_name": "qwen",
                                   "license_link": "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"})
    assert report["license"]["id"] == "qwen2.5"
    assert "output_training_ban" not in kinds(report)
    assert "OA103" not in rules(report)
    # Without a link the name keeps its catalog meaning.
    assert audit_card(tmp_path, {"license": "other", "license_name": "qwen"}, name="bare")["license"]["id"] == "qwen"


def eu_terms(report: dict) -> list[dict]:
    return [r for r in report["restrictions"] if r["kind"] == "territory" and "EU" in r["territories"]]


@pytest.mark.parametrize(("meta", "expect"), [
    ({"pipeline_tag": "text-generation"}, "absent"),
    ({"pipeline_tag": "image-text-to-text"}, "applies"),
    ({"tags": ["llama-3", "vision"]}, "applies"),
    ({}, "conditional"),
])
def test_llama32_multimodal_eu_term_follows_the_model(tmp_path: Path, meta: dict, expect: str) -> None:
    report = audit_card(tmp_path, {"license": "llama3.2", **meta})
    eu = eu_terms(report)
    if expect == "absent":
        assert eu == [], eu
        assert any("multimodal models only" in n and "text-only" in n for n in report["notes"]), report["notes"]
    elif expect == "applies":
        assert len(eu) == 1 and "this model is multimodal" in eu[0]["summary"]
    else:
        assert len(eu) == 1 and eu[0]["summary"].startswith("Conditional: applies only if this is a multimodal model")


def test_a_multimodal_name_outweighs_a_text_pipeline_tag(tmp_path: Path) -> None:
    root = tmp_path / "Llama-3.2-11B-Vision-Instruct-GGUF"
    root.mkdir()
    (root / "README.md").write_text(card({"license": "llama3.2", "pipeline_tag": "text-generation"}), encoding="utf-8")
    eu = eu_terms(openaudit.audit(str(root), offline=True).to_dict())
    assert len(eu) == 1 and "Vision" in eu[0]["summary"]


def test_family_hint_not_raised_on_the_familys_own_models(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.add_repo("meta-llama/Llama-3.2-1B", {"README.md": card({"license": "llama3.2", "tags": ["llama"]})})
    fake_hub.add_repo("someone/llama-3.2-1b-ft", {"README.md": card({"license": "llama3.2", "tags": ["llama"]})})
    own = check_hub(fake_hub, tmp_path, "meta-llama/Llama-3.2-1B")
    other = check_hub(fake_hub, tmp_path, "someone/llama-3.2-1b-ft")
    assert "OA503" not in rules(own) and own["lineage"]["hints"] == []
    assert "OA503" in rules(other)


def test_declared_license_name_is_shown_when_unknown(tmp_path: Path) -> None:
    report = audit_card(tmp_path, {"license": "other", "license_name": "pebble-community-license"})
    assert report["license"]["id"] == "unknown"
    assert report["license"]["name"] == "pebble-community-license"
    import io

    from openaudit.report.text import render_text

    out = io.StringIO()  # the plain-text report shows it too
    render_text([openaudit.audit(str(tmp_path / "model"), offline=True)], out)
    assert "unknown (declared: pebble-community-license)" in out.getvalue()


def test_disagreeing_signals_report_every_candidates_terms(tmp_path: Path) -> None:
    # license says CC BY-ND 4.0, license_link the CC BY-NC-ND 4.0 deed: unknown which binds, so fail closed.
    report = audit_card(tmp_path, {"license": "cc-by-nd-4.0",
                                   "license_link": "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.en"})
    assert report["license"]["id"] == "unknown" and "OA103" in rules(report)
    by_kind = {r["kind"]: r for r in report["restrictions"]}
    assert by_kind["no_derivatives"]["summary"].startswith("Under each license the card names")
    assert by_kind["non_commercial"]["summary"].startswith("If cc-by-nc-nd-4.0 applies")
    assert by_kind["non_commercial"]["clause"]["line"] == 3  # the license_link line
