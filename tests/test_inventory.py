"""Installed models, offline: GGUF headers, Ollama's store, the Hugging Face cache and `openaudit inventory`.

Real layouts in a temporary home: a Hugging Face cache filled by the real huggingface_hub client from the fake
Hub (tests/fakehub.py), an Ollama store laid out as Ollama writes it (manifest JSON, sha256 blobs, a license
layer holding the Llama 3.1 text from the shared corpus, a GGUF model layer), and GGUF files written by the
``gguf`` package's writer (llama.cpp's own, an independent implementation of the format our reader parses).
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import corpus_license
from fakehub import FakeHub, hub_env

gguf = pytest.importorskip("gguf", reason="the gguf package (test extra) writes the GGUF files")
np = pytest.importorskip("numpy")

from openaudit.errors import EXIT_EVIDENCE_UNAVAILABLE  # noqa: E402
from openaudit.sources import gguf as reader  # noqa: E402
from openaudit.textutil import split_lines  # noqa: E402

LLAMA_BASE = "meta-llama/Llama-3.1-8B"
HF_CARD = """---
license: apache-2.0
---
# tiny-apache

A toy model that exists only for openaudit's tests.
"""
HF_LICENSE = """                                 Apache License
                           Version 2.0, January 2004

A stand-in written for openaudit's tests: it keeps the title lines by which the license is recognised.
"""


def write_gguf(path: Path, *, license: str | None = "llama3.1", base: str | None = LLAMA_BASE,
               name: str = "Test Model", tokens: int = 64, extra: dict | None = None) -> Path:
    """A real GGUF file from llama.cpp's writer: general.* keys, a small vocabulary and one tensor."""
    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_name(name)
    if license is not None:
        w.add_license(license)
    if base is not None:
        w.add_base_model_count(1)
        w.add_base_model_name(0, "Llama 3.1 8B")
        w.add_base_model_organization(0, "Meta Llama")
        w.add_base_model_repo_url(0, f"https://huggingface.co/{base}")
    w.add_tags(["text-generation", "llama"])
    for k, v in (extra or {}).items():
        w.add_string(k, v)
    w.add_token_list([f"tok{i}" for i in range(tokens)])
    w.add_tensor("output.weight", np.zeros((4, 4), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def blob(store: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (store / "blobs").mkdir(parents=True, exist_ok=True)
    (store / "blobs" / f"sha256-{digest}").write_bytes(data)
    return f"sha256:{digest}"


def ollama_model(store: Path, name: str, tag: str, model: bytes, licenses: list[str],
                 namespace: str = "library") -> Path:
    """An Ollama store entry as `ollama pull` leaves it: blobs by sha256 and a manifest naming them."""
    params = json.dumps({"stop": ["<|eot_id|>"]}).encode()
    config = json.dumps({"model_format": "gguf", "model_family": "llama"}).encode()
    layers = [{"mediaType": "application/vnd.ollama.image.model", "digest": blob(store, model), "size": len(model)}]
    layers += [{"mediaType": "application/vnd.ollama.image.license", "digest": blob(store, t.encode()),
                "size": len(t.encode())} for t in licenses]
    layers.append({"mediaType": "application/vnd.ollama.image.template",
                   "digest": blob(store, b"{{ .Prompt }}"), "size": 13})
    layers.append({"mediaType": "application/vnd.ollama.image.params", "digest": blob(store, params),
                   "size": len(params)})
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                           "digest": blob(store, config), "size": len(config)},
                "layers": layers}
    path = store / "manifests" / "registry.ollama.ai" / namespace / name / tag
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest))
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def env_for(home: Path, endpoint: str, **extra: str | None) -> dict[str, str]:
    env = hub_env(endpoint, home / ".cache" / "huggingface", HOME=str(home), OLLAMA_MODELS=None, **extra)
    env.pop("HF_HOME", None)  # the default place under the temporary HOME, as on a user's machine
    return env


