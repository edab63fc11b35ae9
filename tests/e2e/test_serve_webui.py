#!/usr/bin/env python3
"""lmc serve's chat page in a real browser. Headless Chromium (Debian's, driven by selenium
through Debian's chromedriver) opens / of `lmc serve` on SmolLM2, is refused a wrong API key
and asked again, gives the right one, sends a prompt and sees the streamed answer appear and
end with the speed shown; a second turn carries the first in its history (the server's log
shows it reused); a long answer is stopped and grows no more; a new chat empties the page; the
page fetched nothing but the server's own API. Answers are markdown: the page's own rendering
path turns a known answer into headings, lists, a table and highlighted code, and a real
streamed code answer into a highlighted block; HTML and javascript: links in an answer run
nothing. A too-long prompt (a 400) is marked failed and left out of the next request, which
succeeds without New chat; Edit and Retry; Regenerate replaces the last answer, Copy copies
its markdown. The settings (system prompt, temperature, max tokens) reach the request and are
kept over a reload, which reopens the conversation that was open; the conversations are listed,
each opened with its own turns and settings and continued, and one deleted. Reloaded mid-answer,
the page shows the question and the answer as far as it came, marked cut (reloaded before any
text came, the question, marked failed with Retry); when the server dies
mid-answer, the streamed text stays, marked cut, not replaced by an error. A reasoning model's answer (a Qwen3-style template
that opens <think>, as test_serve_reasoning.py's) streams its reasoning_content into a
collapsible Thinking block above the answer, as text, never markup. Screenshots are saved as serve-webui*.png in the working directory.
Without a browser: / needs no key and inlines marked, DOMPurify and highlight.js, and
--no-webui answers it 404.

  test_serve_webui.py --lmc build/tools/lmc
"""
import json
import os
import re
import tempfile
import time
import unittest

import serve_harness as h
from headless_chromium import browser
from test_serve_reasoning import QUESTION, TEMPLATE

# The libraries the build inlines into the page (tools/serve/server/CMakeLists.txt).
LIBRARIES = ["/usr/share/javascript/marked/marked.umd.min.js", "/usr/share/nodejs/dompurify/dist/purify.min.js",
             "/usr/share/javascript/highlight.js/highlight.min.js",
             "/usr/share/javascript/highlight.js/styles/github.css"]
# Records the bodies of the page's requests, to see what a turn sends.
RECORD_REQUESTS = """
window.__bodies = [];
const original = window.fetch;
window.fetch = (url, init) => { window.__bodies.push(init && init.body); return original(url, init); };
"""
# Asks for answers whole (300 tokens, not streamed): a request is out, and no text comes for seconds.
ANSWER_WHOLE = """
const original = window.fetch;
const whole = { stream: false, max_tokens: 300 };
window.fetch = (url, init) => original(url, url !== "/v1/chat/completions" ? init
    : Object.assign({}, init, { body: JSON.stringify(Object.assign(JSON.parse(init.body), whole)) }));
"""
LOG_LINE = re.compile(r"POST /v1/chat/completions 200 \d+ ms, prompt (\d+) tokens \((\d+) cached\), (\d+) generated")


