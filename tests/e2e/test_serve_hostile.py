#!/usr/bin/env python3
"""lmc serve against slow and hostile clients: a connection that is idle, sends its request a
byte at a time, or never finishes its body must cost the server a socket and a timer, never
a worker thread, and must be closed on time; past the connection bounds a client gets a 503
at once, never a hang. A server that gives each connection a thread, or times reads one by
one instead of the request as a whole, is stalled by a few hundred such connections.

  test_serve_hostile.py --lmc build/tools/lmc

On SmolLM2-135M (its GGUF; exit 77 when absent), with short timeouts (--header-timeout 2
--body-timeout 2) so that each check runs in seconds. All traffic is on loopback: the
hostile connections are bound to their own source addresses in 127.0.0.0/8 (the per-client
bound counts by address), the well-behaved clients come from 127.0.0.1 (or another address
of their own).
  * a crowd of 100 idle and 100 trickling connections (one header byte every 0.3 s, never
    ending the headers): meanwhile /health answers within 1 s and a greedy completion
    answers the text it answers alone; each trickler is closed with a 408 JSON error and
    each idle one silently, between header-timeout - 0.25 s and header-timeout + 3 s after
    it opened (the deadline is the request's whole, not each read's);
  * a body that stops (or trickles) after its headers: a 408 JSON error and the close,
    body-timeout after the headers (again within 3 s); a kept-alive connection idle after
    its answer is closed silently header-timeout after it;
  * --max-connections-per-client 20: the 21st connection from one address gets a 503 JSON
    error at once, while another address is served; --max-connections 40 likewise for the
    41st in all; closing the connections frees their places;
  * 8 clients each hold a 6-turn streamed chat while 50 trickling and 50 idle connections
    are kept open (re-opened as the server closes them): all 48 streams end with
    "data: [DONE]", every chunk is JSON, each conversation answers exactly what it answers
    with no crowd, and the crowd is still closed on time under the load;
  * 20 streamed chats whose clients leave after their first chunk (4 generating, the 16 of
    --queue's bound waiting), then one completion at once: it is served (200, no 503) and
    every slot is free, the queue empty, within 1 s of its answer.
Every loop here is bounded in count and time. The connections and clients are
hostile_clients.py's.
"""
import http.client
import json
import os
import re
import select
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port; its main)
from serve_harness import KEY, Server, self_metric  # noqa: E402
from hostile_clients import (BODY_TIMEOUT, BOUND_FLAGS, BOUND_SERVER, CROWD_SERVER, EARLY, GRACE,  # noqa: E402
                             HEADER_TIMEOUT, PROMPT, TIMEOUT_FLAGS, TRICKLE_EVERY, Crowd, error_response,
                             get_health, parse_response, read_to_eof, show, stream_chat)