def run_cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def fill_hf_cache(hub: FakeHub, env: dict[str, str]) -> str:
    """Download a model with the real huggingface_hub client, as a user's `hf download` would."""
    hub.add_repo("acme/tiny-apache", {"README.md": HF_CARD, "LICENSE": HF_LICENSE, "config.json": "{}"})
    code = ("import huggingface_hub as h\n"  # one hf_hub_download per file (the fake Hub serves no tree listing)
            "for f in ('README.md', 'LICENSE', 'config.json'): print(h.hf_hub_download('acme/tiny-apache', f))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def machine(home: Path, fake_hub: FakeHub) -> dict:
    """A machine with a Hugging Face cache, an Ollama store (llama3.1:8b) and a GGUF file in ~/models."""
    env = env_for(home, fake_hub.url)
    fill_hf_cache(fake_hub, env)
    llama = corpus_license("llama3.1.txt")
    store = home / ".ollama" / "models"
    layer = write_gguf(home / "layer.gguf", license=None, base=None, name="Meta Llama 3.1 8B Instruct")
    ollama_model(store, "llama3.1", "8b", layer.read_bytes(), [llama])
    layer.unlink()
    (home / "models").mkdir()
    gg = write_gguf(home / "models" / "x.gguf")
    fake_hub.clear()  # from here on, any request would be a bug
    return {"env": env, "store": store, "gguf": gg, "llama": llama, "hub": fake_hub}


# -- the GGUF header reader ------------------------------------------------------------------------

def test_reader_keeps_general_keys_and_skips_the_vocabulary(tmp_path: Path) -> None:
    p = write_gguf(tmp_path / "m.gguf", tokens=5000)
    h = reader.read_header(p)
    assert h.version == 3 and h.tensor_count == 1
    assert h.metadata["general.license"] == "llama3.1"
    assert h.metadata["general.base_model.0.repo_url"] == f"https://huggingface.co/{LLAMA_BASE}"
    assert "tokenizer.ggml.tokens" in h.keys and "tokenizer.ggml.tokens" not in h.metadata
    meta, text = reader.card_metadata(h.metadata)
    assert meta["license"] == "llama3.1" and meta["base_model"] == [LLAMA_BASE] and text is None
    assert meta["tags"] == ["text-generation", "llama"]
    assert h.header_bytes < p.stat().st_size  # the tensor data after the header was not walked


def test_a_license_text_in_the_header_is_a_license_file(tmp_path: Path) -> None:
    text = corpus_license("llama3.1.txt")
    p = write_gguf(tmp_path / "t.gguf", license=text, base=None)
    ev = reader.GGUFSource(p).fetch()
    lic = [f for f in ev.files if f.role == "license"]
    assert [f.name for f in lic] == ["t.gguf#general.license"]
    assert "license" not in ev.metadata and lic[0].text == text


def test_the_source_repository_joins_the_lineage(tmp_path: Path) -> None:
    p = write_gguf(tmp_path / "s.gguf", base=None,
                   extra={"general.source.huggingface.repository": "acme/tiny-apache"})
    assert reader.GGUFSource(p).fetch().metadata["base_model"] == ["acme/tiny-apache"]


@pytest.mark.parametrize("cut", [3, 10, 23, 30, 60, -40])
def test_a_truncated_header_is_a_clear_error(tmp_path: Path, cut: int) -> None:
    full = write_gguf(tmp_path / "full.gguf").read_bytes()
    header_end = reader.read_header(tmp_path / "full.gguf").header_bytes
    p = tmp_path / "cut.gguf"
    p.write_bytes(full[:cut] if cut > 0 else full[:header_end + cut])
    with pytest.raises(reader.GGUFError) as exc:
        reader.read_header(p)
    assert exc.value.exit_code == EXIT_EVIDENCE_UNAVAILABLE and "\n" not in exc.value.message
    assert "truncated" in exc.value.message or "not a GGUF file" in exc.value.message


def _hostile(tmp_path: Path, body: bytes, kv: int = 1, tensors: int = 0, version: int = 3) -> Path:
    p = tmp_path / "h.gguf"
    p.write_bytes(b"GGUF" + struct.pack("<IQQ", version, tensors, kv) + body + b"\0" * 64)
    return p


def _key(k: bytes) -> bytes:
    return struct.pack("<Q", len(k)) + k


@pytest.mark.parametrize(("body", "kv", "tensors", "mentions"), [
    (b"", 10**12, 0, "keys"),  # a huge key count
    (b"", 1, 10**15, "tensors"),
    (struct.pack("<Q", 2**60), 1, 0, "more than"),  # a key claiming an exabyte
    (_key(b"general.license") + struct.pack("<IQ", 8, 2**62), 1, 0, "truncated"),  # a huge string
    (_key(b"tokenizer.x") + struct.pack("<IIQ", 9, 6, 2**61), 1, 0, "more than the file holds"),  # huge array
    (_key(b"tokenizer.x") + struct.pack("<IIQ", 9, 8, 2**40), 1, 0, "more than the file holds"),
    (_key(b"x") + struct.pack("<I", 9) + struct.pack("<IQ", 9, 1) * 8 + struct.pack("<IQ", 4, 1) + b"\0" * 4, 1, 0,
     "deeper"),  # arrays of arrays of arrays…
    (_key(b"\xff\xfe") + struct.pack("<IB", 0, 1), 1, 0, "UTF-8"),  # a non-UTF-8 key
    (_key(b"general.name") + struct.pack("<IQ", 8, 2) + b"\xc3\x28", 1, 0, "UTF-8"),
    (_key(b"x") + struct.pack("<I", 77), 1, 0, "unknown value type"),
])
def test_a_hostile_header_is_a_one_line_error_without_a_large_allocation(
        tmp_path: Path, body: bytes, kv: int, tensors: int, mentions: str) -> None:
    p = _hostile(tmp_path, body, kv=kv, tensors=tensors)
    with pytest.raises(reader.GGUFError) as exc:
        reader.read_header(p)
    assert mentions in exc.value.message and "\n" not in exc.value.message


def test_version_1_and_non_gguf_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(reader.GGUFError, match="version 1"):
        reader.read_header(_hostile(tmp_path, b"", version=1))
    p = tmp_path / "n.gguf"
    p.write_bytes(b"PK\3\4" + b"\0" * 100)
    with pytest.raises(reader.GGUFError, match="not a GGUF file"):
        reader.read_header(p)


def test_big_endian_header_is_read(tmp_path: Path) -> None:
    w = gguf.GGUFWriter(str(tmp_path / "be.gguf"), arch="llama", endianess=gguf.GGUFEndian.BIG)
    w.add_license("apache-2.0")
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.close()
    h = reader.read_header(tmp_path / "be.gguf")
    assert h.endian == "big" and h.metadata["general.license"] == "apache-2.0"


# -- the CLI on a real machine layout ----------------------------------------------------------------

def test_check_gguf_reads_the_license_and_the_base_model(machine: dict) -> None:
    proc = run_cli(machine["env"], "check", str(machine["gguf"]), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["target"]["kind"] == "gguf" and r["target"]["offline"] is True
    assert r["license"]["id"] == "llama3.1"
    assert r["license"]["evidence"][0]["text"] == "license: llama3.1"
    assert [e["id"] for e in r["lineage"]["chain"]] == [LLAMA_BASE]
    assert r["lineage"]["chain"][0]["status"] == "unreachable"  # not in the cache, and nothing is fetched
    assert machine["hub"].requests == []


def test_check_ollama_cites_the_700m_cap_from_the_license_layer(machine: dict) -> None:
    proc = run_cli(machine["env"], "check", "ollama:llama3.1:8b", "-f", "json", "--mau", "800M")
    assert proc.returncode == 1, proc.stderr  # 800M users exceed the cap: the gate fails
    r = json.loads(proc.stdout)
    assert r["target"]["id"] == "ollama:llama3.1:8b" and r["target"]["kind"] == "ollama"
    assert r["target"]["revision"].startswith("sha256:")
    assert r["license"]["id"] == "llama3.1"
    cap = next(x for x in r["restrictions"] if x["kind"] == "user_cap")
    digest = hashlib.sha256(machine["llama"].encode()).hexdigest()
    assert cap["clause"]["file"] == f"blobs/sha256-{digest}" and cap["clause"]["line"]
    assert cap["thresholds"][0]["value"] == 700_000_000
    line = split_lines(machine["llama"])[cap["clause"]["line"] - 1]
    assert "700 million" in line
    assert "OA221" in [v["rule"] for v in r["gate"]["violations"]]
    assert machine["hub"].requests == []


def test_ollama_reference_errors(machine: dict) -> None:
    proc = run_cli(machine["env"], "check", "ollama:nosuch:1b")
    assert proc.returncode == 3 and proc.stderr.count("\n") == 1 and "not in the Ollama store" in proc.stderr
    proc = run_cli(machine["env"], "check", "ollama:../../etc:x")
    assert proc.returncode == 2 and "not an Ollama model reference" in proc.stderr


def test_ollama_library_name_maps_to_its_family_without_a_license_layer(home: Path, tmp_path: Path) -> None:
    from openaudit.sources.ollama import OllamaSource, parse_ref

    store = tmp_path / "store"
    ollama_model(store, "llama3.1", "latest", write_gguf(tmp_path / "l.gguf", license=None, base=None).read_bytes(),
                 [])
    ev = OllamaSource(parse_ref("ollama:llama3.1"), store).fetch()
    assert "license:llama3.1" in ev.tags and ev.files == []
    assert any("no license layer" in n for n in ev.notes)
    # a user's namespace is not the library: the same name says nothing
    ollama_model(store, "llama3.1", "latest", (tmp_path / "l.gguf").read_bytes(), [], namespace="someone")
    ev = OllamaSource(parse_ref("ollama:someone/llama3.1"), store).fetch()
    assert not [t for t in ev.tags if t.startswith("license:")]


def test_an_ollama_blob_linked_out_of_the_store_is_not_read(tmp_path: Path) -> None:
    from openaudit.sources.ollama import OllamaSource, parse_ref

    store = tmp_path / "store"
    secret = tmp_path / "secret.txt"
    secret.write_text("Llama 3.1 Community License Agreement\nnot to be read\n")
    ollama_model(store, "m", "latest", write_gguf(tmp_path / "l.gguf").read_bytes(), ["placeholder"])
    lic = next(p for p in (store / "blobs").iterdir() if p.read_bytes() == b"placeholder")
    lic.unlink()
    lic.symlink_to(secret)
    ev = OllamaSource(parse_ref("m"), store).fetch()
    assert ev.files[0].text is None and "out of the Ollama store" in (ev.files[0].error or "")


def test_inventory_lists_all_three_with_their_licenses_offline(machine: dict) -> None:
    proc = run_cli(machine["env"], "inventory", str(machine["gguf"].parent))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    rows = {line.split()[0]: line for line in out.splitlines()[1:] if line and not line[0].isdigit()}
    hf = next(v for k, v in rows.items() if k.startswith("acme/tiny-apache@"))
    assert "hf-cache" in hf and "apache-2.0" in hf and "PASSED" in hf
    assert "ollama" in rows["ollama:llama3.1:8b"] and "llama3.1" in rows["ollama:llama3.1:8b"]
    assert "path" in rows[str(machine["gguf"])] and "llama3.1" in rows[str(machine["gguf"])]
    assert out.splitlines()[0].split() == ["model", "where", "size", "license", "grade", "gate"]
    assert "3 models: 3 passed, 0 failed, 0 not audited" in out
    assert machine["hub"].requests == []


def test_inventory_mau_fails_the_gate_on_the_llama_ones(machine: dict) -> None:
    proc = run_cli(machine["env"], "inventory", str(machine["gguf"].parent), "--mau", "800M", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else reports.get("reports", [reports])
    gate = {r["target"]["id"]: r["gate"]["passed"] for r in reports}
    assert gate == {"acme/tiny-apache": True, "ollama:llama3.1:8b": False, str(machine["gguf"]): False}
    where = {r["target"]["id"]: r["target"]["inventory"]["where"] for r in reports}
    assert where == {"acme/tiny-apache": "hf-cache", "ollama:llama3.1:8b": "ollama", str(machine["gguf"]): "path"}
    assert all(r["target"]["inventory"]["size_on_disk"] > 0 for r in reports)
    assert machine["hub"].requests == []


def test_inventory_a_broken_gguf_is_one_error_line_and_exit_3(machine: dict, home: Path) -> None:
    bad = home / "models" / "bad.gguf"
    bad.write_bytes(machine["gguf"].read_bytes()[:40])
    proc = run_cli(machine["env"], "inventory", "--no-stores", str(home / "models"))
    assert proc.returncode == 3
    assert proc.stderr.count("openaudit: error:") == 1 and "bad.gguf" in proc.stderr and "Traceback" not in proc.stderr
    assert "ERROR (exit 3)" in proc.stdout and "PASSED" in proc.stdout


def test_inventory_finds_nothing_in_an_empty_home(home: Path, fake_hub: FakeHub) -> None:
    proc = run_cli(env_for(home, fake_hub.url), "inventory")
    assert proc.returncode == 0 and "no models found" in proc.stdout


def test_lmstudio_folder_is_searched(home: Path, fake_hub: FakeHub, tmp_path: Path) -> None:
    d = home / ".lmstudio" / "models" / "lmstudio-community" / "Llama-3.1-GGUF"
    d.mkdir(parents=True)
    write_gguf(d / "m-Q4_K_M.gguf", license="apache-2.0", base=None)
    proc = run_cli(env_for(home, fake_hub.url), "inventory")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "m-Q4_K_M.gguf" in x)
    assert "lm-studio" in line and "apache-2.0" in line


def test_inventory_reports_validate_against_the_schema(machine: dict) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).resolve().parents[1] / "schema" / "report.schema.json").read_text())
    proc = run_cli(machine["env"], "inventory", str(machine["gguf"].parent), "-f", "json")
    reports = json.loads(proc.stdout)
    assert len(reports) == 3
    for r in reports:
        Draft202012Validator(schema).validate(r)


