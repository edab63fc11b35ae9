#!/usr/bin/env python3
"""lmc's Jinja engine renders chat templates byte-identically to Python's Jinja2.

Templates: the family templates of tests/models/chat_templates/, the ones in templates/
(written in the published form of Qwen2.5 and Qwen3 with tools and thinking, Llama 3.1 with
tools, Phi-4, OLMoE, Gemma 3, a Hermes-style tool template with recursive macros, and
engine-features.jinja, which runs the filters, tests and methods the families use rarely), and
the real SmolLM2 GGUF's own tokenizer.chat_template. Conversations are generated from a
fixed seed: with and without a system message, one to four turns, tool calls (arguments as
objects and as JSON text, one or two per turn) and tool results, list-of-parts content,
awkward text (quotes, braces, non-ASCII, blank edges), tools given or not, and
add_generation_prompt both ways. Jinja2 renders each as Hugging Face's apply_chat_template
does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
raise_exception, strftime_now, tojson without HTML escaping); jinja_render renders it with
lmc. Where Jinja2 renders, the texts must be equal; where Jinja2 raises, lmc must fail with a
one-line "<template>:<line>: error:" message (but for llama.cpp's one leniency lmc keeps, a
string plus an undefined variable, which no conversation here meets).
Then random whitespace templates: nested if/for blocks, comments, raw blocks and output
tags with every "-"/"+" marker, between blank runs, spaces, tabs and newlines, which
trim_blocks, lstrip_blocks and whitespace control must cut exactly as Jinja2 does.
Usage: test_jinja_differential.py JINJA_RENDER WEIGHTS_DIR
"""
import datetime
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILY_DIRS = [os.path.join(HERE, "templates"), os.path.join(HERE, "..", "models", "chat_templates")]
CONVERSATIONS_PER_TEMPLATE = 24
MIN_IDENTICAL = 200
ERROR_LINE = re.compile(r"^\S+:\d+: error: .+$")

TEXTS = ["What is a compiler?", "Hi. How can I help?", "  padded question \n", "Name three\nprime numbers.",
         "quotes ' and \" and {braces} {{ not a tag }}", "héllo wörld — ünïcode ✓ 漢字", "<think>\nplan\n</think>\nanswer",
         "tab\tand \\ backslash", "", "fourth {content} {system}"]

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "Weather at a place.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "The city"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": ["integer", "null"], "description": "How many days "}},
            "required": ["city"]}}},
    {"type": "function", "function": {
        "name": "book_trip", "description": "Book a trip — with nested options.",
        "parameters": {"type": "object", "properties": {
            "traveller": {"type": "object", "additionalProperties": {"type": "string"},
                          "description": "who"},
            "legs": {"type": "array", "items": {"type": "object", "properties": {
                "from": {"type": "string"}, "to": {"type": "string"}}}},
            "budget": {"type": "number"}, "refundable": {"type": "boolean"}}}}},
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def strftime_now(fmt):
    return datetime.datetime.now().strftime(fmt)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def jinja2_render(source, context):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source).render(**context)


def tool_call(rng):
    name = rng.choice(["get_weather", "book_trip"])
    args = ({"city": rng.choice(TEXTS[:6]), "unit": rng.choice(["celsius", "fahrenheit"]), "days": rng.choice([None, 3])}
            if name == "get_weather" else
            {"traveller": {"name": "Ada"}, "legs": [{"from": "Oslo", "to": "Rome"}], "budget": rng.choice([1200.5, 1e-7, 3e20]),
             "refundable": rng.choice([True, False])})
    if rng.random() < 0.3:
        args = json.dumps(args)
    return {"type": "function", "function": {"name": name, "arguments": args}}


def conversation(rng):
    messages = []
    if rng.random() < 0.5:
        messages.append({"role": "system", "content": rng.choice(TEXTS)})
    with_tools = rng.random() < 0.4
    for turn in range(rng.randint(1, 4)):
        content = rng.choice(TEXTS)
        if rng.random() < 0.08:
            content = [{"type": "text", "text": content}, {"type": "image"}]
        messages.append({"role": "user", "content": content})
        if turn == 0 or rng.random() < 0.8:
            if with_tools and rng.random() < 0.6:
                calls = [tool_call(rng) for _ in range(rng.choice([1, 1, 2]))]
                messages.append({"role": "assistant", "content": rng.choice(["", None, "Let me check."]), "tool_calls": calls})
                for _ in calls:
                    messages.append({"role": "tool", "content": rng.choice(['{"temperature": 21}', "sunny", TEXTS[5]])})
            messages.append({"role": "assistant", "content": rng.choice(TEXTS)})
    if rng.random() < 0.5 and messages[-1]["role"] == "assistant":
        messages.pop()
    context = {"messages": messages, "add_generation_prompt": rng.random() < 0.5, "bos_token": rng.choice(["", "<s>"]),
               "eos_token": "</s>"}
    if with_tools:
        context["tools"] = TOOLS
    if rng.random() < 0.3:
        context["date_string"] = "26 Nov 2026"
    if rng.random() < 0.2:
        context["enable_thinking"] = rng.random() < 0.5
    return context


