"""The clients of test_serve_hostile.py: hostile connections (idle, trickling a header byte
at a time, or stopping in a body) bound to their own source addresses in 127.0.0.0/8, a Crowd
of them kept open (and re-opened) by one thread, well-behaved clients (/health, a streamed
chat) and the reading of raw HTTP answers; with the timeouts and flags of the servers the
tests start.
"""
import http.client
import json
import select
import socket
import threading
import time

from serve_harness import KEY

HEADER_TIMEOUT = 2  # s, --header-timeout of the servers here
BODY_TIMEOUT = 2  # s, --body-timeout
GRACE = 3.0  # s a close may come after its deadline (the spec's bound; scheduling on a busy machine)
EARLY = 0.25  # s a close may seem to come before its deadline (the server accepts after our connect returns)
TRICKLE_EVERY = 0.3  # s between two bytes of a trickling connection
# The flags of the servers (separate lists so that the checks can be tried by hand against a
# server that lacks some of them).
TIMEOUT_FLAGS = ["--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT),
                 "--max-connections-per-client", "150"]
CROWD_SERVER = ["--parallel", "4", "--ctx-size", "2048", "--metrics"]
BOUND_FLAGS = ["--max-connections", "40", "--max-connections-per-client", "20", "--header-timeout", "60"]
BOUND_SERVER = ["--parallel", "1", "--ctx-size", "256"]

PROMPT = "The capital of France is"
# The trickling connections' request: its line and first header at once, then a header line
# one byte at a time that never ends (so the headers never do).
TRICKLE_START = b"POST /v1/completions HTTP/1.1\r\nHost: x\r\n"
TRICKLE_LINE = b"X-Trickle: " + b"a" * 4096


class Hostile:
    """One hostile connection: "idle" (connects, sends nothing) or "trickle" (TRICKLE_START,
    then one byte of TRICKLE_LINE every TRICKLE_EVERY s). What the server sends is kept, and
    when its close was seen (EOF or a reset) and how."""

    def __init__(self, kind, source, port):
        self.kind, self.source = kind, source
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        self.opened = time.monotonic()
        if kind == "trickle":
            self.sock.sendall(TRICKLE_START)
        self.sock.setblocking(False)
        self.sent = 0  # bytes of TRICKLE_LINE sent
        self.received = b""
        self.closed = None  # time.monotonic() when the server's close was seen
        self.how = None  # "eof", "reset", "send: BrokenPipeError" ...

    def life(self, now=None):
        return (self.closed if self.closed is not None else now) - self.opened

    def trickle(self):
        """Sends the next byte; False once the connection is found closed."""
        try:
            self.sent += self.sock.send(TRICKLE_LINE[self.sent % len(TRICKLE_LINE):][:1])
        except BlockingIOError:
            pass
        except OSError as e:
            self.drain()  # what the server answered before it closed is still readable
            self.how = self.how or "send: " + type(e).__name__
            return False
        return True

    def drain(self):
        """Reads what is there; True once the server's close is seen."""
        for _ in range(64):
            try:
                piece = self.sock.recv(65536)
            except BlockingIOError:
                return False
            except OSError as e:
                self.how = self.how or ("reset" if isinstance(e, ConnectionResetError) else type(e).__name__)
                return True
            if not piece:
                self.how = self.how or "eof"
                return True
            self.received += piece
        return False

    def describe(self, now=None):
        life = self.life(now)
        return (f"{self.kind} from {self.source}: " + (f"open after {life:.2f} s" if self.closed is None else
                                                        f"closed ({self.how}) after {life:.2f} s") +
                f", received {self.received[:120]!r}")


class Crowd:
    """Hostile connections, opened at start() and watched by one thread: it sends the
    tricklers' bytes, reads what the server sends and notes its closes. With reopen, each
    connection the server closes is replaced by a new one of its kind and address, until
    stop(); without, the thread ends once all are closed. Either way it ends by `limit` s."""

    def __init__(self, port, groups, reopen=False, limit=120.0):
        self.port, self.groups, self.reopen = port, groups, reopen  # groups: [(kind, source, count)]
        self.conns, self.errors = [], []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.limit = limit
        self.stopped_at = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        for kind, source, count in self.groups:
            for _ in range(count):
                self.conns.append(Hostile(kind, source, self.port))
        self.started = time.monotonic()
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=30)
        if self.stopped_at is None:
            self.stopped_at = time.monotonic()
        for c in self.conns:
            c.sock.close()

    def wait(self, timeout):
        self.thread.join(timeout=timeout)
        return not self.thread.is_alive()

    def snapshot(self):
        with self.lock:
            return list(self.conns)

    def _open(self, kind, source):
        try:
            c = Hostile(kind, source, self.port)
        except OSError as e:
            self.errors.append(f"re-opening a {kind} connection from {source}: {e!r}")
            return None
        with self.lock:
            self.conns.append(c)
        return c

    def _run(self):
        poller = select.poll()
        live = {}
        for c in self.conns:
            poller.register(c.sock, select.POLLIN)
            live[c.sock.fileno()] = c
        deadline = self.started + self.limit
        next_tick = time.monotonic() + TRICKLE_EVERY

        def closed(c):
            c.closed = time.monotonic()
            poller.unregister(live.pop(c.sock.fileno()).sock)
            c.sock.close()
            if self.reopen and not self.stopping.is_set() and len(self.errors) < 50:
                n = self._open(c.kind, c.source)
                if n is not None:
                    poller.register(n.sock, select.POLLIN)
                    live[n.sock.fileno()] = n

        for _ in range(1_000_000):
            now = time.monotonic()
            if self.stopping.is_set() or now > deadline or not live:
                break
            if now >= next_tick:
                for c in [c for c in live.values() if c.kind == "trickle"]:
                    if not c.trickle():
                        closed(c)
                next_tick = time.monotonic() + TRICKLE_EVERY
            wait = max(0.0, min(next_tick, deadline) - time.monotonic())
            for fd, _ in poller.poll(wait * 1000):
                c = live.get(fd)
                if c is not None and c.drain():
                    closed(c)
        self.stopped_at = time.monotonic()