# -- scan and lock understand Ollama references -------------------------------------------------------

def test_scan_finds_ollama_references_in_a_modelfile_and_a_compose_file(tmp_path: Path) -> None:
    from openaudit.scan import find_models

    repo = tmp_path / "app"
    repo.mkdir()
    write_gguf(repo / "local.gguf", license="apache-2.0", base=None)
    (repo / "Modelfile").write_text("FROM llama3.1:8b\nPARAMETER temperature 0.2\n")
    (repo / "sub").mkdir()
    (repo / "sub" / "Modelfile").write_text("FROM ../local.gguf\n")
    (repo / "Dockerfile").write_text("FROM python:3.12-slim\nRUN pip install x\n")  # not an Ollama model
    (repo / "compose.yaml").write_text(
        "services:\n  ollama:\n    image: ollama/ollama\n    entrypoint: [\"sh\", \"-c\", \"ollama pull qwen3:4b && "
        "ollama serve\"]\n  app:\n    environment:\n      - MODEL=ollama/llama3.2\n"
        "      - model: ollama:hf.co/acme/tiny-GGUF:Q4_K_M\n")
    found = {u.target: u.kind for u in find_models([str(repo)])}
    assert found.pop("ollama:llama3.1:8b") == "ollama"
    assert found.pop("ollama:qwen3:4b") == "ollama"
    assert found.pop("ollama:llama3.2:latest") == "ollama"
    assert found.pop("ollama:hf.co/acme/tiny-GGUF:Q4_K_M") == "ollama"
    gguf_path = next(t for t, k in found.items() if k == "gguf")
    assert gguf_path.endswith("local.gguf")
    assert not [t for t in found if "python" in t]


