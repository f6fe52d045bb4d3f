"""Lineage (base_model), training data (datasets) and batch audits, through the CLI against the fake Hub.

Request budget under test: an upstream model costs one model_info plus HEAD+GET per file, once per run
however many derivatives name it; a dataset card one GET, once per run; `--author` lists the organisation
(pages aside) and then costs each model only its file downloads (at most 5 requests per model).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = Draft202012Validator(json.loads((ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8")))

# Fixture texts written for these tests: they name licenses, they are not license texts.
LLAMA_LICENSE = """Llama 3.1 Community License Agreement

Llama 3.1 Version Release Date: July 23, 2024

A short stand-in written for openaudit's lineage tests; it only carries the lines by which the license is
recognised and one sentence with its user cap.
If the products of the licensee had greater than 700 million monthly active users, a separate license is needed.
"""
MIT_LICENSE = "MIT License (test stand-in)\n\nThis stand-in only names the license for openaudit's tests.\n"


def card(license: str, *, base: str | list[str] | None = None, relation: str | None = None,
         datasets: list[str] | None = None, tags: list[str] | None = None) -> str:
    lines = ["---", f"license: {license}"]
    if base is not None:
        lines.append(f"base_model: {json.dumps(base)}")
    if relation:
        lines.append(f"base_model_relation: {relation}")
    if datasets:
        lines.append(f"datasets: {json.dumps(datasets)}")
    if tags:
        lines.append(f"tags: {json.dumps(tags)}")
    lines += ["---", "# test model", "", "A toy model card written for openaudit's lineage tests."]
    return "\n".join(lines) + "\n"


def run_cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def check(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = run_cli(env, "check", *args, "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    data = json.loads(proc.stdout)
    assert list(VALIDATOR.iter_errors(data)) == []
    return proc, data


def rules_of(report: dict) -> Counter:
    return Counter(f["rule"] for f in report["findings"])


def caps(report: dict) -> list[dict]:
    return [r for r in report["restrictions"] if r["kind"] == "user_cap"]


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


@pytest.fixture
def llama(fake_hub: FakeHub) -> FakeHub:
    """base/llama (Llama 3.1, with a license file), relabelled derivatives one and two hops down."""
    fake_hub.add_repo("base/llama", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("q/llama-mit", {"README.md": card("mit", base="base/llama", relation="quantized"),
                                      "LICENSE": MIT_LICENSE})
    fake_hub.add_repo("q/llama-mit-ft", {"README.md": card("mit", base="q/llama-mit", relation="finetune")})
    fake_hub.add_repo("q/llama-mit-ft2", {"README.md": card("apache-2.0", base="q/llama-mit-ft", relation="adapter")})
    return fake_hub


@pytest.mark.parametrize(("target", "hops"), [("q/llama-mit", 1), ("q/llama-mit-ft", 2), ("q/llama-mit-ft2", 3)])
def test_relabelled_llama_derivative_carries_the_upstream_terms(llama: FakeHub, env: dict[str, str], target: str,
                                                                hops: int) -> None:
    proc, report = check(env, target)
    assert proc.returncode == 1  # OA501 is an error
    # Each upstream: one model_info and one GET per file it has (no HEAD), once.
    seen = [r.method + " " + r.route.rsplit("/", 1)[-1] for r in llama.requests_to("^/(api/models/)?base/llama")]
    assert seen[0] == "GET llama" and sorted(seen[1:]) == ["GET LICENSE", "GET README.md"]
    lineage = report["lineage"]
    chain = lineage["chain"]
    assert [e["depth"] for e in chain] == list(range(1, hops + 1))
    top = chain[-1]
    assert top["id"] == "base/llama" and top["license"] == "llama3.1" and top["status"] == "ok"
    assert top["relation"] == "quantized" and top["revision"] == llama.repos["base/llama"].refs["main"]
    assert chain[0]["citation"] == {"source": "metadata", "file": "README.md", "line": 3,
                                    "text": f"base_model: {chain[0]['id']}"}
    if hops > 1:
        assert chain[1]["citation"]["file"] == f"{chain[0]['id']}:README.md"
    assert "llama3.1" in lineage["effective_licenses"]
    cap = caps(report)
    assert cap and cap[0]["thresholds"][0]["value"] == 700_000_000 and cap[0]["origin"] == "base_model"
    assert cap[0]["clause"]["source"] == "base_model"
    assert cap[0]["clause"]["file"] == "base/llama:LICENSE" and cap[0]["clause"]["line"] == 7
    assert "700 million" in cap[0]["clause"]["text"]
    kinds = {r["kind"] for r in report["restrictions"] if r["origin"] == "base_model"}
    assert {"user_cap", "use_restrictions", "attribution", "naming"} <= kinds
    launder = [f for f in report["findings"] if f["rule"] == "OA501"]
    assert len(launder) == 1 and launder[0]["severity"] == "error"
    assert "base/llama" in launder[0]["message"] and "llama3.1" in launder[0]["message"]
    assert "base/llama:README.md:2" in launder[0]["message"]  # cites the upstream card too
    assert launder[0]["evidence"]["file"] == "README.md" and launder[0]["evidence"]["line"] == 2
    # The user cap now gates a deployment above it, whatever the derivative's card says.
    proc = run_cli(env, "check", target, "--mau", "800M", "-f", "json")
    assert proc.returncode == 1 and "OA221" in {f["rule"] for f in json.loads(proc.stdout)["findings"]}


def test_upstreams_are_fetched_once_per_run_and_depth_is_limited(llama: FakeHub, env: dict[str, str]) -> None:
    proc, reports = check(env, "q/llama-mit-ft2", "q/llama-mit-ft", "q/llama-mit")
    assert len(reports) == 3
    infos = Counter(r.route for r in llama.requests_to("^/api/models/"))
    assert all(n == 1 for n in infos.values()), infos  # each model's model_info once, targets and upstreams alike
    llama.clear()
    proc, report = check(env, "q/llama-mit-ft2", "--max-depth", "2")
    chain = report["lineage"]["chain"]
    assert [(e["id"], e["status"]) for e in chain] == [
        ("q/llama-mit-ft", "ok"), ("q/llama-mit", "ok"), ("base/llama", "depth_limit")]
    assert "OA502" in rules_of(report) and not caps(report)  # said, not hidden
    assert not llama.requests_to("^/(api/models/)?base/llama")


def test_base_model_cycle_terminates(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("cyc/a", {"README.md": card("apache-2.0", base="cyc/b", relation="finetune")})
    fake_hub.add_repo("cyc/b", {"README.md": card("apache-2.0", base=["cyc/a", "cyc/b"], relation="merge")})
    proc, report = check(env, "cyc/a", "--max-depth", "10")
    chain = report["lineage"]["chain"]
    assert [(e["id"], e["status"]) for e in chain] == [("cyc/b", "ok"), ("cyc/a", "cycle"), ("cyc/b", "cycle")]
    assert len(fake_hub.requests_to("^/api/models/cyc/b$")) == 1
    loops = [f["message"] for f in report["findings"] if f["rule"] == "OA502"]
    assert loops == ["Upstream cyc/a (base of cyc/b): already in this chain: base_model loops back (not followed)",
                     "Upstream cyc/b (base of cyc/b): already in this chain: base_model loops back (not followed)"]
    assert report["lineage"]["effective_licenses"] == ["apache-2.0"]  # no unknown: every model was read


def test_missing_upstream_and_hints(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("m/orphan", {"README.md": card("mit", base="nobody/missing-base")})
    fake_hub.add_repo("m/llama-2-chat-ft", {"README.md": card("mit", tags=["llama-2", "text-generation"])})
    fake_hub.add_repo("m/down-ft", {"README.md": card("mit", base="flaky/base")})
    fake_hub.add_repo("flaky/base", {"README.md": card("llama3.1")})
    fake_hub.add_fault("^/api/models/flaky/base$", status=503)
    proc, reports = check(env, "m/orphan", "m/llama-2-chat-ft", "m/down-ft")
    orphan, hinted, down = reports
    assert orphan["lineage"]["chain"][0]["status"] == "unreachable"
    assert orphan["lineage"]["effective_licenses"] == ["mit", "unknown"]  # said, not hidden
    oa502 = [f for f in orphan["findings"] if f["rule"] == "OA502"]
    assert oa502 and oa502[0]["message"] == ("Upstream nobody/missing-base (base of m/orphan): repository not found "
                                             "on the Hub (or private without access)")
    assert oa502[0]["evidence"]["line"] == 3
    chain = down["lineage"]["chain"]
    assert chain[0]["status"] == "unreachable" and "HTTP 503" in chain[0]["reason"]
    assert "OA502" in rules_of(down) and down["lineage"]["effective_licenses"] == ["mit", "unknown"]
    assert "OA503" not in rules_of(down)  # a declared base_model: no name hints
    assert hinted["lineage"]["chain"] == [] and hinted["lineage"]["hints"][0]["family"] == "llama"
    assert "OA503" in rules_of(hinted) and "OA503" not in rules_of(orphan)


def test_training_data_licenses(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_dataset("acme/nc-data", card_data={"license": "cc-by-nc-4.0"})
    fake_hub.add_dataset("acme/open-data", card_data={"license": "apache-2.0"}, gated="auto")
    fake_hub.add_repo("d/model", {"README.md": card("apache-2.0", datasets=["acme/nc-data", "acme/open-data",
                                                                             "acme/gone"]),
                                  "LICENSE": "Apache License\nVersion 2.0, January 2004\n"})
    proc, report = check(env, "d/model")
    ds = {d["id"]: d for d in report["lineage"]["datasets"]}
    assert ds["acme/nc-data"]["license_id"] == "cc-by-nc-4.0" and ds["acme/nc-data"]["non_commercial"] is True
    assert ds["acme/open-data"]["license_id"] == "apache-2.0" and ds["acme/open-data"]["gated"] == "auto"
    assert ds["acme/gone"]["status"] == "unreachable"
    oa504 = [f for f in report["findings"] if f["rule"] == "OA504"]
    assert len(oa504) == 1 and "acme/nc-data" in oa504[0]["message"] and "non-commercial" in oa504[0]["message"]
    assert oa504[0]["evidence"]["file"] == "README.md"
    oa505 = [f for f in report["findings"] if f["rule"] == "OA505"]
    assert len(oa505) == 1 and "acme/gone" in oa505[0]["message"]
    assert len(fake_hub.requests_to("^/api/datasets/")) == 3


def test_author_over_40_models_with_pagination(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("base/llama", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_dataset("acme/nc-data", card_data={"license": "cc-by-nc-4.0"})
    for i in range(40):
        fake_hub.add_repo(f"fleet/ft-{i:02d}", {
            "README.md": card("mit", base="base/llama", relation="finetune", datasets=["acme/nc-data"]),
            "LICENSE": MIT_LICENSE, "model.safetensors": b"\0" * 8})
    fake_hub.add_repo("other/model", {"README.md": card("mit")})
    fake_hub.page_size = 10
    proc = run_cli(env, "check", "--author", "fleet", "--format", "jsonl")
    assert proc.returncode == 1, proc.stderr  # every fine-tune launders Llama 3.1
    assert proc.stderr == ""
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(reports) == 40
    assert sorted(r["target"]["id"] for r in reports) == [f"fleet/ft-{i:02d}" for i in range(40)]
    for r in reports:
        assert list(VALIDATOR.iter_errors(r)) == []
        assert caps(r) and caps(r)[0]["origin"] == "base_model"
        assert {"OA501", "OA504"} <= set(rules_of(r))
    listing = fake_hub.requests_to("^/api/models$")
    assert len(listing) == 4  # 40 models, 10 per page, followed through the Link header
    assert "author=fleet" in listing[0].path and "expand=cardData" in listing[0].path
    per_model = Counter(r.route.split("/")[2] for r in fake_hub.requests_to("^/fleet/"))
    assert len(per_model) == 40 and max(per_model.values()) <= 5, per_model
    assert not fake_hub.requests_to("^/api/models/fleet/")  # the listing's card data and sha: no model_info
    assert len(fake_hub.requests_to("^/api/models/base/llama$")) == 1  # the shared upstream, once
    assert len(fake_hub.requests_to("^/api/datasets/")) == 1
    total = len(fake_hub.requests_to()) - len(listing)
    assert total <= 5 * 40, total
    print(f"--author over 40 models: {len(listing)} listing pages, {total} other requests "
          f"({max(per_model.values())} per model at most)")


def test_from_file_jsonl_and_per_target_errors(llama: FakeHub, env: dict[str, str], tmp_path: Path) -> None:
    targets = tmp_path / "targets.txt"
    targets.write_text("# models to audit\nq/llama-mit   # quantized, relabelled\n\nbase/llama\nnobody/missing\n")
    proc = run_cli(env, "check", "--from", str(targets), "--format", "jsonl")
    assert proc.returncode == 3  # the worst of the targets: one could not be audited
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openaudit: error: nobody/missing")
    # one line per target, in the order they finished (streamed)
    reports = {r["target"]["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert sorted(reports) == ["base/llama", "q/llama-mit"] and len(proc.stdout.splitlines()) == 2
    assert reports["base/llama"]["lineage"]["chain"] == []
    proc = run_cli(env, "check", "--from", str(targets))  # table: the reports, then a summary table
    assert proc.returncode == 3
    summary = proc.stdout.split("Summary:")[1]
    assert "q/llama-mit" in summary and "ERROR (exit 3)" in summary and "3 targets: 1 passed, 1 failed, 1 not" \
        in summary


def test_local_chain_through_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "README.md").write_text(card("llama3.1"))
    (tmp_path / "base" / "LICENSE").write_text(LLAMA_LICENSE)
    (tmp_path / "ft").mkdir()
    (tmp_path / "ft" / "README.md").write_text(card("mit", base="../base", relation="finetune"))
    env = hub_env("http://127.0.0.1:9", tmp_path / "hf", HF_HUB_OFFLINE="1")
    proc, report = check(env, str(tmp_path / "ft"))
    assert report["lineage"]["chain"][0]["kind"] == "local"
    assert report["lineage"]["chain"][0]["license"] == "llama3.1"
    assert caps(report)[0]["clause"]["file"].endswith("base:LICENSE")
    assert "OA501" in rules_of(report)


DATA_SECTION = """
## Training data