class BrowserPage:
    """What the browser tests share: waiting on the page, opening it with the server's key, and
    closing the class's browser, server and folder (when it has one)."""

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()
        if getattr(cls, "dir", None):
            cls.dir.cleanup()

    def wait(self, condition, seconds=120):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda d: condition())

    def open_with_key(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        self.driver.get(f"http://127.0.0.1:{self.server.port}/")
        self.wait(lambda: expected_conditions.alert_is_present()(self.driver), 30)
        alert = self.driver.switch_to.alert
        alert.send_keys(h.KEY)
        alert.accept()
        self.wait(lambda: self.driver.find_element(By.ID, "model").text, 30)


class ChatPageInBrowser(BrowserPage, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Greedy: the same answers each run; a context a test's prompt can overflow.
        cls.server = h.Server("--n-predict", "1000", "--temp", "0", "--ctx-size", "4096")
        cls.url = f"http://127.0.0.1:{cls.server.port}/"
        cls.driver = browser(1200, 900)

    def by_id(self, name):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, name)

    def messages(self):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, "#messages .message")

    def send(self, text):
        box = self.by_id("prompt")
        box.send_keys(text)
        self.by_id("send").click()
        self.wait(lambda: self.messages() and "assistant" in self.messages()[-1].get_attribute("class")
                  and self.messages()[-1].text)

    def answered(self):
        return not self.by_id("send").get_attribute("disabled") and not self.by_id("stop").is_displayed()

    def chat_log(self):
        return [tuple(map(int, m.groups())) for m in map(LOG_LINE.search, self.server.err) if m]

    def test_1_the_page_is_served_without_the_key_and_fetches_nothing_outside(self):
        status, body = self.server.request("GET", "/", key=None)
        self.assertEqual(status, 200)
        page = body.decode()
        self.assertIn("<title>lmc chat</title>", page)
        for library in LIBRARIES:  # inlined whole; what is left is the page's own text
            with open(library) as f:
                text = f.read()
            self.assertIn(text, page, library)
            page = page.replace(text, "")
        self.assertIsNone(re.search(r"\b(src|href)\s*=|url\(|https?://|@import", page))
        status, _ = self.server.request("GET", "/v1/models", key=None)
        self.assertEqual(status, 401)

    def test_2_a_streamed_answer_then_a_second_turn(self):
        from selenium.webdriver.support import expected_conditions
        self.driver.get(self.url)
        self.wait(lambda: expected_conditions.alert_is_present()(self.driver), 30)  # /v1/models answered 401: the page asks
        alert = self.driver.switch_to.alert
        self.assertIn("needs its API key", alert.text)
        alert.send_keys("not-" + h.KEY)
        alert.accept()
        self.wait(lambda: expected_conditions.alert_is_present()(self.driver), 30)  # refused: asked again
        alert = self.driver.switch_to.alert
        self.assertIn("refused", alert.text)
        alert.send_keys(h.KEY)
        alert.accept()
        _, models = self.server.request("GET", "/v1/models")
        name = __import__("json").loads(models)["data"][0]["id"]
        self.wait(lambda: self.by_id("model").text == name, 30)

        self.send("What is the capital of France?")
        self.assertTrue(self.by_id("stop").is_displayed() or self.answered())
        self.wait(self.answered)
        first = self.messages()[-1].text
        self.assertTrue(first.strip())
        speed = re.fullmatch(r"(\d+) tokens, ([\d.]+) tokens/s", self.by_id("speed").text)
        self.assertIsNotNone(speed, self.by_id("speed").text)
        self.assertGreater(int(speed.group(1)), 0)
        self.assertGreater(float(speed.group(2)), 0)
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui.png")))

        self.send("And of Germany?")
        self.wait(self.answered)
        roles = [m.get_attribute("class") for m in self.messages()]
        self.assertEqual(roles, ["message user", "message assistant"] * 2)
        self.wait(lambda: len(self.chat_log()) >= 2, 10)
        (p1, _, g1), (p2, cached2, _) = self.chat_log()[-2:]
        self.assertGreater(p2, p1 + g1)  # the second prompt holds the first turn and its answer
        self.assertGreater(cached2, 0)   # whose tokens the server's cache kept
        fetched = self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
        self.assertTrue(all(origin == self.url.rstrip("/") for origin in fetched), fetched)

    def test_3_stop_then_new_chat(self):
        self.by_id("new-chat").click()
        self.assertEqual(self.messages(), [])
        self.send("Write a long essay about the history of Rome.")  # 1000 tokens, greedy
        self.by_id("stop").click()
        self.wait(self.answered, 10)
        stopped = self.messages()[-1].text
        time.sleep(1.0)
        self.assertEqual(self.messages()[-1].text, stopped)
        self.assertTrue(self.wait(lambda: len(self.chat_log()) >= 3, 10))
        self.by_id("new-chat").click()
        self.assertEqual(self.messages(), [])
        self.assertEqual(self.by_id("speed").text, "")

    def render(self, markdown):
        """Feeds markdown through the page's answer rendering, as a streamed answer is; returns the message."""
        return self.driver.execute_script(
            "const reply = addMessage('assistant', ''); renderAnswer(reply, arguments[0]); return reply", markdown)

    def test_4_markdown_rendered(self):
        from selenium.webdriver.common.by import By
        reply = self.render("## Plan\n\n**bold** and *it*\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                            "```python\ndef f(x):\n    return x + 1\n```\n")
        self.assertEqual(reply.find_element(By.TAG_NAME, "h2").text, "Plan")
        self.assertEqual(reply.find_element(By.TAG_NAME, "strong").text, "bold")
        self.assertEqual([li.text for li in reply.find_elements(By.CSS_SELECTOR, "ul li")], ["one", "two"])
        self.assertEqual([th.text for th in reply.find_elements(By.CSS_SELECTOR, "table th")], ["a", "b"])
        code = reply.find_element(By.CSS_SELECTOR, "pre code.hljs")
        self.assertEqual(code.find_element(By.CSS_SELECTOR, ".hljs-keyword").text, "def")
        self.assertIn("return x + 1", code.text)

        self.by_id("new-chat").click()
        self.send("Write a Python function that adds two numbers.")  # greedy: SmolLM2 answers with a code block
        self.wait(self.answered)
        streamed = self.messages()[-1]
        self.assertTrue(streamed.find_elements(By.CSS_SELECTOR, "pre code.hljs .hljs-keyword"),
                        streamed.get_attribute("innerHTML"))
        self.assertNotIn("```", streamed.text)
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-markdown.png")))

    def test_5_an_answer_runs_no_script(self):
        from selenium.webdriver.common.by import By
        reply = self.render('<img src=x onerror="window.__xss=1">\n\n[link](javascript:window.__xss=2)\n\n'
                            '<a href="javascript:window.__xss=3">raw</a><script>window.__xss=4</script>'
                            '<svg onload="window.__xss=5"></svg><iframe src="javascript:window.__xss=6"></iframe>')
        for link in reply.find_elements(By.TAG_NAME, "a"):
            link.click()
        # An image's error and a frame's load fire after a turn of the event loop: wait for two frames.
        self.driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))")
        self.assertIsNone(self.driver.execute_script("return window.__xss"))
        dangerous = self.driver.execute_script(
            "return [...document.querySelectorAll('img, script:not([src]), svg, iframe, [onerror], [onload], a[href]')]"
            ".filter(e => e.closest('#messages')).map(e => e.outerHTML)")
        self.assertEqual(dangerous, [])
        self.assertEqual(len(self.driver.window_handles), 1)

    def last_request(self):
        return json.loads(self.driver.execute_script("return window.__bodies[window.__bodies.length - 1]"))

    def test_6_a_failed_turn_is_left_out(self):
        from selenium.webdriver.common.by import By
        self.by_id("new-chat").click()
        self.driver.execute_script(RECORD_REQUESTS)
        too_long = "word " * 9000  # more tokens than the server's --ctx-size
        self.driver.execute_script("document.getElementById('prompt').value = arguments[0]", too_long)
        self.by_id("send").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".message.error"), 60)
        self.wait(self.answered)
        self.assertEqual([m.get_attribute("class") for m in self.messages()], ["message user failed", "message error"])
        self.by_id("messages").find_element(By.CSS_SELECTOR, ".actions.error .retry").click()
        self.wait(lambda: len(self.driver.execute_script("return window.__bodies")) == 2, 10)
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".message.error"), 60)
        self.wait(self.answered)
        self.assertEqual([m.get_attribute("class") for m in self.messages()], ["message user failed", "message error"])
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-failed.png")))

        self.send("Hello!")  # the failed turn stays marked and is not sent
        self.wait(self.answered)
        self.assertEqual([m["content"] for m in self.last_request()["messages"]], ["Hello!"])
        self.assertEqual([m.get_attribute("class") for m in self.messages()],
                         ["message user failed", "message error", "message user", "message assistant"])
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ".actions.error"), [])

        self.driver.execute_script("document.getElementById('prompt').value = arguments[0]", too_long)
        self.by_id("send").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".actions.error"), 60)
        self.wait(self.answered)
        self.driver.find_element(By.CSS_SELECTOR, ".actions.error .edit").click()
        self.assertEqual(self.by_id("prompt").get_attribute("value"), too_long.strip())
        self.assertEqual(len(self.messages()), 4)  # the edited question and its error are gone
        self.by_id("prompt").clear()
        self.send("And goodbye!")
        self.wait(self.answered)
        sent = self.last_request()["messages"]
        self.assertEqual([m["role"] for m in sent], ["user", "assistant", "user"])
        self.assertEqual((sent[0]["content"], sent[2]["content"]), ("Hello!", "And goodbye!"))

    def test_7_regenerate_and_copy(self):
        from selenium.webdriver.common.by import By
        last = self.messages()[-1]
        before = last.text
        regenerate = self.driver.find_elements(By.CSS_SELECTOR, ".actions.assistant .regenerate")
        self.assertEqual([b.is_displayed() for b in regenerate], [False, True])  # the last answer only
        regenerate[-1].click()
        self.wait(lambda: len(self.driver.execute_script("return window.__bodies")) == 6, 10)
        self.wait(self.answered)
        sent = self.last_request()["messages"]
        self.assertEqual([m["content"] for m in sent][::2], ["Hello!", "And goodbye!"])
        self.assertEqual(len(sent), 3)  # the replaced answer is not sent
        roles = [m.get_attribute("class") for m in self.messages()]
        self.assertEqual(roles.count("message assistant"), 2)
        self.assertEqual(self.messages()[-1].text, before)  # greedy: the same answer again

        self.driver.execute_script(
            "window.__copied = []; navigator.clipboard.writeText = (t) => { window.__copied.push(t); "
            "return Promise.resolve(); }")
        copy = self.driver.find_elements(By.CSS_SELECTOR, ".actions.assistant .copy")[-1]
        copy.click()
        self.wait(lambda: copy.text == "Copied", 10)
        copied = self.driver.execute_script("return window.__copied")
        self.assertEqual(len(copied), 1)
        self.assertTrue(self.driver.execute_script(  # the answer's markdown, which renders to what is shown
            "const d = document.createElement('div'); renderAnswer(d, arguments[0]);"
            "return d.textContent === arguments[1].textContent", copied[0], self.messages()[-1]))

    def test_8_settings_reach_the_request_and_are_kept(self):
        self.by_id("new-chat").click()  # the settings are a conversation's: those of the next one
        self.driver.find_element("css selector", "#settings summary").click()
        self.by_id("system").send_keys("Answer in one word.")
        self.by_id("temperature").send_keys("0")
        self.by_id("max-tokens").send_keys("3")
        self.driver.execute_script(RECORD_REQUESTS)
        self.send("Hi")
        self.wait(self.answered)
        body = self.last_request()
        self.assertEqual(body["messages"][0], {"role": "system", "content": "Answer in one word."})
        self.assertEqual((body["temperature"], body["max_tokens"]), (0, 3))
        self.assertNotIn("top_p", body)  # left empty: the server's own
        self.wait(lambda: self.chat_log() and self.chat_log()[-1][2] <= 3, 10)
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-settings.png")))
        self.driver.refresh()
        self.wait(lambda: self.by_id("system").get_attribute("value") == "Answer in one word.", 30)
        self.assertEqual(self.by_id("max-tokens").get_attribute("value"), "3")

    def test_9_conversations_kept_in_the_browser(self):
        from selenium.webdriver.common.by import By
        # Reloaded: the conversation that was open is open again, the others listed.
        self.assertEqual([m.get_attribute("class") for m in self.messages()], ["message user", "message assistant"])
        self.assertEqual(self.messages()[0].text, "Hi")
        self.driver.find_element(By.CSS_SELECTOR, "#conversations summary").click()
        titles = [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .open")]
        self.assertEqual(titles[:2], ["Hi", "Hello!"])
        self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .open")[1].click()
        self.assertEqual([m.get_attribute("class") for m in self.messages()],
                         ["message user", "message assistant"] * 2)
        self.assertEqual(self.by_id("system").get_attribute("value"), "")  # its own settings
        self.driver.execute_script(RECORD_REQUESTS)
        self.send("Thanks!")  # carries on from the stored turns
        self.wait(self.answered)
        self.assertEqual([m["content"] for m in self.last_request()["messages"]][::2],
                         ["Hello!", "And goodbye!", "Thanks!"])
        titles = [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .open")]
        self.assertEqual(titles[:2], ["Hello!", "Hi"])  # the latest first
        self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .open")[1].click()
        self.assertEqual(self.by_id("system").get_attribute("value"), "Answer in one word.")
        self.assertEqual(self.messages()[0].text, "Hi")
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-conversations.png")))
        self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .delete")[1].click()
        titles = [b.text for b in self.driver.find_elements(By.CSS_SELECTOR, "#conversation-list .open")]
        self.assertEqual(titles[0], "Hello!")
        self.assertNotIn("Hi", titles)

class LongAnswerPage(BrowserPage):
    """A server and browser of their own, the answers long (1000 tokens, greedy), for tests that
    cut an answer mid-stream."""

    @classmethod
    def setUpClass(cls):
        cls.server = h.Server("--n-predict", "1000", "--temp", "0")
        cls.driver = browser(1200, 900)


class DroppedConnection(LongAnswerPage, unittest.TestCase):
    """The server dies mid-answer: the streamed text stays on the page, marked cut, not replaced
    by an error, and stays in the stored conversation."""

    def test_the_partial_answer_is_kept(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        self.open_with_key()
        self.driver.find_element(By.ID, "prompt").send_keys("Write a long essay about the history of Rome.")
        self.driver.find_element(By.ID, "send").click()
        replies = lambda: self.driver.find_elements(By.CSS_SELECTOR, "#messages .message.assistant")  # noqa: E731
        self.wait(lambda: replies() and len(replies()[-1].text) > 200, 60)
        self.server.proc.kill()  # the connection drops mid-stream
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".actions.assistant .cut-note"), 30)
        reply = replies()[-1]
        self.assertGreater(len(reply.text), 200)
        self.assertIn("cut", reply.get_attribute("class"))
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, ".message.error"), [])
        stored = json.loads(self.driver.execute_script("return localStorage.getItem('lmc-chat-conversations')"))
        turn = stored[0]["turns"][-1]
        self.assertTrue(turn["cut"])
        self.assertGreater(len(turn["answer"]), 200)
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-dropped.png")))


