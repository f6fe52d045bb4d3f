"""Every rule code has a test input and its expected finding.

The codes no other test names get one here: the restriction kinds (OA202-OA212) from a license text
written for this test (one clause per kind, each finding cited at its line), OA108/OA302/OA301/OA401
from declared licenses, OA402 from a gated repository on the fake Hub, OA903/OA905 from a policy.
``test_every_rule_code_is_named_by_a_test`` fails when a code in rules/*.yaml is named by no test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakehub import FakeHub, hub_env

import openaudit
from openaudit.model import Finding, Report

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

# Invented for this test (not a real license): one clause per restriction kind, on known lines.
ACME_LICENSE = """\
ACME Model License Agreement

1. Grant. ACME grants you a license to use, reproduce and modify the Model, subject to this Agreement.
2. Non-commercial use. You may use the Model only for non-commercial research purposes.
3. Outputs. You may not use the Model or its outputs to train, improve or develop any other large language model.
4. Territory. This license may not be used by individuals or companies domiciled in the European Union.
5. Derivatives. You may not distribute modified versions of the Model.
6. Share-alike. Any modified version you share must be released under the same terms as this Agreement.
7. Naming. Any model derived from the Model must include "ACME" at the beginning of its name.
8. Registration. Before any use, you must register with ACME and obtain its written permission.
9. Changes. ACME may update or modify this Agreement from time to time; the updated terms bind you.
10. Revenue. If your annual revenue exceeds US$1 million, you must obtain a commercial license from ACME.
11. Attribution. You must retain this notice and display "Built with ACME" in your product.
"""
# rule code -> (line of ACME_LICENSE it must cite, words its message must hold)
ACME_FINDINGS = {
    "OA202": (12, ("revenue", "1 million")),
    "OA203": (4, ("non-commercial",)),
    "OA205": (5, ("train",)),
    "OA206": (6, ("EU",)),
    "OA207": (13, ("Built with ACME",)),
    "OA208": (9, ('"ACME"',)),
    "OA209": (8, ("same license",)),
    "OA210": (7, ("may not be shared",)),
    "OA211": (10, ("registration",)),
    "OA212": (11, ("modify the terms",)),
}


def model_dir(root: Path, front_matter: str, files: dict[str, str] | None = None, body: str = "# m\n") -> str:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return str(root)


def by_rule(report: Report) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in report.findings:
        out.setdefault(f.rule, []).append(f)
    return out


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    d = model_dir(tmp_path_factory.mktemp("acme") / "acme-model", "license: other\nlicense_name: acme-model-license\n",
                  {"LICENSE": ACME_LICENSE})
    return by_rule(openaudit.audit(d, offline=True))


@pytest.mark.parametrize("code", sorted(ACME_FINDINGS))
def test_restriction_kind_read_from_the_license_text(acme: dict[str, list[Finding]], code: str) -> None:
    line, words = ACME_FINDINGS[code]
    assert code in acme, sorted(acme)
    (finding,) = acme[code]
    assert finding.evidence is not None
    assert (finding.evidence.file, finding.evidence.line) == ("LICENSE", line), finding
    for w in words:
        assert w.lower() in finding.message.lower(), finding.message
    assert finding.severity == ("info" if code in ("OA207", "OA208", "OA209", "OA211", "OA212") else "warning")


def test_restriction_kinds_absent_from_a_permissive_text(tmp_path: Path) -> None:
    # The same layout with only the grant and the attribution clause: none of the other kinds is reported.
    text = "\n".join([*ACME_LICENSE.splitlines()[:3], ACME_LICENSE.splitlines()[12]]) + "\n"
    found = by_rule(openaudit.audit(model_dir(tmp_path / "m", "license: other\n", {"LICENSE": text}), offline=True))
    assert "OA207" in found
    assert not set(ACME_FINDINGS) - {"OA207"} & set(found), sorted(found)


def test_oa108_not_osi_approved_and_oa301_osaid_fails(tmp_path: Path) -> None:
    found = by_rule(openaudit.audit(model_dir(tmp_path / "m", "license: llama3\n"), offline=True))
    (oa108,) = found["OA108"]
    assert "not an OSI-approved license" in oa108.message and "Llama 3" in oa108.message
    assert oa108.evidence is not None and oa108.evidence.file == "README.md"
    assert found["OA301"] and all(f.message.startswith("OSAID 1.0 ") and " fails: " in f.message
                                  for f in found["OA301"])
    mit = by_rule(openaudit.audit(model_dir(tmp_path / "mit", "license: mit\n"), offline=True))
    assert "OA108" not in mit and "OA301" not in mit


def test_oa302_osaid_undetermined_and_oa401_mof_class(tmp_path: Path) -> None:
    # An OSI-approved license and nothing else: OSAID cannot be decided, the MOF class is always stated.
    report = openaudit.audit(model_dir(tmp_path / "m", "license: mit\n"), offline=True)
    found = by_rule(report)
    assert report.osaid.verdict == "insufficient_evidence"
    (oa302,) = found["OA302"]
    assert oa302.message.startswith("OSAID 1.0: insufficient evidence") and oa302.severity == "info"
    (oa401,) = found["OA401"]
    assert oa401.message.startswith("MOF: ") and oa401.severity == "info"


def test_oa903_policy_requires_osaid(tmp_path: Path) -> None:
    target = model_dir(tmp_path / "m", "license: llama3\n")
    report = openaudit.audit(target, policy={"require": {"osaid": True}}, offline=True)
    (oa903,) = by_rule(report)["OA903"]
    assert oa903.severity == "error" and "requires Open Source AI" in oa903.message
    assert not report.passed and "OA903" in {v.rule for v in report.gate.violations}
    assert "OA903" not in by_rule(openaudit.audit(target, offline=True))


def test_oa905_policy_mof_class(tmp_path: Path) -> None:
    target = model_dir(tmp_path / "m", "license: mit\n")
    report = openaudit.audit(target, policy={"require": {"mof_class": 1}}, offline=True)
    (oa905,) = by_rule(report)["OA905"]
    assert oa905.severity == "error" and "does not meet the required Class 1" in oa905.message, oa905.message
    assert not report.passed and "OA905" in {v.rule for v in report.gate.violations}
    assert "OA905" not in by_rule(openaudit.audit(target, offline=True))


def test_oa402_gated_repository(fake_hub: FakeHub, tmp_path: Path) -> None:
    card = "---\nlicense: mit\n---\n# gated\n"
    fake_hub.add_repo("acme/gated-manual", {"README.md": card, "model.safetensors": b"\0" * 8}, gated="manual")
    fake_hub.add_repo("acme/open", {"README.md": card, "model.safetensors": b"\0" * 8})
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10", HF_TOKEN="hf_rulecodes0123456789")
    found = {}
    for repo in ("acme/gated-manual", "acme/open"):
        proc = subprocess.run([sys.executable, "-m", "openaudit", "check", repo, "--format", "json"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        found[repo] = {f["rule"]: f for f in json.loads(proc.stdout)["findings"]}
    oa402 = found["acme/gated-manual"]["OA402"]
    assert oa402["severity"] == "info" and "gated (manual)" in oa402["message"]
    assert "OA402" not in found["acme/open"]


def _rule_codes() -> set[str]:
    codes = set()
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "rules" in data:  # grade.yaml is the grade's configuration, not rules
            codes |= {rule["code"] for rule in data["rules"]}
    return codes


def test_every_rule_code_is_named_by_a_test() -> None:
    codes = _rule_codes()
    assert len(codes) >= 40
    named = set()
    for path in TESTS.rglob("test_*.py"):
        named |= set(re.findall(r"\bOA\d{3}\b", path.read_text(encoding="utf-8")))
    assert sorted(codes - named) == [], "rule codes with no test input and expected finding"
    # and the CLI lists exactly the codes of rules/*.yaml
    from openaudit.engine.rules import load_ruleset

    assert {r.code for r in load_ruleset()} == codes
