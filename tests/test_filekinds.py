"""The file-kind vocabulary (rules/vocabulary/file-kinds.yaml): its schema, and one answer to "is this a weight
file" for every reader (facts, MOF, safety, inventory, scan)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from openaudit import filekinds
from openaudit.evidence import Evidence
from openaudit.inventory import _is_model_dir
from openaudit.paths import rules_dir
from openaudit.safety import safety_facts
from openaudit.scan import hub_id_like
from openaudit.standards.facts import gather
from openaudit.standards.mof import components_from_evidence

PARAMS = "Model parameters (Final)"


def _readers(siblings: list[str]) -> tuple[list[str], bool, dict]:
    """(the facts' weight files, whether MOF finds the model parameters, the safety facts) for a Hub repo."""
    ev = Evidence(kind="hub", id="acme/x", siblings=siblings)
    facts = gather(ev)
    mof = {c.name for c in components_from_evidence(ev, "Apache-2.0")}
    return [f.value for f in facts.weights], PARAMS in mof, safety_facts(ev)


def test_a_tflite_only_repo_has_weights_for_every_reader() -> None:
    # The old definitions disagreed: facts said weights present, MOF said missing, safety said safe.
    weights, mof_params, safety = _readers(["README.md", "model.tflite"])
    assert weights == ["model.tflite"]
    assert mof_params
    assert safety["safe_weights"] == ["model.tflite"] and not safety["pickle_weights"]
    assert filekinds.classify("model.tflite") == filekinds.FileKind("weights", "tflite", "data")


def _every_weight_suffix() -> list[tuple[str, str, str]]:
    data = yaml.safe_load((rules_dir() / "vocabulary" / "file-kinds.yaml").read_text(encoding="utf-8"))
    return [(fmt, s, item["loads"]) for fmt, item in data["weights"].items() for s in item.get("suffixes", [])]


@pytest.mark.parametrize(("fmt", "suffix", "loads"), _every_weight_suffix())
def test_the_readers_agree_on_every_weight_format(fmt: str, suffix: str, loads: str) -> None:
    name = f"weights/model-00001{suffix}"
    weights, mof_params, safety = _readers(["README.md", name])
    assert weights == [name], fmt
    assert mof_params, fmt
    assert (name in safety["pickle_weights"]) == (loads == "pickle"), fmt
    assert (name in safety["safe_weights"]) == (loads == "data"), fmt
    assert safety["pickle_only"] == (loads == "pickle")
    assert not hub_id_like(f"acme/model{suffix}")  # a file name, not a Hub id


@pytest.mark.parametrize("name", ["training_args.bin", "optimizer.pt", "optimizer.bin", "scheduler.pt",
                                  "rng_state_0.pth", "scaler.pt", "checkpoint-500/optimizer.pt"])
def test_training_state_is_pickle_but_not_weights(name: str) -> None:
    weights, mof_params, safety = _readers(["README.md", name])
    assert weights == [] and not mof_params
    assert safety["pickle_files"] == [name] and safety["pickle_weights"] == [] and not safety["pickle_only"]


@pytest.mark.parametrize("name", ["ggml-model-q4_0.bin", "whisper/ggml-base.en.bin", "llama-ggjt-7b.bin"])
def test_ggml_bin_files_are_weights_not_pickles(name: str) -> None:
    weights, mof_params, safety = _readers([name])
    assert weights == [name] and mof_params
    assert safety["pickle_files"] == [] and safety["safe_weights"] == [name]


def test_other_files_are_not_weights() -> None:
    names = ["README.md", "config.json", "scheduler/scheduler_config.json", "tokenizer.model", "vocab.txt",
             "train.py", "data/train.parquet", "report.pdf", "LICENSE"]
    weights, mof_params, safety = _readers(names)
    assert weights == [] and not mof_params and safety["pickle_files"] == [] and safety["safe_weights"] == []
    assert filekinds.classify("scheduler/scheduler_config.json") == filekinds.FileKind("config")
    assert filekinds.classify("config.json") == filekinds.FileKind("model_config")
    assert filekinds.classify("LICENSE") is None


def test_inventory_model_folder_reads_the_vocabulary() -> None:
    assert _is_model_dir({"config.json"}) and _is_model_dir({"model_index.json"})
    assert _is_model_dir({"model.SafeTensors"})
    assert not _is_model_dir({"notes.txt", "x.gguf"})  # .gguf files are found one by one


def test_scan_reads_the_suffixes() -> None:
    assert hub_id_like("meta-llama/Llama-3.1-8B") and hub_id_like("microsoft/phi-1.5")
    for name in ("acme/x.tar.gz", "acme/notes.md", "acme/model.joblib", "acme/model.tflite"):
        assert not hub_id_like(name), name


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "file-kinds.yaml"
    shutil.copy(rules_dir() / "vocabulary" / "file-kinds.yaml", dst)
    return dst


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["weights"]["tflite"].update(loads="maybe"), "weights.tflite: `loads` must be one of"),
    (lambda d: d["weights"]["onnx"].update(suffixes=["onnx"]), "suffix 'onnx' must start with '.'"),
    (lambda d: d["kinds"]["docs"]["suffixes"].append(".bin"), "suffix .bin is claimed by both"),
    (lambda d: d["kinds"].update(weights={"description": "x", "suffixes": [".w"]}), "`weights` is reserved"),
    (lambda d: d["kinds"]["code"].pop("description"), "kinds.code: needs a `description`"),
    (lambda d: d["kinds"]["code"].update(glob=["*"]), "kinds.code: unknown keys ['glob']"),
    (lambda d: d["training_state"].update(names=["a/b*"]), "must be a base name"),
    (lambda d: d.update(extra={}), "unknown keys ['extra']"),
    (lambda d: d["weights"]["gguf"].pop("suffixes"), "weights.gguf: needs `names` or `suffixes`"),
])
def test_schema_errors_name_the_entry(copy: Path, change, message: str) -> None:
    _edit(copy, change)
    with pytest.raises(filekinds.FileKindsError, match=message.replace("[", r"\[").replace("(", r"\(")):
        filekinds.load_from(copy)


def test_bundled_vocabulary_loads() -> None:
    fk = filekinds.load()
    assert set(fk.formats.values()) == {"data", "pickle", "code"}
    assert {".safetensors", ".gguf", ".bin", ".tflite", ".json", ".py"} <= fk.suffixes


@pytest.mark.parametrize(("files", "derivative"), [
    (["model-q4_0.GGUF"], "quantized"),
    (["ggml-model-q4_0.bin"], "quantized"),  # a legacy GGML file is a quantization too
    (["model.safetensors"], "finetune"),
])
def test_a_quantized_format_makes_a_derivative_quantized(files: list[str], derivative: str) -> None:
    from openaudit.card import parse_card

    card = parse_card("---\nbase_model: acme/base\n---\n# x\n")
    ev = Evidence(kind="hub", id="acme/x", siblings=files, card=card)
    assert gather(ev).derivative == derivative
