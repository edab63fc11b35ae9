"""A GGUF file's key/value metadata and tensor table, read directly with struct for the
references (reference_forward.py, tokenize_reference.py). gguf-py's GGUFReader builds a
numpy view of every element of every metadata array, which took 80 s for Gemma 3's
262144-token vocabulary; this takes a second. gguf-py still dequantizes the tensors
(reference_forward.read_gguf): only the container is read here.
"""
import mmap
import struct
from dataclasses import dataclass

# Metadata value types: the struct format of each scalar type; 8 = string, 9 = array.
SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING, ARRAY = 8, 9
DEFAULT_ALIGNMENT = 32


@dataclass
class TensorInfo:
    name: str
    shape: list   # GGUF's order: the innermost (contiguous) dimension first
    type: int     # a GGMLQuantizationType value
    offset: int   # from the start of the file


class GgufFile:
    """`meta` (key -> value; arrays as lists) and `tensors` (TensorInfo in file order) of the
    GGUF v2/v3 at `path`; `data` maps the file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.pos = 0
        magic, version, n_tensors, n_kv = self._read("4sIQQ")
        if magic != b"GGUF" or version < 2:
            raise ValueError(f"{path} is not a GGUF v2/v3 file")
        self.meta = {}
        for _ in range(n_kv):
            key = self._string()
            self.meta[key] = self._value(self._read("I")[0])
        infos = []
        for _ in range(n_tensors):
            name = self._string()
            n_dims = self._read("I")[0]
            shape = list(self._read(f"{n_dims}Q"))
            kind, offset = self._read("IQ")
            infos.append((name, shape, kind, offset))
        align = int(self.meta.get("general.alignment", DEFAULT_ALIGNMENT))
        start = (self.pos + align - 1) // align * align
        self.tensors = [TensorInfo(n, s, k, start + o) for n, s, k, o in infos]

    def _read(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def _string(self):
        n = self._read("Q")[0]
        self.pos += n
        return self.data[self.pos - n:self.pos].decode("utf-8")

    def _value(self, kind):
        if kind == STRING:
            return self._string()
        if kind == ARRAY:
            item_kind, count = self._read("IQ")
            if item_kind in SCALAR_FORMATS:
                return list(self._read(f"{count}{SCALAR_FORMATS[item_kind]}"))
            return [self._value(item_kind) for _ in range(count)]
        return self._read(SCALAR_FORMATS[kind])[0]
