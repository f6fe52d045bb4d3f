"""Expected answers for the license-reader benchmarks (bench/license_reader.py, bench/scancode_compare.py).

Our own mapping, written by hand from the corpus file names and the provenance in
shared/corpus/SOURCES.yaml (repo, path and "what" of each file). Keys are paths relative to
``corpus/licenses/`` and ``corpus/cards/``. A value is one catalog id, or a tuple of ids that are all
acceptable. ``"unknown"`` means the reader should not name a license (nothing in the input lets it
know); when ``"unknown"`` is in a tuple, saying unknown is also correct.

Verdicts (same for every reader):
  correct  the answer is one of the expected ids
  unknown  the reader named no license, and unknown was not expected (a coverage gap, not an error)
  wrong    the reader named a license that is not expected (the worst failure)

Expected ids that are missing from the catalog are listed by the benchmark as warnings: either the
entry is still to be written, or it was written under another id and this file needs updating.
"""

from __future__ import annotations

UNKNOWN = "unknown"

# --- license texts: corpus/licenses/** ------------------------------------------------------------
# The id is the one the exact text deserves; a dated or versioned text expects its own entry when the
# catalog tells versions apart (naming the other version is "wrong": version confusion).
LICENSES: dict[str, str | tuple[str, ...]] = {
    "apache-2.0.txt": "apache-2.0",
    "apple-amlr.txt": "apple-amlr",
    "apple-ascl.txt": "apple-ascl",
    "bigcode-openrail-m.txt": "bigcode-openrail-m",
    "bigscience-bloom-rail-1.0.txt": "bigscience-bloom-rail-1.0",
    "bsd-3-clause.txt": "bsd-3-clause",
    "cc-by-nc-4.0.txt": "cc-by-nc-4.0",
    "cc-by-nc-nd-4.0.txt": "cc-by-nc-nd-4.0",
    "chatglm-6b.txt": "chatglm-6b",
    "chatglm3.txt": "chatglm3",
    "codegeex4.txt": "codegeex4",
    "codellama-aup.txt": "codellama-aup",
    "cohere-c4ai-aup.txt": "cohere-c4ai-aup",
    "cohere-labs-aup.txt": "cohere-labs-aup",
    "creativeml-openrail-m.txt": "creativeml-openrail-m",
    "deepfloyd-if-license.txt": "deepfloyd-if-license",
    "deepseek-model.txt": "deepseek-model",
    "fair-noncommercial-research-license.txt": "fair-noncommercial-research-license",
    "falcon-2-aup.txt": "falcon-2-aup",
    "falcon-2.txt": "falcon-2",
    "falcon-3-aup.txt": "falcon-3-aup",
    "falcon-3.txt": "falcon-3",
    "flux-1-dev-non-commercial.txt": "flux-1-dev-non-commercial",  # v1.1.1
    "flux-non-commercial-v2.1.txt": "flux-non-commercial-v2.1",
    "gemma-prohibited-use.txt": "gemma-prohibited-use",
    "gemma.txt": "gemma",  # Gemma Terms of Use, March 24, 2025
    "glm-4.txt": "glm-4",
    "kimi-k2-modified-mit.txt": "kimi-k2-modified-mit",  # never plain "mit": it adds an attribution term
    "llama2-aup.txt": "llama2-aup",
    "llama2.txt": "llama2",
    "llama3-aup.txt": "llama3-aup",
    "llama3.1-aup.txt": "llama3.1-aup",
    "llama3.1.txt": "llama3.1",
    "llama3.2-aup.txt": "llama3.2-aup",
    "llama3.2.txt": "llama3.2",
    "llama3.3-aup.txt": "llama3.3-aup",
    "llama3.3.txt": "llama3.3",
    "llama3.txt": "llama3",
    "llama4-aup.txt": "llama4-aup",
    "llama4.txt": "llama4",
    "microsoft-research-license.txt": "microsoft-research-license",
    "minimax-model.txt": "minimax-model",
    "mistral-modified-mit.txt": "mistral-modified-mit",  # never plain "mit"
    "mistral-non-production-mnpl.txt": "mistral-non-production-mnpl",
    "mistral-research-mrl.txt": "mistral-research-mrl",
    "mit.txt": "mit",
    "nvidia-ai-foundation-models-community.txt": "nvidia-ai-foundation-models-community",
    # NVIDIA Open Model *Agreement* is not the NVIDIA Open Model *License* (SOURCES.yaml says so).
    "nvidia-open-model-agreement.txt": "nvidia-open-model-agreement",
    "opencoder.txt": "opencoder",
    "openmdw-1.1.txt": "openmdw-1.1",
    "openrail++.txt": "openrail++",  # CreativeML Open RAIL++-M, July 26 2023 (SDXL 1.0)
    "qwen-research.txt": "qwen-research",  # Tongyi Qianwen RESEARCH license (Qwen 1)
    "qwen.txt": "qwen",  # Tongyi Qianwen LICENSE AGREEMENT (Qwen 1)
    "qwen2.5-research.txt": "qwen2.5-research",  # Qwen RESEARCH LICENSE AGREEMENT, Sep 2024
    # ScanCode LicenseDB files (YAML header + verbatim text). The ScanCode key is not always our id:
    "scancode/apple-ml-ferret.LICENSE": "apple-ascl",  # the Apple sample-code terms without the disclaimer preamble
    # ScanCode key bigscience-open-rail-m2, but the text is "CreativeML Open RAIL++-M License dated
    # November 24, 2022" (the Stable Diffusion 2 license): Hub id openrail++.
    "scancode/bigscience-openrail-m-v2.LICENSE": "openrail++",
    "scancode/bigscience-openrail-m.LICENSE": "bigscience-openrail-m",
    "scancode/cc-by-4.0.LICENSE": "cc-by-4.0",
    "scancode/cc-by-nc-sa-4.0.LICENSE": "cc-by-nc-sa-4.0",
    "scancode/cc-by-nd-4.0.LICENSE": "cc-by-nd-4.0",
    "scancode/cc-by-sa-4.0.LICENSE": "cc-by-sa-4.0",
    "scancode/creativeml-openrail-m__scancode.LICENSE": "creativeml-openrail-m",  # stable-diffusion-2022-08-22
    "scancode/fair-ai-public-1.0.LICENSE": "fair-ai-public-1.0",
    "scancode/kimi-modified-mit.LICENSE": "kimi-k2-modified-mit",  # moonshot-ai-modified-mit-2025
    "scancode/llama1.LICENSE": "llama1",  # LLaMA License Agreement 2023 (non-commercial, LLaMA 1)
    "scancode/llama4-cla.LICENSE": "llama4",  # llama-4-cla-2025
    "scancode/nvidia-open-model.LICENSE": "nvidia-open-model-license",  # nvidia-open-model-2025-04-28
    "scancode/openmdw-1.0.LICENSE": "openmdw-1.0",
    "scancode/qwen2.5.LICENSE": "qwen2.5",  # qwen-2024: "Qwen LICENSE AGREEMENT" (Qwen2.5 72B etc.)
    # stability-ai-nc-2023-12-06: the Dec 6, 2023 revision (StableLM 2) of the Nov 28, 2023 Non-Commercial
    # Research Community License; same terms plus a governing-law clause. A dated entry would also do.
    "scancode/stabilityai-non-commercial-2023-12-06.LICENSE": (
        "stabilityai-non-commercial-research-community",
        "stabilityai-non-commercial-research-community-2023-12-06",
    ),
    "stabilityai-community.txt": "stabilityai-community",
    "stabilityai-non-commercial-community.txt": "stabilityai-non-commercial-community",
    "stabilityai-non-commercial-research-community.txt": "stabilityai-non-commercial-research-community",
    "stabilityai-sdxl-0.9-research.txt": "stabilityai-sdxl-0.9-research",
    "stabilityai-svd-non-commercial-community.txt": "stabilityai-svd-non-commercial-community",
    "stable-beluga-non-commercial.txt": "stable-beluga-non-commercial",
    "tencent-hunyuan-community.txt": "tencent-hunyuan-community",
    # Variants: the same license in another layout, copy or dated revision.
    "variants/apache-2.0__QwenLM_Qwen.txt": "apache-2.0",  # appendix filled in
    "variants/apache-2.0__flux-schnell.txt": "apache-2.0",  # reflowed
    "variants/flux-1-dev-non-commercial-2024-08.txt": "flux-1-dev-non-commercial-2024-08",  # the Aug 2024 original
    "variants/gemma-2024-02-21.txt": "gemma-2024-02-21",
    "variants/gemma-2024-04-01.txt": "gemma-2024-04-01",
    "variants/llama2-aup__meta-llama_llama.txt": "llama2-aup",
    "variants/minimax-model__overlay.txt": "minimax-model",  # same license, names MiniMax M2.5, dated 2026-02-13
    "variants/mit__apple_ml-mobileclip.txt": "mit",
    "variants/openrail++__sd2-2022-11.txt": "openrail++",  # SD 2.x version, Nov 2022
    "variants/qwen__Qwen-VL.txt": "qwen",  # Tongyi Qianwen license naming the Qwen-VL models
    "variants/stabilityai-non-commercial-research-community__StableCascade.txt": (
        "stabilityai-non-commercial-research-community"
    ),
    "variants/stabilityai-non-commercial-research-community__overlay.txt": (
        "stabilityai-non-commercial-research-community"
    ),
    "variants/yi-v1.0.txt": "yi-1.0",  # superseded v1.0 (Nov 1, 2023)
    "whiterabbitneo-terms.txt": "whiterabbitneo-terms",
    "whiterabbitneo-usage-restrictions.txt": "whiterabbitneo-usage-restrictions",
    "xai-aup.txt": "xai-aup",
    "yi.txt": "yi",  # Yi Series Models Community License v2.1
}

