"""`openaudit diff`: what changed between two revisions, and exit 1 when the terms became stricter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env

from openaudit.audit import audit
from openaudit.diff import diff_reports

# Texts written for these tests (stand-ins in this project's own words, not real license texts).
CARD_OPEN = """---
license: apache-2.0
---
# river-small

A toy model used by openaudit's diff tests.
"""
LICENSE_OPEN = """\
                                 Apache License
                           Version 2.0, January 2004

Stand-in for openaudit's tests: it names the license and grants nothing.
"""
CARD_NC = """---
license: cc-by-nc-4.0
---
# river-small

A toy model used by openaudit's diff tests, now offered for non-commercial use.
"""
LICENSE_NC = """River model terms (test stand-in)

1. You may copy and adapt the model, with credit to the authors.

2. You may use the model for non-commercial purposes only.
"""
CUSTOM_CARD = """---
license: other
license_name: river-community
license_link: LICENSE.md
---
# river-community
"""
CUSTOM_V1 = """# RIVER COMMUNITY LICENSE (written for openaudit's tests)

1. Grant. You may use, copy, modify and distribute the River Model under the conditions below.

2. Large deployments. If the products you offer had more than 50 million monthly active users in the preceding
   calendar month, you must obtain a separate license from River before using the River Model.
"""
CUSTOM_V2 = """# RIVER COMMUNITY LICENSE (written for openaudit's tests)

1. Grant. You may use, copy, modify and distribute the River Model under the conditions below.

2. Large deployments. If the products you offer had more than 10 million monthly active users in the preceding
   calendar month, you must obtain a separate license from River before using the River Model.

3. Territory. This license does not apply, and no rights are granted, to users located in the European Union.
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def river(fake_hub: FakeHub) -> tuple[str, str]:
    """acme/river: v1 (Apache-2.0) and v2 (non-commercial) tags."""
    v1 = fake_hub.add_repo("acme/river", {"README.md": CARD_OPEN, "LICENSE": LICENSE_OPEN,
                                          "model.safetensors": b"\0" * 32})
    v2 = fake_hub.add_revision("acme/river", {"README.md": CARD_NC, "LICENSE": LICENSE_NC,
                                              "model.safetensors": b"\0" * 32}, branch="main")
    fake_hub.set_ref("acme/river", "v1", v1)
    fake_hub.set_ref("acme/river", "v2", v2)
    return v1, v2


