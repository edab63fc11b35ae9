#!/usr/bin/env python3
"""An MCP server over stdio for test_serve_mcp.py, written for these tests: JSON-RPC 2.0, a
message a line. Before each answer it writes a notification and a line that is not JSON in
the same write, as real servers' logging and progress do. Its tools:

  echo(message)   "echo: MESSAGE"
  add(a, b)       their sum
  fail_first()    a JSON-RPC error on this process's first call, then "ok"
  refuse()        a result marked isError
  sleep(seconds)  sleeps, then "slept"
  die()           exits without answering
  whoami()        its pid, working directory and $MCP_FAKE_VAR

  mcp_fake_server.py [--grandchild]   (--grandchild: leaves a child holding its stdout)
"""
import json
import os
import subprocess
import sys
import time

TOOLS = [
    {"name": "echo", "description": "Echoes a message.",
     "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}},
    {"name": "add", "description": "Adds two numbers.",
     "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}},
    {"name": "fail_first", "description": "Fails once."},
    {"name": "refuse", "description": "Answers an error result.", "inputSchema": {"type": "object"}},
    {"name": "sleep", "description": "Sleeps.",
     "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number"}}}},
    {"name": "die", "description": "Exits mid-call."},
    {"name": "whoami", "description": "Says where it runs."},
]
failed_once = False


def text(t):
    return {"content": [{"type": "text", "text": t}]}


def call(name, args):
    global failed_once
    if name == "echo":
        return text("echo: " + args.get("message", ""))
    if name == "add":
        return text(str(args.get("a", 0) + args.get("b", 0)))
    if name == "fail_first" and not failed_once:
        failed_once = True
        raise RuntimeError("first call fails")
    if name == "fail_first":
        return text("ok")
    if name == "refuse":
        return {"content": [{"type": "text", "text": "refused on purpose"}], "isError": True}
    if name == "sleep":
        time.sleep(args.get("seconds", 1))
        return text("slept")
    if name == "die":
        os._exit(3)
    if name == "whoami":
        return text(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(), "var": os.environ.get("MCP_FAKE_VAR")}))
    raise RuntimeError("no tool " + name)


def answer(request):
    method, params = request.get("method"), request.get("params") or {}
    if method == "initialize":
        return {"protocolVersion": "2024-11-05", "capabilities": {"tools": {}},
                "serverInfo": {"name": "fake", "version": "1"}}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        return call(params.get("name"), params.get("arguments") or {})
    raise RuntimeError("no method " + str(method))


def main():
    if "--grandchild" in sys.argv:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if "id" not in request:
            continue  # a notification
        try:
            reply = {"jsonrpc": "2.0", "id": request["id"], "result": answer(request)}
        except RuntimeError as e:
            reply = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32000, "message": str(e)}}
        noise = json.dumps({"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "working"}})
        os.write(1, (noise + "\nnot json at all\n" + json.dumps(reply) + "\n").encode())


if __name__ == "__main__":
    main()
