"""The license reader through the Hub path: `license: other` repos whose only evidence is the license text.

One CLI run audits every corpus license text served from the fake Hub, so the real huggingface_hub
download path, the text matcher and the clause extractor are exercised together.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT / "bench"))
from expected import LICENSES, acceptable  # noqa: E402

CARD_OTHER = "---\nlicense: other\nlicense_name: see-license-file\n---\n# model\n\nWeights for a test.\n"


def run_check(env: dict[str, str], *targets: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", *targets, "--format", "json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else [data]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the project")
def test_corpus_license_texts_served_as_license_other_repos(fake_hub: FakeHub, tmp_path: Path) -> None:
    from openaudit.licenses.catalog import load_catalog

    catalog = load_catalog()
    targets: dict[str, str] = {}
    policies: set[str] = set()
    for name, expected in sorted(LICENSES.items()):
        path = CORPUS / "licenses" / name
        if "/" in name or not path.is_file():
            continue  # top-level texts; variants and ScanCode files are covered by the catalog tests
        repo = "corpus/" + path.stem.replace(".", "-").replace("+", "p")
        entry = catalog.get(acceptable(expected)[0])
        if entry is not None and entry.category == "policy":
            # A use policy is not a license: served as USE_POLICY.md it is read, and the license stays unknown.
            fake_hub.add_repo(repo, {"README.md": CARD_OTHER, "USE_POLICY.md": path.read_bytes()})
            policies.add(name)
        else:
            fake_hub.add_repo(repo, {"README.md": CARD_OTHER, "LICENSE": path.read_bytes()})
        targets[repo] = name
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="20")
    reports = run_check(env, *targets)
    assert len(reports) == len(targets) >= 60
    correct, unknown, wrong = [], [], []
    for report in reports:
        name = targets[report["target"]["id"]]
        got = report["license"]["id"]
        ok = ("unknown",) if name in policies else acceptable(LICENSES[name])
        if name in policies:
            assert {f["name"]: f["role"] for f in report["files"]}["USE_POLICY.md"] == "use_policy"
        (correct if got in ok else unknown if got == "unknown" else wrong).append((name, got))
        assert report["target"]["revision"] and report["target"]["kind"] == "hub"
    assert wrong == [], wrong  # a confident wrong name is the worst failure
    assert len(correct) >= 0.9 * len(reports), (len(correct), unknown)
    # Requests: one model_info plus HEAD+GET per file (README, LICENSE) for every repo.
    assert len(fake_hub.requests) <= 5 * len(targets)


INVENTED = {
    # Licenses written for this test: no catalog knows them; their terms must be read from the text.
    "inv/orbit": ("ORBIT OPEN WEIGHTS LICENSE v2\n\n3. Scale. If the monthly active users of your products exceed "
                  "250 million, you must request a license from Orbit Labs.\n\n4. You shall not use the Model or "
                  "its outputs to train any other large language model.\n",
                  {"user_cap": 250e6, "output_training_ban": None}),
    "inv/vale": ("Vale Research Model Terms\n\nYou may use the Model solely for non-commercial research purposes. "
                 "The Model may not be used by individuals domiciled in, or companies with a principal place of "
                 "business in, the United Kingdom or South Korea.\n",
                 {"non_commercial": None, "territory": ["GB", "KR"]}),
    "inv/tern": ("TERN COMMUNITY LICENSE\n\nThis license is free for organizations with annual revenue below "
                 "USD 5,000,000. Licensees whose annual revenue exceeds USD 5,000,000 must obtain an enterprise "
                 "license.\n", {"revenue_cap": 5e6}),
}


def test_never_seen_licenses_over_the_hub(fake_hub: FakeHub, tmp_path: Path) -> None:
    for repo, (text, _) in INVENTED.items():
        fake_hub.add_repo(repo, {"README.md": CARD_OTHER, "LICENSE.md": text})
    reports = run_check(hub_env(fake_hub.url, tmp_path / "hf"), *INVENTED)
    for report in reports:
        assert report["license"]["id"] == "unknown"
        _, expected = INVENTED[report["target"]["id"]]
        by_kind = {r["kind"]: r for r in report["restrictions"]}
        for kind, value in expected.items():
            assert kind in by_kind, (report["target"]["id"], kind, by_kind)
            r = by_kind[kind]
            assert r["clause"]["file"] == "LICENSE.md" and r["clause"]["line"] >= 3
            if isinstance(value, float):
                assert r["thresholds"][0]["value"] == value
            elif isinstance(value, list):
                assert sorted(r["territories"]) == value


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the project")
def test_corpus_cards_served_from_the_hub(fake_hub: FakeHub, tmp_path: Path) -> None:
    """Real model cards through the Hub path: the declared license, its OSI flag, and OSAID verdicts."""
    from expected import CARDS

    from openaudit.licenses.catalog import load_catalog

    catalog = load_catalog()
    targets: dict[str, str] = {}
    for name in sorted(CARDS):
        path = CORPUS / "cards" / name
        if "/" in name or not path.is_file():
            continue
        repo = "cards/" + re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-")[:90]
        fake_hub.add_repo(repo, {"README.md": path.read_bytes(), "model.safetensors": b"\0" * 8})
        targets[repo] = name
    reports = run_check(hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="20"), *targets)
    assert len(reports) == len(targets) >= 70
    right = 0
    by_name = {}
    for report in reports:
        name = targets[report["target"]["id"]]
        by_name[name] = report
        lic = report["license"]
        ok = acceptable(CARDS[name])
        assert lic["id"] in ok or lic["id"] == "unknown", (name, lic["id"], ok)  # never a wrong name
        right += lic["id"] in ok
        entry = catalog.get(lic["id"])
        if entry is not None:
            assert lic["osi_approved"] == entry.osi_approved, name
    assert right >= 0.9 * len(reports)
    assert by_name["allenai__OLMo-7B.md"]["osaid"]["verdict"] == "conformant"
    assert by_name["meta-llama__Meta-Llama-3-8B.md"]["osaid"]["verdict"] == "not_conformant"
    llama3 = by_name["meta-llama__Meta-Llama-3-8B.md"]
    caps = [r for r in llama3["restrictions"] if r["kind"] == "user_cap"]
    assert caps and caps[0]["thresholds"][0]["value"] == 700_000_000
