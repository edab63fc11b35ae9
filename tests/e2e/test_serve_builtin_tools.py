"""lmc serve --tools (llama-server's built-in tools, GET and POST /tools) without a model and
with one: each tool (read_file, write_file, edit_file, file_glob_search, grep_search with
PCRE2 patterns, exec_shell_command whole and streamed, get_info), x-tool-cwd, the refusals
(edit_file's non-unique and overlapping edits, bad params, unknown tools, runtimes that are
not one or whose names would be docker's, podman's or ssh's options), a command past its
timeout or left by its client killed, --tools naming one tool, the route off (403) without
--tools, bad --tools and --tools-runtime at start, CORS narrowed to localhost, and the runtimes
(x-tool-runtime docker-container:ID, --tools-runtime docker:IMAGE) through a stand-in docker.

  test_serve_builtin_tools.py --lmc build/tools/lmc
"""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as h  # noqa: E402


class Modelless:
    """lmc serve without a model, with FLAGS, on a free port."""

    def __init__(self, *flags, env=None):
        self.proc = subprocess.Popen([h.LMC, "serve", "--port", "0", *flags], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.err = []
        for line in self.proc.stderr:
            self.err.append(line)
            m = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return
        raise RuntimeError("lmc serve exited:\n" + "".join(self.err))

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(timeout=60)
        self.proc.stderr.close()
        return code


def ask(port, method, path, body=None, headers=None, raw=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, body=raw if raw is not None else (json.dumps(body) if body is not None else None),
              headers=dict({"Content-Type": "application/json"}, **(headers or {})))
    r = c.getresponse()
    status, data = r.status, r.read()
    c.close()
    return status, json.loads(data) if data else None


def events(port, body, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", "/tools", body=json.dumps(body), headers=dict({"Content-Type": "application/json"},
                                                                     **(headers or {})))
    r = c.getresponse()
    assert r.status == 200, r.read()
    out = [json.loads(line[6:]) for line in r.read().decode().splitlines() if line.startswith("data: ")]
    c.close()
    return out


