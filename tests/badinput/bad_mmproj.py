"""Bad-input rows (test_bad_inputs.py) of mmproj files (llama.cpp's --mmproj), read by
`lmc inspect`: a key missing or out of range, a tensor missing or misshapen, a truncated
file, a projector lmc does not read. Each is the tiny Gemma-3-shaped mmproj of
tests/e2e/make_mmproj.py with one thing changed.
"""
import os
import sys
import tempfile

from bad_input_kit import ERROR, ROOT, Row

sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import make_mmproj  # noqa: E402


def mmproj(**changes):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mm.gguf")
        make_mmproj.write_mmproj(path, **changes)
        with open(path, "rb") as f:
            return f.read()


def row(name, regex, make):
    return Row(name, ["inspect", "{dir}/mm.gguf"], ERROR, r"^\S*mm\.gguf(:offset \d+)?: error: " + regex,
               {"mm.gguf": make})


def rows():
    return [
        row("mmproj_missing_key", r"metadata 'clip\.vision\.patch_size' is missing$",
            lambda: mmproj(drop=("clip.vision.patch_size",))),
        row("mmproj_zero_std", r"metadata 'clip\.vision\.image_std' value 1 is 0, expected a positive number$",
            lambda: mmproj(meta={"clip.vision.image_std": [0.5, 0.0, 0.5]})),
        row("mmproj_patch_not_dividing", r"metadata 'clip\.vision\.patch_size' is 7, which does not divide "
            r"clip\.vision\.image_size 32$", lambda: mmproj(meta={"clip.vision.patch_size": 7})),
        row("mmproj_missing_tensor", r"tensor 'mm\.soft_emb_norm\.weight' is missing \(projector gemma3\)$",
            lambda: mmproj(drop=("mm.soft_emb_norm.weight",))),
        row("mmproj_wrong_shape", r"tensor 'v\.blk\.1\.ffn_up\.weight' has shape \[32, 8\], expected \[32, 16\]",
            lambda: mmproj(shapes={"v.blk.1.ffn_up.weight": (32, 8)})),
        row("mmproj_truncated", r"tensor '.*': data at offset \d+ \+ \d+ bytes runs past the end",
            lambda: mmproj()[:-100]),
        row("mmproj_other_projector", r"projector type 'ldp' is not one lmc reads \(gemma3 and mlp are\)$",
            lambda: mmproj(meta={"clip.projector_type": "ldp"})),
    ]