class ReloadMidAnswer(LongAnswerPage, unittest.TestCase):
    """The turn in flight is stored as it streams: reloaded mid-answer, the page reopens the
    conversation with the question and the answer as far as it came, marked cut; reloaded
    before any text came, with the question, marked failed with Retry. A browser and server of
    their own: the chat page tests' settings (max tokens 3) stay in that browser's storage."""

    PROMPT = "Write a long essay about the history of Rome."

    def messages(self):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, "#messages .message")

    def ask(self):
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.ID, "new-chat").click()
        self.driver.find_element(By.ID, "prompt").send_keys(self.PROMPT)
        self.driver.find_element(By.ID, "send").click()

    def stored_turn(self):
        stored = json.loads(self.driver.execute_script("return localStorage.getItem('lmc-chat-conversations')"))
        return stored[0]["turns"][-1]

    def test_1_reloaded_mid_answer_the_question_and_the_partial_answer_are_shown(self):
        from selenium.webdriver.common.by import By
        self.open_with_key()
        self.ask()  # 1000 tokens, greedy: still streaming when the page reloads
        self.wait(lambda: len(self.messages()) == 2 and len(self.messages()[-1].text) > 200, 60)
        streamed = self.driver.execute_script("return inflight.answer")  # the markdown as far as it came
        shown = self.messages()[-1].text
        self.driver.refresh()
        self.wait(lambda: len(self.messages()) == 2, 30)
        question, reply = self.messages()
        self.assertEqual(question.get_attribute("class"), "message user")
        self.assertEqual(question.text, self.PROMPT)
        self.assertIn("cut", reply.get_attribute("class"))
        self.assertEqual(reply.text[:200], shown[:200])
        turn = self.stored_turn()
        self.assertTrue(turn["answer"].startswith(streamed), "the answer is kept as far as it came, not as last saved")
        self.assertIn("left while the answer streamed", turn["cut"])
        note = self.driver.find_element(By.CSS_SELECTOR, ".actions.assistant .cut-note").text
        self.assertIn("Cut off", note)
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-reloaded.png")))

    def test_2_reloaded_before_any_text_the_question_is_shown(self):
        from selenium.webdriver.common.by import By
        self.driver.execute_script(ANSWER_WHOLE)
        self.ask()
        self.wait(lambda: self.driver.find_element(By.ID, "stop").is_displayed(), 10)
        self.driver.refresh()
        self.wait(lambda: len(self.messages()) == 2, 30)
        self.assertEqual([m.get_attribute("class") for m in self.messages()], ["message user failed", "message error"])
        self.assertEqual(self.messages()[0].text, self.PROMPT)
        self.assertIn("left while the answer streamed", self.messages()[1].text)
        self.driver.find_element(By.CSS_SELECTOR, ".actions.error .retry").click()  # asked again, and answered
        self.wait(lambda: len(self.messages()) == 2 and self.messages()[-1].text, 60)
        self.driver.find_element(By.ID, "stop").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".actions.assistant"), 10)
        self.assertEqual([m.get_attribute("class") for m in self.messages()], ["message user", "message assistant"])


