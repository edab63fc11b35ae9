"""Bad-input rows (test_bad_inputs.py) of IR text (lmc opt) and of lmc exec: its .npy
inputs, symbols, row ids and params; with the builders of .npy files and exec rows.
"""
import struct

from bad_input_kit import ERROR, FIFO, USAGE, lir, Row


def npy(shape, descr="<f4", data=None, header=None):
    """A .npy file (format 1.0) of zeros of `shape`, or with `data` or a header dict of its own."""
    if header is None:
        header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, "".join(f"{d}, " for d in shape))
    text = header.encode()
    text += b" " * (-(10 + len(text) + 1) % 64) + b"\n"
    if data is None:
        count = 1
        for d in shape:
            count *= d
        data = b"\0" * (count * int(descr[-1]))
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def exec_row(name, npy_bytes, pattern, lir_text=None, args=("--dim", "T=3", "--input", "x={dir}/x.npy"), exit=ERROR):
    """lmc exec of a small graph (a SiLU of %x: f32[T,64]) with x.npy as its input."""
    files = {"g.lir": lambda: lir_text or lir("  %y = silu %x : f32[T,64]\n  return %y")}
    if npy_bytes is not None:
        files["x.npy"] = lambda: npy_bytes
    return Row(name, ["exec", "{dir}/g.lir", *args], exit, pattern, files)


def split_wrapping_sizes():
    """A split of 64 columns into sixteen of 2^60 and one of 64: the sizes' int64 sum wraps
    to exactly 64, and each result type alone is within the parser's 2^62-byte bound."""
    sizes = [1 << 60] * 16 + [64]
    names = ", ".join(f"%r{i}" for i in range(len(sizes)))
    types = ", ".join(f"f32[T,{n}]" for n in sizes)
    return (f"  {names} = split %x {{axis = 1, sizes = [{', '.join(map(str, sizes))}]}} : {types}\n"
            "  return %r16")