def read_to_eof(sock, limit):
    """What the socket receives until the server closes it, within `limit` s: (bytes, how it
    ended: "eof", "reset" or "timeout", s to the first byte or None, s to the end)."""
    start = time.monotonic()
    data, first = b"", None
    for _ in range(100_000):
        left = start + limit - time.monotonic()
        if left <= 0:
            return data, "timeout", first, time.monotonic() - start
        sock.settimeout(left)
        try:
            piece = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, "reset", first, time.monotonic() - start
        if not piece:
            return data, "eof", first, time.monotonic() - start
        if first is None:
            first = time.monotonic() - start
        data += piece
    return data, "timeout", first, time.monotonic() - start


def parse_response(raw):
    """(status, headers with lower-case names, body) of one HTTP/1.1 response, or None."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not sep or not lines[0].startswith("HTTP/1.") or len(lines[0].split()) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            whole = b""
            for _ in range(10_000):
                size_line, _, body = body.partition(b"\r\n")
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    break
                whole, body = whole + body[:size], body[size + 2:]
            body = whole
        elif "content-length" in headers:
            body = body[:int(headers["content-length"])]
        return int(lines[0].split()[1]), headers, body
    except ValueError:
        return None


def error_response(raw, status):
    """Why `raw` is not one HTTP response of `status` with a JSON error body
    {"error": {"message": str, "type": str}}; None when it is."""
    r = parse_response(raw)
    if r is None:
        return f"expected an HTTP {status} response, got {raw[:300]!r}"
    got, headers, body = r
    if got != status:
        return f"expected HTTP {status}, got HTTP {got}: {raw[:300]!r}"
    try:
        error = json.loads(body)["error"]
        if isinstance(error["message"], str) and isinstance(error["type"], str):
            return None
    except (ValueError, KeyError, TypeError):
        pass
    return f"expected a JSON body {{\"error\": {{\"message\": ..., \"type\": ...}}}} with the {status}, got {body[:300]!r}"


def get_health(port, source="127.0.0.1"):
    """(status, body, seconds) of GET /health on a new connection from `source`."""
    start = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        c.request("GET", "/health")
        r = c.getresponse()
        return r.status, r.read(), time.monotonic() - start
    finally:
        c.close()


def stream_chat(port, messages, limit=60.0):
    """POSTs a streamed chat; (the answer's text, the raw stream, what is wrong with it or None)."""
    body = json.dumps({"messages": messages, "max_tokens": 6, "temperature": 0, "stream": True})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
    start = time.monotonic()
    try:
        c.request("POST", "/v1/chat/completions", body=body,
                  headers={"Content-Type": "application/json", "Authorization": "Bearer " + KEY})
        r = c.getresponse()
        raw = b""
        for _ in range(100_000):
            if time.monotonic() - start > limit:
                return "", raw, f"the stream did not end within {limit} s"
            piece = r.read1(65536)
            if not piece:
                break
            raw += piece
    finally:
        c.close()
    text = raw.decode("utf-8", "replace")
    if r.status != 200:
        return "", raw, f"expected HTTP 200, got {r.status}: {text[:300]!r}"
    if not text.rstrip("\n").endswith("data: [DONE]"):
        return "", raw, f"expected the stream to end with 'data: [DONE]', it ends {text[-200:]!r}"
    answer = ""
    payloads = [line[len("data: "):] for line in text.split("\n") if line.startswith("data: ")]
    for p in payloads[:-1]:
        try:
            chunk = json.loads(p)
            answer += chunk["choices"][0]["delta"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
            return answer, raw, f"expected each chunk to be a chat.completion.chunk, got {p[:300]!r} ({e!r})"
    if len(payloads) < 2 or json.loads(payloads[-2])["choices"][0].get("finish_reason") not in ("length", "stop"):
        return answer, raw, f"expected the last chunk to carry finish_reason, got {payloads[-2][:300]!r}"
    return answer, raw, None


def show(items, n=5):
    return "; ".join(items[:n]) + (f"; ... ({len(items)} in all)" if len(items) > n else "")
