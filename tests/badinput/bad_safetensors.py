"""Bad-input rows (test_bad_inputs.py) of SafeTensors weights: the GGUF rows' failures in
the other weights format.
"""
from bad_input_kit import ERROR, Row, safetensors


def rows():
    return [
        # SafeTensors: the same failures in the other weights format.
        Row("safetensors_truncated", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset 0: error: file of 5 bytes is too small for a SafeTensors header",
            {"m.safetensors": lambda: b"\x10\0\0\0\0"}),
        Row("safetensors_truncated_header", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset 0: error: header length 60 runs past the end of the \d+-byte file",
            {"m.safetensors": lambda: safetensors('{"w": {"dtype": "F32"', header_len=60)}),
        Row("safetensors_offsets_past_eof", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: tensor 'w': data_offsets \[0, 4096\] outside the 8-byte data section",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[1024],"data_offsets":[0,4096]}}', b"\0" * 8)}),
        Row("safetensors_dims_overflow", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: element count overflows int64",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}')}),
        Row("safetensors_negative_dim", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: negative dimension -4",
            {"m.safetensors": lambda: safetensors('{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,0]}}')}),
        Row("safetensors_unknown_dtype", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: tensor 'w': unsupported dtype 'F8_E5M2'",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}}', b"\0" * 4)}),
        Row("safetensors_duplicate_tensor", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: duplicate key 'w'",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                '"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', b"\0" * 8)}),

    ]