WHITESPACE_TEMPLATES = 300
BLANKS = ["", " ", "  ", "\t", "\n", " \n", "\n  ", "a", "b\n", "\n\n", " x "]


def tag(rng, body):
    return f"{rng.choice(['{%', '{%-', '{%+'])} {body} {rng.choice(['%}', '-%}', '+%}'])}"


def whitespace_template(rng, depth=0):
    out = ""
    for _ in range(rng.randint(1, 4)):
        k = rng.random()
        if k < 0.35:
            out += rng.choice(BLANKS)
        elif k < 0.5:
            out += rng.choice(["{{ 'v' }}", "{{- 'v' }}", "{{ 'v' -}}", "{{- 'v' -}}"])
        elif k < 0.6:
            out += rng.choice(["{# c #}", "{#- c #}", "{# c -#}", "{#- c\n -#}"])
        elif k < 0.65:
            out += tag(rng, "raw") + rng.choice(BLANKS) + "{{ x }}" + tag(rng, "endraw")
        elif depth < 3:
            kind = rng.choice(["if true", "if false", "for i in range(2)"])
            out += tag(rng, kind) + whitespace_template(rng, depth + 1)
            if kind.startswith("if") and rng.random() < 0.3:
                out += tag(rng, "else") + whitespace_template(rng, depth + 1)
            out += tag(rng, "endif" if kind.startswith("if") else "endfor")
    return out


def templates(weights_dir):
    found = {}
    for d in FAMILY_DIRS:
        for path in sorted(glob.glob(os.path.join(d, "*.jinja"))):
            found[os.path.basename(path)] = open(path, encoding="utf-8").read()
    gguf_path = os.path.join(weights_dir, "SmolLM2-135M-Instruct.Q4_1.gguf")
    if os.path.exists(gguf_path):
        from gguf import GGUFReader
        field = GGUFReader(gguf_path).fields["tokenizer.chat_template"]
        found["SmolLM2-135M-Instruct.Q4_1.gguf"] = bytes(field.parts[field.data[0]]).decode("utf-8")
    else:
        print(f"note: {gguf_path} is absent (scripts/setup.sh fetches it); its template is not compared")
    return found


def compare(tool, name, source, context, scratch):
    """'identical', 'refused' (by both) or a failure's description."""
    template_path = os.path.join(scratch, name)
    with open(template_path, "w", encoding="utf-8") as f:
        f.write(source)
    try:
        want, want_error = jinja2_render(source, context), None
    except Exception as e:  # what Jinja2 refuses, lmc must refuse too
        want, want_error = None, f"{type(e).__name__}: {e}"
    got = lmc_render(tool, template_path, context, scratch)
    err = got.stderr.decode("utf-8", "replace").strip()
    shown = json.dumps(context, ensure_ascii=False)[:600]
    if want_error is not None:
        if got.returncode == 1 and ERROR_LINE.match(err) and "\n" not in err:
            return "refused"
        return (f"FAIL {name}: Jinja2 raised {want_error!r}, lmc gave exit {got.returncode} {err!r}\n"
                f"  source: {source[:300]!r}\n  context: {shown}")
    if got.returncode != 0 or got.stdout.decode("utf-8") != want:
        return (f"FAIL {name}: exit {got.returncode} {err}\n  lmc:    {got.stdout.decode('utf-8', 'replace')!r}\n"
                f"  jinja2: {want!r}\n  source: {source[:300]!r}\n  context: {shown}")
    return "identical"


def lmc_render(tool, template_path, context, scratch):
    context_path = os.path.join(scratch, "context.json")
    with open(context_path, "w", encoding="utf-8") as f:
        json.dump(context, f, ensure_ascii=False)
    return subprocess.run([tool, template_path, context_path], capture_output=True)


def main():
    tool, weights_dir = sys.argv[1], sys.argv[2]
    rng = random.Random(51)
    identical = refused = failures = 0
    per_template = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, source in templates(weights_dir).items():
            for _ in range(CONVERSATIONS_PER_TEMPLATE):
                outcome = compare(tool, name, source, conversation(rng), scratch)
                if outcome == "identical":
                    identical += 1
                    per_template[name] = per_template.get(name, 0) + 1
                elif outcome == "refused":
                    refused += 1
                else:
                    failures += 1
                    print(outcome)
        whitespace_failures = 0
        for _ in range(WHITESPACE_TEMPLATES):
            source = whitespace_template(rng) + rng.choice(["", "\n", " \n"])
            outcome = compare(tool, "whitespace.jinja", source, {}, scratch)
            if outcome not in ("identical", "refused"):
                whitespace_failures += 1
                print(outcome)
        print(f"{WHITESPACE_TEMPLATES} whitespace templates, {whitespace_failures} failures")
        failures += whitespace_failures
    print("identical renders per template: " + ", ".join(f"{k} {v}" for k, v in sorted(per_template.items())))
    print(f"{len(per_template)} templates rendered, {identical} byte-identical renders, {refused} refused by both, "
          f"{failures} failures")
    if identical < MIN_IDENTICAL or len(per_template) < 7:
        print(f"FAIL fewer than {MIN_IDENTICAL} identical renders or 7 templates")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
