#!/usr/bin/env python3
"""lmc's rendering of a conversation equals what the model's own chat template renders.

For every template in chat_templates/ (SmolLM2's as its GGUF ships it, and templates in the
style each family publishes), chat_render (the turn texts lmc chat feeds, with the answers
the cache would hold between them) is compared with Jinja rendering the same conversation
as Hugging Face's apply_chat_template does (trim_blocks, lstrip_blocks,
add_generation_prompt), with an empty bos_token since lmc's tokenizer adds BOS itself.
Usage: test_chat_templates.py CHAT_RENDER
"""
import os
import subprocess
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chat_templates")

# template -> (family lmc must recognize, whether the template takes a system message, what
# the model itself writes before an answer: Mistral's templates render an answer as
# ' ' + content with no generation prompt, so a model's answer starts with that space).
TEMPLATES = {
    "smollm2.jinja": ("chatml", True, ""),
    "qwen2.jinja": ("chatml", True, ""),
    "llama3.jinja": ("llama3", True, ""),
    "gemma.jinja": ("gemma", True, ""),
    "phi3.jinja": ("phi3", True, ""),
    "mistral-v1.jinja": ("mistral-v1", False, " "),
    "mistral-v3.jinja": ("mistral-v3", False, " "),
    "mistral-v3-tekken.jinja": ("mistral-v3-tekken", False, ""),
    "mistral-v7.jinja": ("mistral-v7", True, " "),
}

CONVERSATIONS = [
    ["What is a compiler?"],
    ["Hello!", "Hi. How can I help?", "Name three\nprime numbers."],
    ["  padded question \n", "an answer", "second", "third answer", "fourth {content} {system}"],
]


def raise_exception(message):
    raise RuntimeError(message)


def jinja_render(template, system, turns):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    messages = [{"role": "system", "content": system}] if system is not None else []
    for i, text in enumerate(turns):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
    return env.from_string(template).render(messages=messages, add_generation_prompt=True, bos_token="",
                                            eos_token="</s>")


def lmc_render(tool, path, system, turns, answer_lead=""):
    turns = [t if i % 2 == 0 else answer_lead + t for i, t in enumerate(turns)]
    args = [tool, path] + (["--system", system] if system is not None else []) + turns
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    family, _, text = out.partition("\n")
    return family, text


def main():
    tool = sys.argv[1]
    failures = 0
    for name, (family, takes_system, answer_lead) in TEMPLATES.items():
        path = os.path.join(HERE, name)
        template = open(path).read()
        for system in [None, "You answer briefly."] if takes_system else [None]:
            for turns in CONVERSATIONS:
                got_family, got = lmc_render(tool, path, system, turns, answer_lead)
                want = jinja_render(template, system, turns)
                if got_family != family or got != want:
                    failures += 1
                    print(f"FAIL {name} system={system!r} turns={len(turns)}: family {got_family} (want {family})\n"
                          f"  lmc:   {got!r}\n  jinja: {want!r}")
    unknown, _ = lmc_render(tool, os.path.join(HERE, "..", "test_chat_templates.py"), None, ["x"])
    if unknown != "unknown":
        failures += 1
        print(f"FAIL a file that is no chat template was recognized as {unknown}")
    print(f"{len(TEMPLATES)} templates, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