# --- model cards: corpus/cards/** ---------------------------------------------------------------------
# A card file is audited alone (LocalSource on the file): license files beside it are not read, and the
# card's prose is not read for a license. So "correct" for a card means: the reader reports the license
# the card *declares* in its metadata (license:, or license: other + license_name / license_link), as
# a catalog id. Whether the declaration itself is true is not judged here (e.g. a Llama-2 fine-tune
# declaring creativeml-openrail-m); a card that declares nothing usable expects "unknown". Cards without
# front matter (no-frontmatter/) expect unknown, or the license their prose names, should the reader one
# day learn to read it.
CARDS: dict[str, str | tuple[str, ...]] = {
    "01-ai__Yi-34B@apache-header.md": "apache-2.0",
    "BAAI__bge-m3.md": "mit",
    "CAMB-AI__MARS5-TTS.md": "agpl-3.0",
    "CompVis__stable-diffusion-v1-4.md": "creativeml-openrail-m",
    "Crosstyan__BPModel.md": "creativeml-openrail-m",
    "DavidAU__calypso-3b-alpha-v2-Q8_0-GGUF.md": "cc-by-nc-sa-4.0",
    "DeepFloyd__IF-I-XL-v1.0.md": "deepfloyd-if-license",
    "Doctor-Shotgun__ML2-123B-Magnum-Diamond-GGUF.md": "mistral-research-mrl",  # other + mrl + MRL-0.1 link
    "FacebookAI__roberta-large-mnli.md": "mit",
    "HuggingFaceM4__idefics2-8b.md": "apache-2.0",
    "IlyaGusev__saiga_llama3_8b_gguf.md": "llama3",  # other + license_name llama3 + llama3 link
    "KoboldAI__LLaMA2-13B-Erebus-v3-GGUF.md": "llama2",
    # other + license_name exaone + link to a LICENSE file that is not read: EXAONE AI Model License
    # Agreement. An "exaone" entry would be right; without one, unknown is the honest answer.
    "LGAI-EXAONE__EXAONE-3.5-2.4B-Instruct-GGUF.md": ("exaone", UNKNOWN),
    # no license key, but a license:apache-2.0 tag
    "MaziyarPanahi__Mistral-7B-Instruct-v0.3-GGUF.md": ("apache-2.0", UNKNOWN),
    "NousResearch__Llama-2-7b-chat-hf.md": UNKNOWN,  # no license key
    "QuantFactory__Mistral-7B-v0.3-GGUF.md": "apache-2.0",
    "QuantFactory__NeuralDaredevil-8B-abliterated-GGUF.md": UNKNOWN,  # license: other, nothing else
    "QuantFactory__deepseek-math-7b-instruct-GGUF.md": "deepseek-model",  # other + deepseek + LICENSE-MODEL link
    "Qwen__Qwen2-VL-7B-Instruct.md": "apache-2.0",
    "Qwen__Qwen2.5-Coder-32B-Instruct-GGUF.md": "apache-2.0",
    "Salesforce__xLAM-2-3b-fc-r-gguf.md": "cc-by-nc-4.0",
    "SamLowe__roberta-base-go_emotions.md": "mit",
    "TheBloke__Amber-GGUF.md": "apache-2.0",
    "TheBloke__CodeLlama-7B-GGUF.md": "llama2",
    "TheBloke__Kimiko-v2-13B-GGUF.md": "creativeml-openrail-m",  # as declared (a Llama-2 13B fine-tune)
    "TheBloke__Llama-2-7B-Chat-GGUF.md": "llama2",
    "TheBloke__Mistral-7B-Instruct-v0.2-GGUF.md": "apache-2.0",
    "Vikhrmodels__Vikhr-Llama-3.2-1B-instruct-GGUF.md": "llama3.2",
    "allenai__OLMo-7B.md": "apache-2.0",
    "amazon__MistralLite.md": "apache-2.0",
    "bartowski__DeepSeek-Coder-V2-Lite-Instruct-GGUF.md": "deepseek-model",  # other + deepseek-license
    "bartowski__ICONNAI_ICONN-1-GGUF.md": UNKNOWN,  # other + iconn: a custom license only its LICENSE file tells
    "bartowski__Llama-3.2-3B-Instruct-GGUF.md": "llama3.2",
    "bartowski__Meta-Llama-3-70B-Instruct-GGUF.md": "llama3",
    "bartowski__Meta-Llama-3.1-8B-Instruct-GGUF.md": "llama3.1",
    "bartowski__Mistral-Large-Instruct-2407-GGUF.md": "mistral-research-mrl",
    "bartowski__NemoMix-Unleashed-12B-GGUF.md": UNKNOWN,  # no license key
    "bartowski__OLMo-2-1124-13B-Instruct-GGUF.md": "apache-2.0",
    "bartowski__THUDM_GLM-4-9B-0414-GGUF.md": "mit",
    "bartowski__Teuken-7B-instruct-research-v0.4-GGUF.md": UNKNOWN,  # license: other, nothing else
    "bartowski__aya-23-8B-GGUF.md": "cc-by-nc-4.0",
    "bartowski__aya-expanse-32b-GGUF.md": "cc-by-nc-4.0",
    "bartowski__dolphin-2.9-llama3-8b-GGUF.md": UNKNOWN,  # license: other, nothing else
    "bigscience__bloom.md": "bigscience-bloom-rail-1.0",
    "ctheodoris__Geneformer.md": "apache-2.0",
    "dalle-mini__dalle-mini.md": "apache-2.0",
    "databricks__dolly-v2-12b.md": "mit",
    "deepseek-ai__DeepSeek-V2-Chat.md": "deepseek-model",  # other + deepseek + LICENSE-MODEL link
    "distil-whisper__distil-large-v2.md": "mit",
    # license: gemma = the Gemma Terms of Use; a card alone cannot tell which dated revision.
    "google__gemma-3-1b-it-qat-q4_0-gguf.md": "gemma",
    "google__gemma-7b.md": "gemma",
    "ibm-granite__granite-3.3-8b-instruct-GGUF.md": "apache-2.0",
    "ibm-granite__granite-timeseries-ttm-v1.md": "apache-2.0",
    "jbetker__tortoise-tts-v2.md": UNKNOWN,  # no license key
    "katanemo__Arch-Router-1.5B.gguf.md": UNKNOWN,  # other + katanemo-research: custom, text not read
    "lambdalabs__sd-image-variations-diffusers.md": "creativeml-openrail-m",
    "llm-blender__PairRM.md": "mit",
    "meta-llama__Meta-Llama-3-8B.md": "llama3",
    "microsoft__Phi-3-mini-128k-instruct.md": "mit",
    "microsoft__Phi-3-mini-4k-instruct-gguf.md": "mit",
    "microsoft__bitnet-b1.58-2B-4T-gguf.md": "mit",
    "microsoft__phi-4-gguf.md": "mit",
    "mmnga__aibuncho-japanese-novel-gpt-j-6b-gguf.md": "openrail",  # the Hub's generic "openrail" id
    "mosaicml__mpt-7b.md": "apache-2.0",
    "nlpaueb__legal-bert-base-uncased.md": "cc-by-sa-4.0",
    "no-frontmatter/CompVis__stable-diffusion-v1-4.md": (UNKNOWN, "creativeml-openrail-m"),
    "no-frontmatter/black-forest-labs__FLUX.1-Krea-dev.md": (UNKNOWN, "flux-1-dev-non-commercial"),
    "no-frontmatter/black-forest-labs__FLUX.1-dev.md": (UNKNOWN, "flux-1-dev-non-commercial"),
    "no-frontmatter/black-forest-labs__FLUX.1-kontext-dev.md": (UNKNOWN, "flux-1-dev-non-commercial"),
    "no-frontmatter/black-forest-labs__FLUX.1-schnell.md": (UNKNOWN, "apache-2.0"),
    "no-frontmatter/meta-llama__Llama-2-7b.md": (UNKNOWN, "llama2"),
    "no-frontmatter/meta-llama__Llama-3.1-8B.md": (UNKNOWN, "llama3.1"),
    "no-frontmatter/meta-llama__Llama-3.2-11B-Vision.md": (UNKNOWN, "llama3.2"),
    "no-frontmatter/meta-llama__Llama-3.2-1B.md": (UNKNOWN, "llama3.2"),
    "no-frontmatter/meta-llama__Llama-3.3-70B-Instruct.md": (UNKNOWN, "llama3.3"),
    "no-frontmatter/meta-llama__Llama-4-Scout-17B-16E.md": (UNKNOWN, "llama4"),
    "no-frontmatter/meta-llama__Meta-Llama-3-8B.md": (UNKNOWN, "llama3"),
    # other + nvidia-open-model-license + the June 2024 PDF link
    "nvidia__Nemotron-4-340B-Instruct.md": "nvidia-open-model-license",
    "openai-community__gpt2-xl.md": "mit",
    "openai__whisper-large-v3.md": "apache-2.0",
    "openchat__openchat_3.5.md": "apache-2.0",
    "openlm-research__open_llama_13b.md": "apache-2.0",
    "sambanovasystems__BLOOMChat-176B-v1.md": UNKNOWN,  # license: other, nothing else
    "stabilityai__stable-diffusion-2-1.md": "openrail++",
    "tensorblock__PiVoT-10.7B-Mistral-v0.2-RP-GGUF.md": "cc-by-sa-4.0",
    "tensorblock__gemma-ko-7b-instruct-v0.71-GGUF.md": "gemma",
    "unsloth__DeepSeek-R1-GGUF.md": "mit",
    "unsloth__Qwen3-8B-GGUF.md": "apache-2.0",
    "unsloth__gemma-3-1b-it-GGUF.md": "gemma",
}


def acceptable(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The ids that count as correct for an expectation (empty when the file is not listed)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def verdict(got: str, expected: str | tuple[str, ...] | None) -> str:
    """correct | unknown | wrong | unlisted (no expectation written for the file)."""
    ok = acceptable(expected)
    if not ok:
        return "unlisted"
    if got in ok:
        return "correct"
    if got == UNKNOWN:
        return "unknown"
    return "wrong"
