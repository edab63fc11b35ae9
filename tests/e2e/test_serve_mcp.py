#!/usr/bin/env python3
"""lmc serve's MCP servers (--mcp-servers-json, --mcp-servers-config): their tools listed and
called through GET and POST /tools as SERVER_TOOL, on a server without a model (no weights
needed), against mcp_fake_server.py:

  * listing: every tool as OpenAI's function, named SERVER_TOOL; a server that cannot start
    is left out (and said so on stderr) while the others are served;
  * calls: results as plain_text_response, a JSON-RPC error or an isError result as
    {"error"}, notifications and noise between answers passed over, ten calls at once;
  * a server that dies mid-call or passes its timeout_ms is an error, and the next call
    starts it anew; env and cwd from the config reach it;
  * SIGTERM during a 20 s call ends lmc within 3 s and leaves no server process (nor the
    child one left holding its pipes);
  * a config that does not read stops lmc at start, naming the flag or file and place;
  * /cors-proxy (--ui-mcp-proxy): a 403 without the flag; with it the target's status, type
    and body, only the x-llama-server-proxy-header-NAME headers forwarded (as NAME), 400s
    for what it does not reach and a 502 for a target that is not there.

  test_serve_mcp.py --lmc build/tools/lmc
"""
import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (started: an lmc serve command line up, and its port)

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "mcp_fake_server.py")
LMC = None


def config(**servers):
    return json.dumps({"mcpServers": servers})


def fake(*args, **extra):
    return {"command": sys.executable, "args": [FAKE, *args], **extra}


class Lmc:
    """lmc serve without a model, with the given MCP config."""

    def __init__(self, *flags):
        self.proc, self.port, self.err = serve_harness.started([LMC, "serve", "--port", "0", "--tools", "all", *flags])

    def request(self, method, path, body=None, headers=None, raw=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Content-Type": "application/json", **(headers or {})})
        r = c.getresponse()
        data = r.read()
        c.close()
        return (r.status, data, r.getheader("Content-Type")) if raw else (r.status, json.loads(data or b"null"))

    def call(self, tool, **params):
        status, body = self.request("POST", "/tools", {"tool": tool, "params": params})
        assert status == 200, (status, body)
        return body

    def tools(self):
        status, body = self.request("GET", "/tools")
        assert status == 200, (status, body)
        return {t["definition"]["function"]["name"]: t for t in body}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone but for its parent's wait
        return f.read().split(") ")[1][0] != "Z"


def group_of(pgid):
    """The live processes of a process group."""
    members = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(p)) == pgid and alive(int(p)):
                members.append(int(p))
        except (ProcessLookupError, FileNotFoundError):
            pass
    return members


class Served(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.lmc = Lmc("--mcp-servers-json", config(
            fake=fake(env={"MCP_FAKE_VAR": "from the config"}, cwd=cls.dir),
            quick=fake(timeout_ms=1500),
            broken={"command": "/no/such/mcp-server"}))

    @classmethod
    def tearDownClass(cls):
        cls.lmc.stop()

    def test_tools_are_listed_as_functions_named_server_tool(self):
        tools = self.lmc.tools()
        for name in ("fake_echo", "fake_add", "fake_whoami", "quick_sleep"):
            self.assertIn(name, tools)
        echo = tools["fake_echo"]["definition"]
        self.assertEqual(echo["type"], "function")
        self.assertEqual(echo["function"]["description"], "Echoes a message.")
        self.assertEqual(echo["function"]["parameters"]["required"], ["message"])
        # A tool the server gives no schema takes an object of no properties.
        self.assertEqual(tools["fake_die"]["definition"]["function"]["parameters"],
                         {"type": "object", "properties": {}})
        self.assertFalse([n for n in tools if n.startswith("broken_")])
        self.assertIn("MCP server 'broken' left out: cannot start '/no/such/mcp-server'", "".join(self.lmc.err))

    def test_calls_answer_text_and_errors(self):
        self.assertEqual(self.lmc.call("fake_echo", message="hi"), {"plain_text_response": "echo: hi"})
        self.assertEqual(self.lmc.call("fake_add", a=3, b=5)["plain_text_response"], "8")
        self.assertIn("refused on purpose", self.lmc.call("fake_refuse")["error"])

    def test_an_rpc_error_is_an_error_and_the_session_goes_on(self):
        pid = json.loads(self.lmc.call("fake_whoami")["plain_text_response"])["pid"]
        first = self.lmc.call("fake_fail_first")
        self.assertIn("first call fails", first.get("error", ""))
        self.assertEqual(self.lmc.call("fake_fail_first"), {"plain_text_response": "ok"})
        self.assertEqual(json.loads(self.lmc.call("fake_whoami")["plain_text_response"])["pid"], pid)

    def test_env_and_cwd_reach_the_server(self):
        me = json.loads(self.lmc.call("fake_whoami")["plain_text_response"])
        self.assertEqual(me["var"], "from the config")
        self.assertEqual(os.path.realpath(me["cwd"]), os.path.realpath(self.dir))

    def test_a_server_that_dies_is_started_anew(self):
        before = json.loads(self.lmc.call("fake_whoami")["plain_text_response"])["pid"]
        self.assertIn("ended before it answered", self.lmc.call("fake_die")["error"])
        after = json.loads(self.lmc.call("fake_whoami")["plain_text_response"])["pid"]
        self.assertNotEqual(before, after)
        self.assertFalse(alive(before))

    def test_a_call_past_its_timeout_is_an_error_and_the_next_works(self):
        start = time.time()
        self.assertIn("no answer within 1500 ms", self.lmc.call("quick_sleep", seconds=5)["error"])
        self.assertLess(time.time() - start, 4)
        self.assertEqual(self.lmc.call("quick_echo", message="again"), {"plain_text_response": "echo: again"})

    def test_ten_calls_at_once(self):
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda i: self.lmc.call("fake_echo", message=str(i)), range(10)))
        self.assertEqual(answers, [{"plain_text_response": f"echo: {i}"} for i in range(10)])