def rows():
    return [
        # IR text through lmc opt.
        Row("ir_cycle", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' defining %a \(line 2\) is on a dependency cycle",
            {"g.lir": lambda: lir("  %a = add %x, %b : f32[T,64]\n  %b = scale %a {factor = 2.0} : f32[T,64]\n"
                                  "  return %b")}),
        Row("ir_undefined_value", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2:\d+: error: use of undefined value %nope",
            {"g.lir": lambda: lir("  %a = add %x, %nope : f32[T,64]\n  return %a")}),
        Row("ir_operand_count", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' defining %a \(line 2\) has 3 operands, expects 2",
            {"g.lir": lambda: lir("  %a = add %x, %x, %x : f32[T,64]\n  return %a")}),
        Row("ir_mismatched_shapes", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' .*operands differ: f32\[T,64\] vs f32\[T,32\]",
            {"g.lir": lambda: lir("  %a = add %x, %y : f32[T,64]\n  return %a", "%x: f32[T,64], %y: f32[T,32]")}),
        Row("ir_zero_dim", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: dims must be positive",
            {"g.lir": lambda: lir("  return %x", "%x: f32[T,0]")}),
        Row("ir_negative_dim", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: expected a dim",
            {"g.lir": lambda: lir("  return %x", "%x: f32[-8]")}),
        Row("ir_dims_overflow", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: type f32\[4294967296,4294967296,4294967296\] is larger than 2\^62 bytes",
            {"g.lir": lambda: lir("  %a = scale %x {factor = 2.0} : f32[4294967296,4294967296,4294967296]\n"
                                  "  return %a", "%x: f32[4294967296,4294967296,4294967296]")}),
        Row("ir_split_sizes_wrap", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'split' .*: sum of sizes overflows int64",
            {"g.lir": lambda: lir(split_wrapping_sizes())}),
        Row("ir_attention_heads_wrap", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'attention' .*: n_heads \* head_dim overflows int64",
            {"g.lir": lambda: lir("  %y = attention %q, %k, %v, %p, %s {n_heads = 4611686018427387920, "
                                  "n_kv_heads = 4611686018427387920, head_dim = 4, scale = 1.0} : f32[T,64]\n"
                                  "  return %y", "%q: f32[T,64], %k: f32[32,64], %v: f32[32,64], %p: i32[T], %s: i32[T]")}),
        Row("ir_op_codegen_refuses", ["opt", "{dir}/g.lir", "--dump-llvm-ir", "{dir}/kernels"], ERROR,
            r"^\S*g\.lir:3: error: op 'linear' defining %y \(line 3\): cannot generate its kernel: linear kernel "
            r"linear\(f32\[T,64\], f16\[32,64\]\) -> \(f32\[T,32\]\): weight must be f32, q8_0, a block type kept from a file \(q4_0 ... iq4_xs\) or one of their x16 panels",
            {"g.lir": lambda: lir('  %w = param {name = "w"} : f16[32,64]\n  %y = linear %x, %w : f32[T,32]\n'
                                  "  return %y")}),
        Row("ir_fifo", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir: error: not a regular file \(a FIFO\)", {"g.lir": lambda: FIFO}),
        Row("ir_unknown_dtype", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: unknown dtype 'f33'",
            {"g.lir": lambda: lir("  return %x", "%x: f33[4]")}),
        Row("ir_truncated", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2:\d+: error: ",
            {"g.lir": lambda: lir("  %a = add %x, %x : f32[T,64]\n  return %a")[:40]}),

        # lmc exec: .npy inputs, symbols, row ids, params.
        exec_row("exec_npy_missing", None, r"^\S*x\.npy: error: "),
        exec_row("exec_npy_fifo", FIFO, r"^\S*x\.npy: error: not a regular file \(a FIFO\)"),
        exec_row("exec_npy_not_npy", b"PK\x03\x04 a zip file", r"^\S*x\.npy: error: is not a NumPy \.npy file"),
        exec_row("exec_npy_header_past_eof", b"\x93NUMPY\x01\x00\xff\xff{'descr'",
                 r"^\S*x\.npy: error: ends inside its header$"),
        exec_row("exec_npy_header_garbage", npy((3, 64), header="{'descr': [1, 2]}"),
                 r"^\S*x\.npy: error: bad \.npy header \(expected a string, True, False or a tuple\)"),
        exec_row("exec_npy_header_incomplete", npy((3, 64), header="{'descr': '<f4'}"),
                 r"^\S*x\.npy: error: its header has no 'fortran_order'$"),
        exec_row("exec_npy_version", npy((3, 64)).replace(b"NUMPY\x01", b"NUMPY\x09", 1),
                 r"^\S*x\.npy: error: is \.npy format version 9, not 1 to 3$"),
        exec_row("exec_npy_shape_overflows", npy((1 << 40, 1 << 40), data=b""),
                 r"^\S*x\.npy: error: its element count overflows int64$"),
        exec_row("exec_npy_data_short", npy((3, 64), data=b"\0" * 8),
                 r"^\S*x\.npy: error: has 8 bytes of data; its shape \(3, 64\) of '<f4' needs 768$"),
        exec_row("exec_npy_big_endian", npy((3, 64), descr=">f4"),
                 r"^\S*x\.npy: error: holds '>f4' values; lmc exec reads little-endian float16/32/64 and int32/64"),
        exec_row("exec_npy_wrong_shape", npy((4, 64)),
                 r"^\S*x\.npy: error: has shape \(4, 64\), but argument %x is f32\[T,64\], \(3, 64\) with"),
        exec_row("exec_npy_integers_for_floats", npy((3, 64), descr="<i4"),
                 r"^\S*x\.npy: error: holds integers, but argument %x is f32\[T,64\]$"),
        exec_row("exec_npy_int64_past_int32", npy((3, 64), descr="<i8", data=struct.pack("<q", 1 << 40) + b"\0" * (8 * 191)),
                 r"^\S*x\.npy: error: value 1099511627776 at index 0 does not fit int32$"),
        exec_row("exec_input_unknown_argument", npy((3, 64)),
                 r"^\S*x\.npy: error: is given for %y, but the graph's arguments are %x$",
                 args=("--dim", "T=3", "--input", "y={dir}/x.npy")),
        exec_row("exec_symbol_unbound", None, r"^\S*g\.lir: error: the graph's shapes use the symbol T: give its "
                 r"value, --dim T=N$", args=()),
        exec_row("exec_l_over_t", None, r"^\S*g\.lir: error: L = 3 is more than T = 2: L counts the last rows of T$",
                 lir("  %y = tail_rows %x : f32[L,64]\n  return %y"), args=("--dim", "T=2,L=3")),
        exec_row("exec_dim_syntax", None, r"^lmc exec: --dim expects SYM=N with SYM one of T, L, C; got 'T:3'",
                 args=("--dim", "T:3"), exit=USAGE),
        exec_row("exec_dim_too_large", None, r"^lmc exec: --dim T must be an integer from 1 to 1048576, got "
                 r"'99999999999999999999'", args=("--dim", "T=99999999999999999999"), exit=USAGE),
        exec_row("exec_input_syntax", None, r"^lmc exec: --input expects NAME=FILE\.npy",
                 args=("--dim", "T=3", "--input", "x.npy"), exit=USAGE),
        exec_row("exec_i32_argument", None, r"^\S*g\.lir: error: argument %ids is i32: ",
                 lir('  %e = param {name = "e"} : f32[10,64]\n  %y = embedding %e, %ids : f32[T,64]\n  return %y',
                     "%ids: i32[T]"), args=("--dim", "T=3")),
        exec_row("exec_transform_param_without_weights", None,
                 r'^\S*g\.lir:2: error: param "q8_0\(w\)" is a weight transform, whose parts random weights cannot know',
                 lir('  %w = param {name = "q8_0(w)"} : q8_0[32,64]\n  %y = linear %x, %w : f32[T,32]\n  return %y'),
                 args=("--dim", "T=3")),
        exec_row("exec_token_outside_the_table", npy((3,), descr="<i4", data=struct.pack("<3i", 1, 99, 2)),
                 r"^runtime: error: row 1: token id 99 is outside the embedding table of 10 rows$",
                 lir('  %e = param {name = "e"} : f32[10,64]\n  %y = embedding %e, %tokens : f32[T,64]\n  return %y',
                     "%tokens: i32[T]"), args=("--dim", "T=3", "--passes=none", "--input", "tokens={dir}/x.npy")),

    ]