def test_hub_revisions_license_became_non_commercial(fake_hub: FakeHub, river: tuple[str, str],
                                                      tmp_path: Path) -> None:
    v1, v2 = river
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    proc = run(env, "diff", "acme/river@v1", "acme/river@v2", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["stricter"] is True
    assert data["a"]["revision"] == v1 and data["b"]["revision"] == v2
    kinds = {c["kind"]: c for c in data["changes"]}
    lic = kinds["license"]
    assert lic["before"] == "apache-2.0" and lic["after"] == "cc-by-nc-4.0"
    assert {(c["file"], c["line"]) for c in lic["clauses"]["a"]} & {("README.md", 2), ("LICENSE", 1)}
    assert ("README.md", 2) in {(c["file"], c["line"]) for c in lic["clauses"]["b"]}
    assert kinds["osi_approved"]["stricter"] is True
    added = [c for c in data["changes"] if c["kind"] == "restriction_added" and c["after"] == "non_commercial"]
    assert added and added[0]["stricter"]
    assert ("LICENSE", 5) in {(c["file"], c["line"]) for c in added[0]["clauses"]["b"]}

    table = run(env, "diff", "acme/river@v1", "acme/river@v2")
    assert table.returncode == 1
    assert "STRICTER" in table.stdout and "LICENSE:5" in table.stdout and "exit 1" in table.stdout


def test_hub_revisions_reverse_is_not_stricter(fake_hub: FakeHub, river: tuple[str, str], tmp_path: Path) -> None:
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    proc = run(env, "diff", "acme/river@v2", "acme/river@v1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["stricter"] is False and data["changed"] is True
    kinds = {c["kind"] for c in data["changes"]}
    assert {"license", "restriction_removed"} <= kinds


def _dir(tmp_path: Path, name: str, card: str, text: str) -> str:
    d = tmp_path / name
    d.mkdir()
    (d / "README.md").write_text(card, encoding="utf-8")
    (d / "LICENSE.md").write_text(text, encoding="utf-8")
    return str(d)


def test_local_directories_lower_cap_and_new_territory(tmp_path: Path) -> None:
    a = audit(_dir(tmp_path, "v1", CUSTOM_CARD, CUSTOM_V1), offline=True)
    b = audit(_dir(tmp_path, "v2", CUSTOM_CARD, CUSTOM_V2), offline=True)
    result = diff_reports(a, b)
    assert result["stricter"] is True
    caps = [c for c in result["changes"] if c["kind"] == "threshold"]
    assert caps and caps[0]["before"] == 50e6 and caps[0]["after"] == 10e6 and caps[0]["stricter"]
    assert caps[0]["clauses"]["a"][0]["line"] == 5 and caps[0]["clauses"]["b"][0]["line"] == 5
    terr = [c for c in result["changes"] if c["kind"] in ("territory", "restriction_added") and c["stricter"]]
    assert terr and any(c["clauses"]["b"] and c["clauses"]["b"][0]["line"] == 8 for c in terr)
    back = diff_reports(b, a)
    assert back["stricter"] is False
    assert diff_reports(a, a) == {**diff_reports(a, a), "changes": [], "stricter": False, "changed": False}


@pytest.mark.slow  # the CLI once per format
def test_cli_local_directories_all_formats(tmp_path: Path) -> None:
    import os

    a = _dir(tmp_path, "v1", CUSTOM_CARD, CUSTOM_V1)
    b = _dir(tmp_path, "v2", CUSTOM_CARD, CUSTOM_V2)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    data = json.loads(run(env, "diff", a, b, "-f", "json").stdout)
    assert data["stricter"] and data["a"]["kind"] == "local"
    table = run(env, "diff", a, b)
    assert table.returncode == 1, table.stderr
    assert "STRICTER  user_cap: cap lowered from 50M to 10M monthly active users" in table.stdout
    assert "A: LICENSE.md:5" in table.stdout and "B: LICENSE.md:5" in table.stdout and "LICENSE.md:8" in table.stdout
    md = run(env, "diff", a, b, "--format", "markdown")
    assert md.returncode == 1, md.stderr
    assert md.stdout.startswith("## openaudit diff: ❌ terms became stricter")
    row = next(line for line in md.stdout.splitlines() if "cap lowered" in line)
    assert row.startswith("| **stricter** |") and "`LICENSE.md:5`" in row and row.count(" | ") == 3
    assert "Exit 1." in md.stdout
    out_file = tmp_path / "diff.md"
    written = run(env, "diff", a, b, "--format", "markdown", "--output", str(out_file))
    assert written.returncode == 1 and written.stdout == "" and out_file.read_text(encoding="utf-8") == md.stdout
    same = run(env, "diff", a, a, "-f", "markdown")
    assert same.returncode == 0 and "✅" in same.stdout and "No change" in same.stdout
    looser = run(env, "diff", b, a)
    assert looser.returncode == 0 and "STRICTER" not in looser.stdout and "exit 0" in looser.stdout
    bad = run(env, "diff", a, str(tmp_path / "missing"))
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr


def test_markdown_escapes_card_text(tmp_path: Path) -> None:
    import io

    from openaudit.diff import render_diff

    evil = CUSTOM_V2.replace("users located in the European Union.",
                             "users located in the European Union. | <img src=x> @everyone [x](http://e.vil)")
    a = audit(_dir(tmp_path, "v1", CUSTOM_CARD, CUSTOM_V1), offline=True)
    b = audit(_dir(tmp_path, "v2", CUSTOM_CARD.replace("river-community", "river|<b>x</b>"), evil), offline=True)
    buf = io.StringIO()
    render_diff(diff_reports(a, b), "markdown", buf)
    out = buf.getvalue()
    assert "<img" not in out and "<b>" not in out and "@everyone" not in out and "](http" not in out
    for line in out.splitlines():
        if line.startswith(("| **stricter**", "| changed")):
            assert line.count(" | ") == 3, line  # no cell broken out of


def test_custom_license_renamed_is_reported(tmp_path: Path) -> None:
    a = audit(_dir(tmp_path, "v1", CUSTOM_CARD, CUSTOM_V1), offline=True)
    b = audit(_dir(tmp_path, "v2", CUSTOM_CARD.replace("river-community", "river-community-2"), CUSTOM_V1),
              offline=True)
    assert a.license.id == b.license.id == "unknown"
    result = diff_reports(a, b)
    named = [c for c in result["changes"] if c["kind"] == "license_name"]
    assert named and named[0]["before"] == "river-community" and named[0]["after"] == "river-community-2"
    assert not result["stricter"] and named[0]["clauses"]["b"][0]["line"] == 3


def test_a_changed_license_text_is_reported_with_its_passages(tmp_path: Path) -> None:
    from corpus import corpus_license

    text = corpus_license("llama3.1.txt")
    lines = text.split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith("2. Additional Commercial Terms"))
    card = "---\nlicense: llama3.1\n---\n# m\n"
    a = audit(_dir(tmp_path, "v1", card, text), offline=True)
    b = audit(_dir(tmp_path, "v2", card, "\n".join(lines[:cut] + lines[cut + 1:])), offline=True)
    result = diff_reports(a, b)
    assert result["changed"] is True
    (t,) = [c for c in result["changes"] if c["kind"] == "license_text"]
    assert t["before"] == "exact" and t["after"] == "modified" and t["stricter"]
    assert "removed" in t["summary"] and t["clauses"]["b"][0]["file"] == "LICENSE.md"
    assert any(c["kind"] == "restriction_removed" and c["before"] == "user_cap" for c in result["changes"])
    assert not [c for c in diff_reports(a, a)["changes"] if c["kind"] == "license_text"]


def test_amounts_read_the_same_in_diff_table_and_findings(tmp_path: Path) -> None:
    """One short form for amounts (openaudit.licenses.numbers.short_amount): a 50,000-user cap is "50k" in the
    diff summary, the report's terms and the rule engine's finding alike (the views printed "50000", the diff
    "50K")."""
    import io

    from openaudit.report.text import render_text

    small = CUSTOM_V1.replace("50 million", "50,000")
    a = audit(_dir(tmp_path, "v1", CUSTOM_CARD, CUSTOM_V1), offline=True)
    b = audit(_dir(tmp_path, "v2", CUSTOM_CARD, small), offline=True, context={"mau": "1.2M"})
    caps = [c for c in diff_reports(a, b)["changes"] if c["kind"] == "threshold"]
    assert caps and "from 50M to 50k monthly active users" in caps[0]["summary"]
    out = io.StringIO()
    render_text([b], out)
    table = out.getvalue()
    assert "50k monthly active users" in table and "50000" not in table
    assert any("Your 1.2M monthly active users exceed the license cap of 50k" in f.message for f in b.findings)
