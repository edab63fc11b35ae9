"""What the bad-input table's rows (test_bad_inputs.py and its bad_*.py modules) are made of:
the Row, the exit codes, builders of GGUF, SafeTensors, IR and YAML files, and the shared
tiny model's paths (SHARED, USER_KEY, OTHER_KEY: set by use_shared before rows run).
"""
import os
import struct
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import make_tiny_model  # noqa: E402

USAGE = 2
ERROR = 1
FIFO = b"<a FIFO, not a file>"  # a row file made with mkfifo: opening it for reading blocks


@dataclass
class Row:
    name: str
    args: List[str]                  # "{dir}" is the row's directory, "{tiny}" the shared model's; "{root}" the repository
    exit: int
    stderr: Optional[str]            # regex: the one stderr line (errors) or a line stderr holds (exit 0; None: any)
    files: Dict[str, Callable[[], bytes]] = field(default_factory=dict)  # inputs written first
    stdin: Optional[str] = None
    setup: Optional[Callable[[str], None]] = None  # more preparation of the row's directory
    absent: Optional[str] = None     # regex no stderr line may match
    stdout: Optional[str] = None     # regex stdout must match; it must then hold no control character
    file_size_limit: Optional[int] = None  # RLIMIT_FSIZE for lmc: a full disk, without filling one


# ---------------------------------------------------------------- GGUF

def gguf(tensors=(), kv=b"", n_kv=0, n_tensors=None, data=b""):
    """A GGUF file; tensors are (name, ne innermost first, ggml type, offset)."""
    def s(text):
        b = text.encode()
        return struct.pack("<Q", len(b)) + b
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors) if n_tensors is None else n_tensors, n_kv) + kv
    for name, ne, typ, offset in tensors:
        out += s(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        out += struct.pack("<IQ", typ, offset)
    return out + b"\0" * (-len(out) % 32) + data  # data starts at GGUF's default alignment


F32 = 0
IQ2_XXS = 16
GGUF_STRING = 8
GGUF_UINT32 = 4


def gguf_string_kv(key, value):
    def s(text):
        b = text.encode()
        return struct.pack("<Q", len(b)) + b
    return s(key) + struct.pack("<I", GGUF_STRING) + s(value)


def gguf_u32_kv(key, value):
    b = key.encode()
    return struct.pack("<Q", len(b)) + b + struct.pack("<II", GGUF_UINT32, value)


def tiny_gguf_bytes():
    with open(os.path.join(SHARED, "tiny.gguf"), "rb") as f:
        return f.read()


# ---------------------------------------------------------------- SafeTensors

def write_folder(d, files):
    """A would-be Hugging Face model folder d/hf holding `files` (name -> bytes)."""
    os.makedirs(os.path.join(d, "hf"))
    for name, content in files.items():
        with open(os.path.join(d, "hf", name), "wb") as f:
            f.write(content)


def safetensors(header_json, data=b"", header_len=None):
    h = header_json.encode()
    return struct.pack("<Q", len(h) if header_len is None else header_len) + h + data


# ---------------------------------------------------------------- IR

def lir(body, args="%x: f32[T,64]"):
    return f"graph @g({args}) {{\n{body}\n}}\n".encode()


# ---------------------------------------------------------------- YAML

def tiny_yaml(replace=None, weights=None):
    text = make_tiny_model.YAML.replace("weights: tiny.gguf", f"weights: {weights or os.path.join(SHARED, 'tiny.gguf')}")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


# ---------------------------------------------------------------- the shared tiny model

# Its directory and the artifact keys: the user's (LMC_KEY_FILE) and someone else's.
SHARED = ""
USER_KEY = ""
OTHER_KEY = ""


def use_shared(shared):
    """Rows read the shared model and keys from `shared` (tiny.gguf, tiny.yaml, tiny.lmc, user.key,
    other.key)."""
    global SHARED, USER_KEY, OTHER_KEY
    SHARED = shared
    USER_KEY, OTHER_KEY = os.path.join(shared, "user.key"), os.path.join(shared, "other.key")