def logged(server, pattern, within=5.0):
    """Whether `server`'s stderr has a line matching `pattern` (within a few seconds: a thread
    reads it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if any(re.match(pattern, line) for line in list(server.err)):
            return True
        time.sleep(0.05)
    return False


class HostileCrowd(unittest.TestCase):
    """One server with short timeouts for the crowd, slow bodies and the mixed load."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*TIMEOUT_FLAGS, *CROWD_SERVER)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def completion(self):
        status, data = self.server.request("POST", "/v1/completions",
                                           {"prompt": PROMPT, "max_tokens": 8, "temperature": 0})
        self.assertEqual(status, 200, f"expected the completion to answer 200, got {status}: {data[:300]!r}")
        return json.loads(data)["choices"][0]["text"]

    def check_crowd(self, conns, now=None, must_close=True):
        """Each connection closed between HEADER_TIMEOUT - EARLY and HEADER_TIMEOUT + GRACE
        after it opened (or, without must_close, still open no longer than that): tricklers
        after a 408 JSON error, idle ones having received nothing."""
        now = now if now is not None else time.monotonic()
        wrong = []
        for c in conns:
            life = c.life(now)
            if c.closed is None and (must_close or life > HEADER_TIMEOUT + GRACE):
                wrong.append(f"expected the server to close it within {HEADER_TIMEOUT} + {GRACE} s: "
                             + c.describe(now))
            elif c.closed is not None and not HEADER_TIMEOUT - EARLY <= life <= HEADER_TIMEOUT + GRACE:
                wrong.append(f"expected its close {HEADER_TIMEOUT} to {HEADER_TIMEOUT + GRACE} s after it "
                             "opened: " + c.describe(now))
            elif c.kind == "idle" and c.received:
                wrong.append("expected an idle connection to be closed silently: " + c.describe(now))
            elif c.kind == "trickle" and c.closed is not None:
                why = error_response(c.received, 408)
                if why:
                    wrong.append(why + ": " + c.describe(now))
        if wrong:
            self.fail(f"{len(wrong)} of {len(conns)} hostile connections: " + show(wrong))

    def test_a_crowd_of_idle_and_trickling_connections_stalls_nobody(self):
        alone = self.completion()
        crowd = Crowd(self.port, [("idle", "127.0.0.2", 100), ("trickle", "127.0.0.3", 100)],
                      limit=HEADER_TIMEOUT + GRACE + 2)
        try:
            crowd.start()
            time.sleep(2 * TRICKLE_EVERY)  # all accepted, the tricklers some bytes in
            status, body, took = get_health(self.port)
            text = self.completion()
            served = time.monotonic()
            self.assertEqual(status, 200, f"expected /health to answer 200 beside the crowd, got {status} {body!r}")
            self.assertLess(took, 1.0, f"expected /health to answer within 1 s beside the crowd, it took {took:.2f} s")
            self.assertEqual(text, alone, "expected the greedy completion beside the crowd to equal the one alone")
            self.assertTrue(crowd.wait(HEADER_TIMEOUT + GRACE + 5), "the crowd's thread did not end")
        finally:
            crowd.stop()
        conns = crowd.snapshot()
        closes = [c.closed for c in conns if c.closed is not None]
        self.assertTrue(not closes or min(closes) > served,
                        f"expected the whole crowd open until /health and the completion were answered "
                        f"({served - crowd.started:.2f} s in), the first close came "
                        f"{min(closes or [0]) - crowd.started:.2f} s in")
        self.check_crowd([c for c in conns if c.kind == "trickle"])
        self.check_crowd([c for c in conns if c.kind == "idle"])

    def slow_body(self, trickle):
        body = b'{"prompt": "hi", "max_tokens": 2, "temperature": 0, "pad": "' + b"x" * 1000
        head = (b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + KEY.encode() + b"\r\nContent-Length: 1000\r\n\r\n")
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            s.sendall(head + body[:10])
            start = time.monotonic()
            if trickle:  # one more byte every TRICKLE_EVERY s: a total deadline, not one per read
                sent = 10
                for _ in range(int((BODY_TIMEOUT + GRACE) / TRICKLE_EVERY) + 1):
                    time.sleep(TRICKLE_EVERY)
                    try:
                        s.sendall(body[sent:sent + 1])
                    except OSError:
                        break
                    sent += 1
                    if select.select([s], [], [], 0)[0]:
                        break  # the answer is there
            data, how, _, _ = read_to_eof(s, BODY_TIMEOUT + GRACE + 2 - (time.monotonic() - start))
            took = time.monotonic() - start
        finally:
            s.close()
        why = error_response(data, 408)
        self.assertIsNone(why, why)
        self.assertTrue(logged(self.server, r"^lmc: POST /v1/completions 408 refused, from 127\.0\.0\.\d+: the "
                                            r"request's body did not arrive"),
                        "no log line for the 408:\n" + "".join(self.server.err[-5:]))
        self.assertIn(how, ("eof", "reset"), f"expected the server to close the connection after its 408, "
                                             f"it was still open {took:.2f} s after the headers")
        self.assertTrue(BODY_TIMEOUT - EARLY <= took <= BODY_TIMEOUT + GRACE,
                        f"expected the 408 and close {BODY_TIMEOUT} to {BODY_TIMEOUT + GRACE} s after the headers, "
                        f"they came after {took:.2f} s")

    def test_a_body_that_stops_is_408_at_the_body_timeout(self):
        self.slow_body(trickle=False)

    def test_a_trickled_body_is_408_at_the_body_timeout(self):
        self.slow_body(trickle=True)

    def test_an_idle_keep_alive_connection_closes_silently(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            data, start = b"", time.monotonic()
            for _ in range(1000):  # the answer (its Content-Length), the connection kept
                r = parse_response(data)
                if r is not None and len(r[2]) >= int(r[1].get("content-length", "0")):
                    break
                self.assertLess(time.monotonic() - start, 10, f"expected /health's answer within 10 s, got {data!r}")
                piece = s.recv(65536)
                self.assertTrue(piece, f"expected /health's answer on a kept-alive connection, got {data!r} and EOF")
                data += piece
            self.assertEqual(parse_response(data)[0], 200, f"expected /health to answer 200, got {data[:300]!r}")
            rest, how, _, took = read_to_eof(s, HEADER_TIMEOUT + GRACE + 2)
        finally:
            s.close()
        self.assertEqual(rest, b"", "expected an idle kept-alive connection to be closed silently")
        self.assertIn(how, ("eof", "reset"), f"expected the server to close an idle kept-alive connection within "
                                             f"{HEADER_TIMEOUT} + {GRACE} s of its answer, it was open after {took:.2f} s")
        self.assertGreaterEqual(took, HEADER_TIMEOUT - EARLY, f"expected the idle kept-alive connection kept "
                                                              f"{HEADER_TIMEOUT} s, it was closed after {took:.2f} s")
        self.assertLessEqual(took, HEADER_TIMEOUT + GRACE, f"expected the idle kept-alive connection closed within "
                                                           f"{HEADER_TIMEOUT} + {GRACE} s, it took {took:.2f} s")

    def test_streamed_chats_beside_a_renewed_crowd(self):
        first = ["Name a fruit.", "Which city is the capital of France?", "What color is the sky?",
                 "Count to three.", "Say hello in Spanish.", "Name a planet.", "What is two plus two?",
                 "Name an animal."]
        follow = ["Why?", "Say it again.", "And another one?", "Shorter, please.", "Thanks!"]
        start = time.monotonic()  # the whole test, its answers alone included, within 120 s

        def converse(k, answers, wrong):
            messages = [{"role": "user", "content": first[k]}]
            for turn in range(6):
                text, _, why = stream_chat(self.port, messages)
                if why:
                    wrong.append(f"client {k} turn {turn}: {why}")
                    return
                answers.append(text)
                messages += [{"role": "assistant", "content": text}, {"role": "user", "content": follow[turn % 5]}]

        expected = []
        for k in range(8):  # each conversation alone, before the crowd: what each client must get
            answers, wrong = [], []
            converse(k, answers, wrong)
            if wrong:
                self.fail("without a crowd: " + show(wrong))
            expected.append(answers)

        crowd = Crowd(self.port, [("trickle", "127.0.0.6", 50), ("idle", "127.0.0.7", 50)], reopen=True, limit=120)
        got, wrong = [[] for _ in range(8)], []
        try:
            crowd.start()
            time.sleep(2 * TRICKLE_EVERY)
            clients = [threading.Thread(target=converse, args=(k, got[k], wrong), daemon=True) for k in range(8)]
            for t in clients:
                t.start()
            for t in clients:
                t.join(timeout=max(0.0, start + 110 - time.monotonic()))
            stuck = sum(t.is_alive() for t in clients)
            if not wrong and stuck == 0:  # the crowd's first connections are past their deadline
                time.sleep(max(0.0, crowd.started + HEADER_TIMEOUT + GRACE - time.monotonic()))
        finally:
            crowd.stop()
        took = time.monotonic() - start
        self.assertEqual(stuck, 0, f"expected the 8 clients' chats to end within 110 s, {stuck} had not")
        if wrong:
            self.fail(show(wrong))
        self.assertLess(took, 120, f"expected the test to take less than 120 s, it took {took:.1f} s")
        self.assertEqual(sum(map(len, got)), 48, f"expected 48 streamed answers, got {sum(map(len, got))}")
        for k in range(8):
            self.assertNotEqual("".join(got[k]), "", f"expected client {k}'s answers to hold text, got {got[k]!r}")
            self.assertEqual(got[k], expected[k], f"expected client {k}'s streamed answers beside the crowd to "
                                                  "equal its answers alone")
        if crowd.errors:
            self.fail("expected every hostile connection to (re)open: " + show(crowd.errors))
        conns = crowd.snapshot()
        self.assertGreater(sum(c.closed is not None for c in conns), 0,
                           f"expected the server to close some hostile connections in the "
                           f"{crowd.stopped_at - crowd.started:.1f} s the crowd was kept, it closed none")
        self.check_crowd(conns, now=crowd.stopped_at, must_close=False)

    def slots_and_queue(self):
        """(slots busy, requests waiting) from GET /slots and its X-Queue-Waiting header."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request("GET", "/slots", headers={"Authorization": "Bearer " + KEY})
            r = c.getresponse()
            slots = json.loads(r.read())
            return sum(x["is_processing"] for x in slots), int(r.getheader("X-Queue-Waiting"))
        finally:
            c.close()

    def test_clients_that_leave_free_their_places_and_slots_at_once(self):
        body = json.dumps({"messages": [{"role": "user", "content": "Tell me a long story about a dragon."}],
                           "max_tokens": 300, "ignore_eos": True, "temperature": 0, "stream": True}).encode()
        request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        socks = []
        try:
            for i in range(20):
                s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                socks.append(s)
                s.sendall(request)
                data, start = b"", time.monotonic()
                while b"data: " not in data and time.monotonic() - start < 30:
                    piece = s.recv(65536)
                    if not piece:
                        break
                    data += piece
                self.assertIn(b"data: ", data, f"expected streamed chat {i} to send its first chunk, got {data[:300]!r}")
            for _ in range(500):  # the worker starts the first four between its steps
                busy, waiting = self.slots_and_queue()
                if busy == 4:
                    break
                time.sleep(0.02)
            self.assertEqual((busy, waiting), (4, 16), "expected 4 chats generating and 16 waiting (--queue's bound)")
        finally:
            for s in socks:
                s.close()
        status, data = self.server.request("POST", "/v1/completions",
                                           {"prompt": PROMPT, "max_tokens": 8, "temperature": 0})
        answered = time.monotonic()
        self.assertEqual(status, 200, f"expected the request after 20 clients left to be served, got {status}: "
                                      f"{data[:300]!r}")
        for _ in range(1000):
            busy, waiting = self.slots_and_queue()
            if (busy, waiting) == (0, 0) or time.monotonic() - answered > 1.0:
                break
            time.sleep(0.02)
        self.assertEqual((busy, waiting), (0, 0), "expected every slot free and nobody waiting within 1 s of the "
                                                  f"answer, {busy} slots busy and {waiting} waiting after "
                                                  f"{time.monotonic() - answered:.2f} s")
        self.assertGreaterEqual(self_metric(self.server, "lmc_generations_cancelled_total"), 20)
        self.assertEqual(self_metric(self.server, "lmc_queue_depth"), 0)


class ConnectionBounds(unittest.TestCase):
    """--max-connections 40 --max-connections-per-client 20 (and a long header timeout, so
    the idle connections stay for the test)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*BOUND_FLAGS, *BOUND_SERVER)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def idle(self, source, n):
        socks = [socket.create_connection(("127.0.0.1", self.port), timeout=5, source_address=(source, 0))
                 for _ in range(n)]
        time.sleep(0.3)  # accepted and counted
        return socks

    def refused(self, source, why):
        """A connection from `source` past a bound: GET /health is answered 503 at once."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5, source_address=(source, 0))
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            data, how, first, _ = read_to_eof(s, 5)
        finally:
            s.close()
        bad = error_response(data, 503)
        self.assertIsNone(bad, f"{why}: {bad}")
        self.assertTrue(logged(self.server, rf"^lmc: - 503 refused, from {re.escape(source)}: "),
                        f"{why}: no log line for the 503:\n" + "".join(self.server.err[-5:]))
        self.assertLess(first, 1.0, f"{why}: expected the 503 within 1 s, it came after {first:.2f} s")
        self.assertIn(how, ("eof", "reset"), f"{why}: expected the connection closed after the 503, it stayed open")

    def served(self, source, why):
        status, body, took = get_health(self.port, source)
        self.assertEqual(status, 200, f"{why}: expected /health from {source} to answer 200, got {status} {body!r}")
        self.assertLess(took, 1.0, f"{why}: expected /health from {source} within 1 s, it took {took:.2f} s")

    def released(self, source):
        """Closed connections give their places back: /health from `source` is 200 again
        (within 5 s: the server sees the closes as it reads)."""
        status, body = None, b""
        for _ in range(20):
            try:
                status, body, _ = get_health(self.port, source)
            except (OSError, http.client.HTTPException) as e:
                body = repr(e).encode()
            if status == 200:
                return
            time.sleep(0.25)
        self.fail(f"expected /health from {source} to answer 200 once the connections were closed, "
                  f"got {status} {body[:200]!r}")

    def test_past_the_per_client_bound_is_503(self):
        socks = self.idle("127.0.0.4", 20)
        try:
            self.refused("127.0.0.4", "a 21st connection from 127.0.0.4 (--max-connections-per-client 20)")
            self.served("127.0.0.5", "beside 20 connections of 127.0.0.4")
        finally:
            for s in socks:
                s.close()
        self.released("127.0.0.4")

    def test_past_the_total_bound_is_503(self):
        socks = []
        try:
            socks += self.idle("127.0.0.8", 20)
            socks += self.idle("127.0.0.9", 20)
            self.refused("127.0.0.10", "a 41st connection in all (--max-connections 40)")
        finally:
            for s in socks:
                s.close()
        self.released("127.0.0.10")



if __name__ == "__main__":
    sys.exit(serve_harness.main())