def test_scan_and_lock_audit_an_ollama_model_from_the_store(machine: dict, tmp_path: Path) -> None:
    repo = tmp_path / "app"
    repo.mkdir()
    (repo / "Modelfile").write_text("FROM llama3.1:8b\nSYSTEM You are helpful.\n")
    proc = run_cli(machine["env"], "scan", ".", "-f", "json", cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    reports = json.loads(proc.stdout)["models"]
    r = next(x for x in reports if x["target"]["id"] == "ollama:llama3.1:8b")
    assert r["license"]["id"] == "llama3.1"
    assert r["target"]["references"][0]["how"] == "ollama-store"
    proc = run_cli(machine["env"], "lock", ".", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    lock = (repo / "openaudit.lock").read_text()
    assert "ollama:llama3.1:8b" in lock and "sha256:" in lock and "llama3.1" in lock
    assert machine["hub"].requests == []


# -- safetensors __metadata__ ---------------------------------------------------------------------------

def write_safetensors(path: Path, metadata: dict | None, *, first: bool = True, pad_tensors: int = 1) -> Path:
    """A safetensors file as the safetensors library lays it out: u64 header length, JSON header, tensor bytes."""
    tensors = {f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i in range(pad_tensors)}
    header = ({"__metadata__": metadata} if metadata is not None else {}) | tensors if first else \
        tensors | ({"__metadata__": metadata} if metadata is not None else {})
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * (4 * pad_tensors))
    return path


def test_check_a_safetensors_file_reads_its_metadata_license(tmp_path: Path, home: Path, fake_hub: FakeHub) -> None:
    p = write_safetensors(tmp_path / "sd.safetensors", {"modelspec.license": "creativeml-openrail-m",
                                                          "modelspec.title": "Test SD"})
    proc = run_cli(env_for(home, fake_hub.url), "check", str(p), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["license"]["id"] == "creativeml-openrail-m"
    assert r["license"]["evidence"][0]["file"] == "sd.safetensors (__metadata__)"
    assert fake_hub.requests == []


def test_safetensors_metadata_not_first_and_bounds(tmp_path: Path) -> None:
    from openaudit.sources import safetensors as st

    assert st.read_metadata(write_safetensors(tmp_path / "a.safetensors", {"license": "mit"}, first=False)) == {
        "license": "mit"}
    assert st.read_metadata(write_safetensors(tmp_path / "b.safetensors", None)) == {}
    bad = tmp_path / "c.safetensors"
    bad.write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(st.SafetensorsError, match="claims"):
        st.read_metadata(bad)
    bad.write_bytes(struct.pack("<Q", 5) + b"\xff\xfe{{{")
    with pytest.raises(st.SafetensorsError, match="not JSON"):
        st.read_metadata(bad)


def test_a_model_directory_without_a_card_license_takes_the_safetensors_one(tmp_path: Path) -> None:
    from openaudit.sources.local import LocalSource

    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text("{}")
    write_safetensors(d / "model.safetensors", {"license": "apache-2.0", "format": "pt"})
    ev = LocalSource(d).fetch()
    assert "license:apache-2.0" in ev.tags
    assert any("model.safetensors __metadata__ license: apache-2.0" in n for n in ev.notes)


def test_a_base_model_in_the_hugging_face_cache_is_followed_offline(machine: dict, home: Path) -> None:
    g = write_gguf(home / "models" / "ft.gguf", license="apache-2.0", base="acme/tiny-apache")
    proc = run_cli(machine["env"], "check", str(g), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    chain = json.loads(proc.stdout)["lineage"]["chain"]
    assert [(e["id"], e["status"], e["license"]) for e in chain] == [("acme/tiny-apache", "ok", "apache-2.0")]
    assert machine["hub"].requests == []


def test_a_snapshot_file_linked_out_of_the_cache_is_not_read(machine: dict, home: Path) -> None:
    from openaudit.sources.hfcache import HFCacheSource, scan

    root = home / ".cache" / "huggingface" / "hub"
    secret = home / "secret-LICENSE"
    secret.write_text("MIT License\nnot to be read\n")
    models, _ = scan(root)
    m = models[0]
    lic = m.snapshot / "LICENSE"
    lic.unlink()
    lic.symlink_to(secret)
    ev = HFCacheSource(m, root).fetch()
    f = ev.file("LICENSE")
    assert f is not None and f.text is None and "out of the Hugging Face cache" in (f.error or "")
    assert ev.kind == "hub" and ev.id == "acme/tiny-apache" and ev.revision == m.revision and ev.offline


def test_ollama_run_of_a_library_model_is_an_ollama_reference_not_a_hub_id() -> None:
    from openaudit.scan import extract

    # before issue 19 this line was dropped (not a Hub id); now it is a model of Ollama's store
    assert [(t, k) for t, k, _ in extract("ollama run llama3.1:8b", "f.sh")] == [("ollama:llama3.1:8b", "ollama")]
    assert extract("FROM llama3.1:8b", "Dockerfile") == []  # FROM is an Ollama reference only in a Modelfile
    assert extract("ollama run ../../etc/passwd", "f.sh") == []


def test_a_modelfile_gguf_outside_the_scanned_tree_is_not_taken(tmp_path: Path) -> None:
    from openaudit.scan import extract

    tree = tmp_path / "tree"
    (tree / "m").mkdir(parents=True)
    write_gguf(tmp_path / "outside.gguf", license="mit", base=None)
    write_gguf(tree / "inside.gguf", license="mit", base=None)
    assert extract("FROM ../../outside.gguf", "m/Modelfile", base=tree / "m", root=tree) == []
    assert extract(f"FROM {tmp_path / 'outside.gguf'}", "m/Modelfile", base=tree / "m", root=tree) == []
    found = extract("FROM ../inside.gguf", "m/Modelfile", base=tree / "m", root=tree)
    assert [k for _t, k, _r in found] == ["gguf"] and found[0][0].endswith("inside.gguf")