class ThinkingInBrowser(BrowserPage, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        path = os.path.join(cls.dir.name, "qwen3-style.jinja")
        with open(path, "w") as f:
            f.write(TEMPLATE)
        cls.server = h.Server("--chat-template-file", path, "--temp", "0", "--n-predict", "40")
        cls.driver = browser(1200, 900)

    def test_reasoning_streams_into_a_thinking_block(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        self.open_with_key()
        self.driver.find_element(By.ID, "prompt").send_keys(QUESTION[0]["content"])
        self.driver.find_element(By.ID, "send").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, ".actions.assistant"))  # the turn is kept
        reply = self.driver.find_elements(By.CSS_SELECTOR, "#messages .message.assistant")[-1]
        block = reply.find_element(By.CSS_SELECTOR, "details.thinking")
        self.assertEqual(block.find_element(By.TAG_NAME, "summary").text, "Thinking")
        shown = block.find_element(By.CSS_SELECTOR, ".reasoning")
        # Greedy: the streamed reasoning is the whole answer's reasoning_content, above its content.
        _, data = self.server.request("POST", "/v1/chat/completions", {"messages": QUESTION})
        message = json.loads(data)["choices"][0]["message"]
        self.assertTrue(message["reasoning_content"])
        self.assertEqual(shown.get_attribute("textContent"), message["reasoning_content"])
        self.assertTrue(shown.is_displayed())  # open while no answer follows
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-thinking.png")))
        block.find_element(By.TAG_NAME, "summary").click()
        self.assertFalse(shown.is_displayed())

        # Reasoning is text: markup in it shows as written and runs nothing.
        reply = self.driver.execute_script(
            "const reply = addMessage('assistant', ''); renderReply(reply, arguments[0], '**answer**'); return reply",
            '<img src=x onerror="window.__xss=1"><b>bold</b>')
        self.driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))")
        self.assertIsNone(self.driver.execute_script("return window.__xss"))
        self.assertEqual(reply.find_element(By.CSS_SELECTOR, ".thinking .reasoning").get_attribute("textContent"),
                         '<img src=x onerror="window.__xss=1"><b>bold</b>')
        self.assertEqual(reply.find_elements(By.CSS_SELECTOR, "img, b"), [])
        self.assertEqual(reply.find_element(By.TAG_NAME, "strong").text, "answer")
        self.assertIsNone(reply.find_element(By.CSS_SELECTOR, ".thinking").get_attribute("open"))  # an answer follows
        self.assertTrue(self.driver.save_screenshot(os.path.join(os.getcwd(), "serve-webui-thinking-text.png")))


class WithoutThePage(unittest.TestCase):
    def test_no_webui_answers_404(self):
        server = h.Server("--no-webui")
        try:
            status, body = server.request("GET", "/")
            self.assertEqual(status, 404)
            self.assertIn("no endpoint GET /", body.decode())
            self.assertNotIn("chat page", "".join(server.err))
        finally:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(h.main())