The model was fine-tuned on the acme/nc-data and acme/open-data datasets: web text collected in 2023,
filtered for quality and deduplicated before training.
"""


def dims(report: dict) -> dict:
    return {k: v["status"] for k, v in report["grade"]["dimensions"].items()}


def req(report: dict, rid: str) -> dict:
    return next(r for r in report["osaid"]["requirements"] if r["id"] == rid)


def test_dataset_licenses_feed_osaid_and_grade(fake_hub: FakeHub, env: dict[str, str]) -> None:
    """The same card, with its datasets open, CC-BY-NC, license-less or missing: grade and OSAID-D2 follow."""
    fake_hub.add_dataset("acme/open-data", card_data={"license": "apache-2.0"})
    fake_hub.add_dataset("acme/nc-data", card_data={"license": "cc-by-nc-4.0"})
    fake_hub.add_dataset("acme/open-too", card_data={"license": "cc-by-4.0"})
    fake_hub.add_dataset("acme/no-license", card_data={"pretty_name": "no license declared"})
    base = card("apache-2.0", datasets=["acme/open-too", "acme/open-data"]) + DATA_SECTION
    fake_hub.add_repo("d/open", {"README.md": base})
    fake_hub.add_repo("d/nc", {"README.md": base.replace("acme/open-too", "acme/nc-data")})
    fake_hub.add_repo("d/nolic", {"README.md": base.replace("acme/open-too", "acme/no-license")})
    fake_hub.add_repo("d/gone", {"README.md": base.replace("acme/open-too", "acme/gone")})
    proc, (open_, nc, nolic, gone) = check(env, "d/open", "d/nc", "d/nolic", "d/gone")
    assert dims(open_)["training_data"] == "open" and req(open_, "OSAID-D2")["status"] == "pass"
    assert "dataset cards read on the Hub: acme/open-too cc-by-4.0" in req(open_, "OSAID-D2")["reason"]
    assert not {"OA504", "OA505"} & set(rules_of(open_))
    # CC-BY-NC data: reported (OA504) and caps the grade's training_data at partial; OSAID 1.0 lists data, it
    # does not require open data licenses, so OSAID-D2 still passes and says why.
    assert "OA504" in rules_of(nc) and nc["lineage"]["datasets"][0]["non_commercial"] is True
    assert dims(nc)["training_data"] == "partial"
    assert "acme/nc-data is cc-by-nc-4.0 (non-commercial)" in nc["grade"]["dimensions"]["training_data"]["reason"]
    assert nc["grade"]["score"] == open_["grade"]["score"] - 10  # 20 points x (1 - 0.5)
    cited = nc["grade"]["dimensions"]["training_data"]["evidence"]
    assert ("README.md", 3) in {(e["file"], e["line"]) for e in cited}  # the card's `datasets:` line
    d2 = req(nc, "OSAID-D2")
    assert d2["status"] == "pass" and "acme/nc-data is cc-by-nc-4.0" in d2["reason"]
    assert "requires the listing, not open data licenses" in d2["reason"]
    # A dataset card without a license: OA505, grade partial too.
    assert "OA505" in rules_of(nolic) and dims(nolic)["training_data"] == "partial"
    assert "acme/no-license: no license declared" in nolic["grade"]["dimensions"]["training_data"]["reason"]
    # A dataset card that could not be read is said (OA505, OSAID-D2's reason) but moves no status: the grade
    # must not depend on whether the Hub answered.
    assert "OA505" in rules_of(gone) and dims(gone)["training_data"] == "open"
    assert gone["grade"]["score"] == open_["grade"]["score"]
    d2 = req(gone, "OSAID-D2")
    assert d2["status"] == "pass" and "not confirmed on the Hub: acme/gone: dataset not found" in d2["reason"]


def test_gated_upstream_still_carries_its_terms(fake_hub: FakeHub, env: dict[str, str]) -> None:
    """The usual Llama case: the base is gated (no token), so its files cannot be read, but model_info's card data
    names the license: the terms come from the catalog and the laundering finding still fires."""
    fake_hub.add_repo("meta/llama-gated", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE}, gated="manual")
    fake_hub.add_repo("q/gated-mit", {"README.md": card("mit", base="meta/llama-gated", relation="quantized")})
    proc, report = check(env, "q/gated-mit")
    assert proc.returncode == 1
    top = report["lineage"]["chain"][0]
    assert top["status"] == "ok" and top["license"] == "llama3.1"
    cap = caps(report)
    assert cap and cap[0]["thresholds"][0]["value"] == 700_000_000 and cap[0]["origin"] == "base_model"
    launder = [f for f in report["findings"] if f["rule"] == "OA501"]
    assert len(launder) == 1 and "meta/llama-gated:model_info.cardData" in launder[0]["message"]
    gets = fake_hub.requests_to("^/meta/llama-gated/")
    assert [r.status for r in gets] == [403, 403]  # one GET per file, refused, no retry