class WithoutModel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Modelless("--tools", "all")
        cls.dir = tempfile.TemporaryDirectory()
        cls.root = cls.dir.name

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0
        cls.dir.cleanup()

    def call(self, tool, params, headers=None, status=200):
        got, body = ask(self.server.port, "POST", "/tools", {"tool": tool, "params": params}, headers)
        self.assertEqual(got, status, body)
        return body

    def ok(self, tool, params, headers=None):
        body = self.call(tool, params, headers)
        self.assertNotIn("error", body)
        return body

    def error(self, tool, params):
        return self.call(tool, params)["error"]

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def test_lists_the_tools(self):
        status, tools = ask(self.server.port, "GET", "/tools")
        self.assertEqual(status, 200)
        self.assertEqual([t["tool"] for t in tools], ["read_file", "file_glob_search", "grep_search",
                                                      "exec_shell_command", "write_file", "edit_file", "get_info"])
        shell = tools[3]
        self.assertEqual((shell["type"], shell["permissions"]["write"], shell["uses_cwd"]), ("server", True, True))
        self.assertEqual(shell["definition"]["function"]["parameters"]["required"], ["command"])

    def test_write_read_and_edit(self):
        f = self.path("edit", "a.log")  # its folder made
        self.assertEqual(self.ok("write_file", {"path": f, "content": "line1\nline2\nline3\n"})["result"],
                         "file written successfully")
        self.assertEqual(self.ok("read_file", {"path": f})["plain_text_response"], "line1\nline2\nline3\n")
        self.assertEqual(self.ok("read_file", {"path": f, "start_line": 2, "end_line": 2, "append_loc": True})
                         ["plain_text_response"], "2\u2192line2\n")
        r = self.ok("edit_file", {"path": f, "edits": [{"old_text": "line2", "new_text": "line2-edited"},
                                                       {"old_text": "line3\n", "new_text": "line3\nline4\n"}]})
        self.assertEqual((r["result"], r["edits_applied"]), ("file edited successfully", 2))
        with open(f) as fh:
            self.assertEqual(fh.read(), "line1\nline2-edited\nline3\nline4\n")
        self.ok("write_file", {"path": f, "content": "dup\ndup\n"})
        self.assertIn("unique", self.error("edit_file", {"path": f, "edits": [{"old_text": "dup", "new_text": "x"}]}))
        self.ok("write_file", {"path": f, "content": "line1\nline2\n"})
        self.assertIn("overlap", self.error("edit_file", {"path": f, "edits": [
            {"old_text": "line1\nline2", "new_text": "a"}, {"old_text": "line2", "new_text": "b"}]}))
        self.assertIn("could not find", self.error("edit_file", {"path": f, "edits": [
            {"old_text": "nope", "new_text": "b"}]}))
        self.assertIn("cannot stat file", self.error("read_file", {"path": self.path("missing.txt")}))
        big = self.path("big.txt")
        self.ok("write_file", {"path": big, "content": "x" * 20000 + "\n"})
        self.assertIn("file too large", self.error("read_file", {"path": big}))

    def test_file_glob_search(self):
        for rel in ("p/project-alpha/src/main.cpp", "p/project-alpha/README.md", "p/project-beta/notes.txt",
                    "p/build/artifact.txt", "p/a/b/deep.txt"):
            self.ok("write_file", {"path": self.path(rel), "content": "x"})
        base = self.path("p")
        r = self.ok("file_glob_search", {"path": base, "type": "dir"})
        self.assertIn("project-alpha/src/", r["plain_text_response"])
        self.assertNotIn("README.md", r["plain_text_response"])
        self.assertIn({"path": "build", "type": "dir"}, r["entries"])  # a junk folder listed, never walked
        paths = [e["path"] for e in self.ok("file_glob_search", {"path": base, "type": "all"})["entries"]]
        self.assertIn("project-alpha/src/main.cpp", paths)
        self.assertNotIn("build/artifact.txt", paths)
        r = self.ok("file_glob_search", {"path": base, "max_depth": 2})
        self.assertIn("project-beta/notes.txt", r["plain_text_response"])
        self.assertNotIn("deep.txt", r["plain_text_response"])
        r = self.ok("file_glob_search", {"path": base, "limit": 1})
        self.assertEqual(len(r["entries"]), 1)
        self.assertIn("Total matches: 4", r["plain_text_response"])
        r = self.ok("file_glob_search", {"path": base, "include": "src/*.cpp", "exclude": "*.md"})
        self.assertEqual([e["path"] for e in r["entries"]], ["project-alpha/src/main.cpp"])
        self.assertIn("invalid type", self.error("file_glob_search", {"path": base, "type": "bogus"}))
        self.assertIn("not a directory", self.error("file_glob_search", {"path": self.path("nowhere")}))

    def test_grep_search(self):
        self.ok("write_file", {"path": self.path("g", "one.py"), "content": "alpha = 1\nbeta = 22\nGamma = 3\n"})
        self.ok("write_file", {"path": self.path("g", "two.txt"), "content": "beta = 4\n"})
        base = self.path("g")
        r = self.ok("grep_search", {"path": base, "pattern": r"(?<=beta = )\d{2}", "return_line_numbers": True})
        self.assertIn("one.py:2:beta = 22", r["plain_text_response"])  # a lookbehind: PCRE2's syntax
        self.assertIn("Total matches: 1", r["plain_text_response"])
        r = self.ok("grep_search", {"path": base, "pattern": "gamma", "ignore_case": True, "context_lines": 1})
        self.assertIn("one.py-2-beta = 22\none.py:3:Gamma = 3\n--", r["plain_text_response"])
        r = self.ok("grep_search", {"path": base, "pattern": "beta", "include": "*.txt"})
        self.assertIn("two.txt:beta = 4", r["plain_text_response"])
        self.assertIn("Total matches: 1", r["plain_text_response"])
        r = self.ok("grep_search", {"path": base, "pattern": "a = (", "literal": True})
        self.assertIn("Total matches: 0", r["plain_text_response"])
        self.assertIn("invalid regex", self.error("grep_search", {"path": base, "pattern": "a = ("}))

    def test_exec_shell_command(self):
        r = self.ok("exec_shell_command", {"command": "echo out; echo err >&2; exit 3"})
        self.assertEqual(r["plain_text_response"], "out\nerr\n\n[exit code: 3]")
        t0 = time.time()
        r = self.ok("exec_shell_command", {"command": "echo begun; sleep 20", "timeout": 1})
        self.assertLess(time.time() - t0, 10)
        self.assertIn("begun", r["plain_text_response"])
        self.assertIn("[exit due to timed out]", r["plain_text_response"])
        r = self.ok("exec_shell_command", {"command": "yes", "max_output_size": 100})
        self.assertIn("[output truncated]", r["plain_text_response"])
        got = events(self.server.port, {"tool": "exec_shell_command", "params": {"command": "echo hello"},
                                        "stream": True})
        self.assertEqual(got[-1], {"done": True})
        self.assertIn("hello", "".join(e["chunk"] for e in got[:-1]))
        self.assertIn("[exit code: 0]", "".join(e["chunk"] for e in got[:-1]))

    def test_cwd_header(self):
        work = self.path("cwd")
        os.makedirs(work, exist_ok=True)
        headers = {"x-tool-cwd": work}
        self.ok("exec_shell_command", {"command": "echo hi > made.txt"}, headers)
        self.assertTrue(os.path.exists(os.path.join(work, "made.txt")))
        # The model's own "cwd" is not where the call runs; the client's header is.
        r = self.ok("read_file", {"path": "made.txt", "cwd": "/definitely/not/here"}, headers)
        self.assertEqual(r["plain_text_response"], "hi\n")
        self.ok("write_file", {"path": "sub/out.txt", "content": "w"}, headers)
        self.assertTrue(os.path.exists(os.path.join(work, "sub", "out.txt")))
        self.assertEqual(self.ok("get_info", {}, headers)["cwd"], work)
        self.assertIn("Linux", self.ok("get_info", {})["os"])

    def test_a_client_that_leaves_ends_its_command(self):
        pid_file = self.path("pid")
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        c.request("POST", "/tools", body=json.dumps({"tool": "exec_shell_command", "stream": True, "params": {
            "command": f"echo $$ > {pid_file}; echo started; sleep 30", "timeout": 60}}))
        r = c.getresponse()
        seen = b""
        for _ in range(20):
            if b"started" in seen:
                break
            seen += r.fp.readline()  # the raw chunked stream: the event is on one of its first lines
        self.assertIn(b"started", seen)
        with open(pid_file) as f:
            pid = int(f.read())
        c.close()
        def gone():  # no such process, or a zombie its new parent has yet to reap
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().split()[2] == "Z"
            except FileNotFoundError:
                return True
        for _ in range(250):
            if gone():
                break
            time.sleep(0.02)
        else:
            self.fail("the command of a client that left still runs")

    def test_refusals(self):
        port = self.server.port
        for runtime, words in (("fake:does-not-exist", "unknown tool runtime"),
                               ("ssh:-oProxyCommand=touch /tmp/pwned", "invalid ssh target"),
                               ("docker-container:--privileged", "invalid container id"),
                               ("podman-container:--privileged", "invalid container id")):
            status, body = ask(port, "POST", "/tools", {"tool": "exec_shell_command", "params": {"command": "echo"}},
                               {"x-tool-runtime": runtime})
            self.assertEqual(status, 500, body)
            self.assertIn(words, body["error"]["message"])
        status, body = ask(port, "POST", "/tools", {"tool": "nope", "params": {}})
        self.assertEqual((status, body["error"]["message"]), (404, 'unknown tool "nope"'))
        status, body = ask(port, "POST", "/tools", {"tool": "read_file", "params": {}, "stream": True})
        self.assertEqual(status, 404, body)
        status, body = ask(port, "POST", "/tools", {"tool": "read_file", "params": {"path": 3}})
        self.assertEqual((status, body["error"]["message"]), (400, "params.path must be a string"))
        status, body = ask(port, "POST", "/tools", {"tool": "read_file", "params": {}})
        self.assertEqual((status, body["error"]["message"]), (400, "params.path is required (a string)"))
        status, body = ask(port, "POST", "/tools", raw="{not json")
        self.assertEqual(status, 400, body)
        self.assertEqual(ask(port, "DELETE", "/tools")[0], 405)

    def test_cors_defaults_to_localhost(self):
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        for origin, allowed in (("http://localhost:8080", "http://localhost:8080"), ("http://evil.com", None)):
            c.request("OPTIONS", "/tools", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
            r = c.getresponse()
            r.read()
            self.assertEqual(r.getheader("Access-Control-Allow-Origin"), allowed)
        c.close()


# A stand-in for docker: `exec [-i] ID CMD...` runs CMD here (logging ID), `run ... --cidfile F
# IMAGE sh` writes an id and becomes a shell reading its stdin, as a container's would.
FAKE_DOCKER = """#!/bin/sh
case "$1" in
  exec) shift; [ "$1" = "-i" ] && shift; echo "exec $1" >> "$FAKE_DOCKER_LOG"; shift; exec "$@" ;;
  run) while [ "$1" != "--cidfile" ]; do shift; done; echo "run $$" >> "$FAKE_DOCKER_LOG"
       echo "fake$$" > "$2"; exec sh ;;
esac
exit 125
"""


class Runtimes(unittest.TestCase):
    """x-tool-runtime and --tools-runtime through a stand-in docker on PATH: every file operation
    and command goes through `docker exec`, and the container --tools-runtime starts ends with the server."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        bin_dir, self.log = os.path.join(self.dir.name, "bin"), os.path.join(self.dir.name, "docker.log")
        os.makedirs(bin_dir)
        with open(os.path.join(bin_dir, "docker"), "w") as f:
            f.write(FAKE_DOCKER)
        os.chmod(os.path.join(bin_dir, "docker"), 0o755)
        self.env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"], FAKE_DOCKER_LOG=self.log)

    def tearDown(self):
        self.dir.cleanup()

    def logged(self):
        with open(self.log) as f:
            return f.read().split("\n")

    def call(self, port, tool, params, headers):
        status, body = ask(port, "POST", "/tools", {"tool": tool, "params": params}, headers)
        self.assertEqual(status, 200, body)
        self.assertNotIn("error", body)
        return body

    def test_attached_container(self):
        server = Modelless("--tools", "all", env=self.env)
        try:
            work = os.path.join(self.dir.name, "work")
            os.makedirs(work)
            headers = {"x-tool-runtime": "docker-container:abc123", "x-tool-cwd": work}
            self.call(server.port, "write_file", {"path": "sub/a.txt", "content": "inside\n"}, headers)
            self.assertEqual(self.call(server.port, "read_file", {"path": "sub/a.txt"}, headers)["plain_text_response"],
                             "inside\n")
            r = self.call(server.port, "exec_shell_command", {"command": "pwd; cat sub/a.txt"}, headers)
            self.assertEqual(r["plain_text_response"], f"{work}\ninside\n\n[exit code: 0]")
            r = self.call(server.port, "file_glob_search", {"path": ".", "type": "all"}, headers)
            self.assertEqual(sorted(e["path"] for e in r["entries"]), ["sub", "sub/a.txt"])
            r = self.call(server.port, "grep_search", {"path": ".", "pattern": "ins.de"}, headers)
            self.assertIn("sub/a.txt:inside", r["plain_text_response"])
            self.assertEqual({line for line in self.logged() if line}, {"exec abc123"})
        finally:
            self.assertEqual(server.stop(), 0)

    def test_owned_container_ends_with_the_server(self):
        server = Modelless("--tools", "exec_shell_command", "--tools-runtime", "docker:busybox", env=self.env)
        try:
            r = self.call(server.port, "exec_shell_command", {"command": "echo hi"}, {})
            self.assertIn("hi", r["plain_text_response"])
            run = [line for line in self.logged() if line.startswith("run ")]
            self.assertEqual(len(run), 1)
            shell = int(run[0].split()[1])
            self.assertIn(f"exec fake{shell}", self.logged())
        finally:
            self.assertEqual(server.stop(), 0)
        for _ in range(250):  # its shell read the end of its stdin and exited
            if not os.path.exists(f"/proc/{shell}"):
                break
            with open(f"/proc/{shell}/stat") as f:
                if f.read().split()[2] == "Z":
                    break
            time.sleep(0.02)
        else:
            self.fail("the container --tools-runtime started outlived the server")


class Startup(unittest.TestCase):
    def test_off_without_tools(self):
        server = Modelless()
        try:
            status, body = ask(server.port, "POST", "/tools", {"tool": "read_file", "params": {"path": "/etc/hostname"}})
            self.assertEqual((status, body["error"]["type"]), (403, "feature_disabled"))
            self.assertEqual(ask(server.port, "GET", "/tools")[0], 403)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_bad_flags(self):
        for flags, code, words in ((["--tools", "read_file,bogus"], 1, 'unknown tool "bogus"'),
                                   (["--tools-runtime", "ssh:host"], 2, "--tools-runtime applies with --tools"),
                                   (["--tools", "all", "--tools-runtime", "fake:x"], 1, "unknown tool runtime"),
                                   (["--tools", "all", "--tools-runtime", "ssh:-oX"], 1, "invalid ssh target")):
            p = subprocess.run([h.LMC, "serve", "--port", "0", *flags], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, code, p.stderr)
            self.assertIn(words, p.stderr)


class WithModel(h.ServedTestCase):
    FLAGS = ("--tools", "read_file")

    def test_only_the_tools_named_and_the_key(self):
        status, data = self.server.request("GET", "/tools")
        self.assertEqual((status, [t["tool"] for t in json.loads(data)]), (200, ["read_file"]))
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("read with a model\n")
            f.flush()
            status, data = self.server.request("POST", "/tools", {"tool": "read_file", "params": {"path": f.name}})
        self.assertEqual(json.loads(data)["plain_text_response"], "read with a model\n")
        status, _ = self.server.request("POST", "/tools", {"tool": "exec_shell_command", "params": {"command": "id"}})
        self.assertEqual(status, 404)
        self.assertEqual(self.server.request("GET", "/tools", key=None)[0], 401)


if __name__ == "__main__":
    sys.exit(h.main())
