"""Bad-input rows (test_bad_inputs.py) of GGUF weights: truncated, counts and offsets past
the end, overflowing dimensions, zero dimensions, unknown types, duplicates, overlaps,
terminal escapes in names, a FIFO.
"""
import struct

from bad_input_kit import ERROR, F32, FIFO, IQ2_XXS, gguf, Row, tiny_gguf_bytes


def rows():
    return [
        # GGUF: truncated, counts and offsets past EOF, overflowing, zero dims, unknown types, duplicates.
        Row("gguf_truncated", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: .*(truncated|past the end|cannot fit in the remaining)",
            {"m.gguf": lambda: tiny_gguf_bytes()[:1000]}),
        Row("gguf_truncated_data", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor '.*': data at offset \d+ \+ \d+ bytes runs past the end",
            {"m.gguf": lambda: tiny_gguf_bytes()[:-100]}),
        Row("gguf_tensor_count_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor count \d+ cannot fit in the remaining \d+ bytes",
            {"m.gguf": lambda: gguf(n_tensors=1 << 40)}),
        Row("gguf_metadata_count_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 16: error: metadata count \d+ cannot fit",
            {"m.gguf": lambda: gguf(n_kv=1 << 60)}),
        Row("gguf_string_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 24: error: metadata key length \d+ runs past the end of the file",
            {"m.gguf": lambda: gguf(n_kv=1, kv=struct.pack("<Q", 1 << 50) + b"x" * 16)}),
        Row("gguf_offset_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': data at offset 1048576 \+ 16 bytes runs past the end",
            {"m.gguf": lambda: gguf([("w", [4], F32, 1 << 20)], data=b"\0" * 16)}),
        Row("gguf_dims_overflow", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': element count overflows int64",
            {"m.gguf": lambda: gguf([("w", [1 << 32, 1 << 32], F32, 0)])}),
        Row("gguf_zero_dim", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': dimension 1 is 0 \(must be positive\)",
            {"m.gguf": lambda: gguf([("w", [4, 0], F32, 0)], data=b"\0" * 16)}),
        Row("gguf_unknown_type", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w' has unknown ggml type 99",
            {"m.gguf": lambda: gguf([("w", [4], 99, 0)], data=b"\0" * 16)}),
        Row("gguf_retired_type", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w' has unknown ggml type 31$",
            {"m.gguf": lambda: gguf([("w", [4], 31, 0)], data=b"\0" * 16)}),
        Row("gguf_truncated_iq_tensor", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': data at offset 0 \+ 132 bytes runs past the end of the file$",
            {"m.gguf": lambda: gguf([("w", [512], IQ2_XXS, 0)], data=b"\0" * 100)}),
        Row("gguf_duplicate_tensor", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: duplicate tensor name 'w'",
            {"m.gguf": lambda: gguf([("w", [4], F32, 0), ("w", [4], F32, 32)], data=b"\0" * 64)}),
        Row("gguf_not_gguf", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 0: error: not a GGUF file \(bad magic\)",
            {"m.gguf": lambda: b"PK\3\4" + b"\0" * 60}),

        Row("gguf_overlapping_tensors", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'b' overlaps tensor 'a'",
            {"m.gguf": lambda: gguf([("a", [8], F32, 0), ("b", [4], F32, 0)], data=b"\0" * 32)}),
        Row("gguf_escape_sequence_in_error", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: duplicate tensor name '\\e\[2J\\e\]0;owned\\x07'$",
            {"m.gguf": lambda: gguf([("\x1b[2J\x1b]0;owned\x07", [4], F32, 0),
                                     ("\x1b[2J\x1b]0;owned\x07", [4], F32, 32)], data=b"\0" * 64)}),
        # A NUL byte in a name (a flipped length byte runs a name into the fields after it)
        # neither ends the message nor takes its reason with it.
        Row("gguf_nul_in_name_keeps_the_reason", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w\\x00\\x01x' has unknown ggml type 99$",
            {"m.gguf": lambda: gguf([("w\0\x01x", [4], 99, 0)], data=b"\0" * 16)}),
        Row("gguf_fifo", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf: error: not a regular file \(a FIFO\)", {"m.gguf": lambda: FIFO}),

    ]