class Lifecycle(unittest.TestCase):
    def test_sigterm_during_a_call_ends_lmc_and_every_server_process(self):
        lmc = Lmc("--mcp-servers-json", config(gc=fake("--grandchild")))
        server_pid = json.loads(lmc.call("gc_whoami")["plain_text_response"])["pid"]
        group = group_of(server_pid)
        self.assertGreaterEqual(len(group), 2, "the server and the child it left")
        slow = threading.Thread(target=lambda: lmc.request("POST", "/tools", {"tool": "gc_sleep", "params": {"seconds": 20}}))
        slow.start()
        time.sleep(1)
        start = time.time()
        self.assertEqual(lmc.stop(), 0, "".join(lmc.err))
        self.assertLess(time.time() - start, 3)
        slow.join(timeout=30)
        time.sleep(0.2)
        self.assertEqual(group_of(server_pid), [])

    def test_a_config_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(config(filed=fake()))
        try:
            lmc = Lmc("--mcp-servers-config", f.name)
            try:
                self.assertEqual(lmc.call("filed_echo", message="x"), {"plain_text_response": "echo: x"})
            finally:
                lmc.stop()
        finally:
            os.unlink(f.name)

    def test_a_config_that_does_not_read_stops_lmc(self):
        cases = [(["--mcp-servers-json", "not json"], r"--mcp-servers-json: error: not JSON"),
                 (["--mcp-servers-config", "/no/such.json"], r"/no/such\.json: error: cannot read"),
                 (["--mcp-servers-json", config(s={"args": []})], r"mcpServers\.s\.command: error: expected the command"),
                 (["--mcp-servers-json", config(s=fake(timeout_ms=0))], r"mcpServers\.s\.timeout_ms: error"),
                 (["--mcp-servers-json", config(s=fake(args="x"))], r"mcpServers\.s\.args: error")]
        for flags, pattern in cases:
            with self.subTest(flags=flags):
                r = subprocess.run([LMC, "serve", "--port", "0", "--tools", "all", *flags], capture_output=True,
                                   text=True, timeout=60)
                self.assertNotEqual(r.returncode, 0)
                self.assertRegex(r.stderr, pattern)
                self.assertNotIn("internal error", r.stderr)


class Target(BaseHTTPRequestHandler):
    """What the proxy reaches: it keeps the headers it got and answers GET with them, POST with a 204."""

    def do_GET(self):
        self.server.seen = {k.lower(): v for k, v in self.headers.items()}
        body = json.dumps({"path": self.path}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/x-test")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.server.posted = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class CorsProxy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.target = ThreadingHTTPServer(("127.0.0.1", 0), Target)
        threading.Thread(target=cls.target.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.target.server_port}"
        cls.lmc = Lmc("--ui-mcp-proxy")

    @classmethod
    def tearDownClass(cls):
        cls.lmc.stop()
        cls.target.shutdown()
        cls.target.server_close()

    def test_only_named_headers_are_forwarded(self):
        status, body, kind = self.lmc.request("GET", "/cors-proxy?url=" + self.url + "/a%3Fb%3D1", raw=True, headers={
            "Authorization": "Bearer mine", "Cookie": "session=secret", "X-Api-Key": "k",
            "x-llama-server-proxy-header-authorization": "Bearer theirs",
            "x-llama-server-proxy-header-accept": "application/json"})
        self.assertEqual((status, kind), (201, "application/x-test"))
        self.assertEqual(json.loads(body), {"path": "/a?b=1"})
        seen = self.target.seen
        self.assertEqual((seen["authorization"], seen["accept"]), ("Bearer theirs", "application/json"))
        for header in ("cookie", "x-api-key", "x-llama-server-proxy-header-accept"):
            self.assertNotIn(header, seen)

    def test_a_post_and_an_empty_answer(self):
        status, body, _ = self.lmc.request("POST", "/cors-proxy?url=" + self.url + "/", {"a": 1}, raw=True)
        self.assertEqual((status, body), (204, b""))
        self.assertEqual(json.loads(self.target.posted), {"a": 1})

    def test_lmc_itself(self):
        status, body = self.lmc.request("GET", f"/cors-proxy?url=http://127.0.0.1:{self.lmc.port}/v1/models")
        self.assertEqual(status, 200)
        self.assertIn("data", body)

    def test_what_it_does_not_reach(self):
        for query, code, words in [("", 400, "?url="), ("?url=https://example.com/", 400, "http:// addresses only"),
                                   ("?url=http://:80/", 400, "with a host"),
                                   ("?url=http://127.0.0.1:1/", 502, "127.0.0.1:1")]:
            with self.subTest(query=query):
                status, body = self.lmc.request("GET", "/cors-proxy" + query)
                self.assertEqual(status, code, body)
                self.assertIn(words, body["error"]["message"])

    def test_without_the_flag_it_is_forbidden(self):
        lmc = Lmc()
        try:
            status, body = lmc.request("GET", "/cors-proxy?url=" + self.url)
            self.assertEqual(status, 403)
            self.assertIn("--ui-mcp-proxy", body["error"]["message"])
        finally:
            lmc.stop()


def main():
    global LMC
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = os.path.abspath(args.lmc)
    r = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    return 0 if r.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
