#!/usr/bin/env python3
"""lmc serve's chat page in a real browser. Headless Chromium (Debian's, driven by selenium
through Debian's chromedriver) opens / of `lmc serve` on SmolLM2, gives the API key the page
asks for, sends a prompt and sees the streamed answer appear and end with the speed shown;
a second turn carries the first in its history (the server's log shows it reused); a long
answer is stopped and grows no more; a new chat empties the page; the page fetched nothing
but the server's own API. Its screenshot is saved as serve-webui.png in the working directory.
Without a browser: / needs no key, and --no-webui answers it 404.

  test_serve_webui.py --lmc build/tools/lmc
"""
import os
import re
import time
import unittest

import serve_harness as h
from headless_chromium import browser

LOG_LINE = re.compile(r"POST /v1/chat/completions 200 \d+ ms, prompt (\d+) tokens \((\d+) cached\), (\d+) generated")


class ChatPageInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.Server("--n-predict", "1000", "--temp", "0")  # greedy: the same answers each run
        cls.url = f"http://127.0.0.1:{cls.server.port}/"
        cls.driver = browser(1200, 900)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()

    def by_id(self, name):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, name)

    def messages(self):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, "#messages .message")

    def wait(self, condition, seconds=120):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, seconds, poll_frequency=0.05).until(lambda d: condition())

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
        self.assertIsNone(re.search(r"\b(src|href)\s*=|url\(|https?://|@import", page))
        status, _ = self.server.request("GET", "/v1/models", key=None)
        self.assertEqual(status, 401)

    def test_2_a_streamed_answer_then_a_second_turn(self):
        from selenium.webdriver.support import expected_conditions
        self.driver.get(self.url)
        self.wait(lambda: expected_conditions.alert_is_present()(self.driver), 30)  # /v1/models answered 401: the page asks
        alert = self.driver.switch_to.alert
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
