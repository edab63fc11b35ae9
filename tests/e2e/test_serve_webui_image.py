#!/usr/bin/env python3
"""lmc serve's chat page with images, in headless Chromium, on test_run_image.py's generated pair
(a small Gemma-3-shaped text GGUF and its mmproj), greedy. Without --mmproj the page offers no
attach button; with it, a PNG attached (and another attached and removed) shows as a thumbnail
in the composer, and the question sends it as an OpenAI image_url part before its text: the
request holds that part, and the streamed answer is the API's own answer to the same message
(test_serve_image.py ties that to lmc run --image), not the answer to the other image. The
question shows its thumbnail, a reload keeps it, Regenerate and a later question's history send
the image again. A corrupt PNG is the server's 400, marked failed with its thumbnail; Retry
sends the image again, Edit puts it back in the composer. An image dropped on the composer or
pasted into its text is attached as the button's are. A GIF and a PNG past the page's bound are
refused with a note, and a conversation past the browser's storage is kept on the page with a
note saying it was not stored. Screenshots are saved as serve-webui-image*.png in the working
directory.

  test_serve_webui_image.py --lmc build/tools/lmc
"""
import argparse
import json
import os
import sys
import unittest

import numpy as np

import serve_harness
import test_run_image
import test_serve_image as served
from headless_chromium import browser
from test_encode_image import png_bytes
from test_serve_webui import RECORD_REQUESTS, BrowserPage

PROMPT = "What is in this picture?"
CORRUPT_PNG = b"\x89PNG\r\n\x1a\nnot really"  # test_serve_image.py's: "failed to load image"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def screenshot(driver, name):
    assert driver.save_screenshot(os.path.join(os.getcwd(), name))


class ImagesInTheChatPage(BrowserPage, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        test_run_image.model_pair_for(cls)
        cls.files = {"corrupt.png": CORRUPT_PNG, "tiny.gif": GIF,  # noise: a PNG past a MiB
                     "photo.png": png_bytes(np.random.default_rng(5).integers(0, 256, (700, 700, 3)).astype(np.uint8))}
        for name, data in cls.files.items():
            with open(os.path.join(cls.dir.name, name), "wb") as f:
                f.write(data)
        cls.server = served.Served(cls.pair, "-np", "1", "--n-predict", str(served.TOKENS), "--temp", "0")
        cls.driver = browser(1200, 900)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def open(self, port):
        self.driver.get(f"http://127.0.0.1:{port}/")
        self.wait(lambda: self.find("#model")[0].text, 30)
        # The button follows /props: wait for its answer, then for the page to have read it.
        self.wait(lambda: self.driver.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/props'))"), 30)
        self.driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()))")

    def record(self):
        """Records the page's request bodies from now (RECORD_REQUESTS once on a page: installed
        twice, it would record each body twice)."""
        self.driver.execute_script("if (window.__bodies) window.__bodies = []; else {" + RECORD_REQUESTS + "}")

    def attach(self, *names):
        before = len(self.find("#attachments img.thumbnail"))
        self.find("#attach-file")[0].send_keys("\n".join(map(self.path, names)))
        self.wait(lambda: len(self.find("#attachments img.thumbnail")) == before + len(names)
                  or not self.find("#attach-note")[0].get_attribute("hidden"), 10)

    def ask(self, text):
        self.find("#prompt")[0].send_keys(text)
        self.find("#send")[0].click()
        self.wait(lambda: not self.find("#send")[0].get_attribute("disabled") and self.find(".actions"), 60)

    def classes(self):
        return [m.get_attribute("class") for m in self.find("#messages .message")]

    def bodies(self):
        return [json.loads(b) for b in self.driver.execute_script("return window.__bodies") if b]

    def question(self, name, text=PROMPT):
        """The user message a question with the image `name` should send."""
        return {"role": "user", "content": [served.image_part(served.data_uri(self.path(name))),
                                            {"type": "text", "text": text}]}

    def test_1_no_attach_button_without_mmproj(self):
        model, _, _ = self.pair
        proc, port, _ = serve_harness.started([served.LMC, "serve", model, "--port", "0", *served.FLAGS])
        try:
            self.open(port)
            self.assertFalse(self.find("#attach")[0].is_displayed())
        finally:
            proc.terminate()
            proc.wait(timeout=60)

    def test_2_an_image_sent_with_the_question(self):
        self.open(self.server.port)
        self.assertTrue(self.find("#attach")[0].is_displayed())
        self.record()
        image0, image1 = (os.path.basename(p) for p in self.pair[2])
        self.attach(image0, image1)
        self.find("#attachments .remove")[1].click()  # the second, removed
        shown = [i.get_attribute("src") for i in self.find("#attachments img.thumbnail")]
        self.assertEqual(shown, [served.data_uri(self.path(image0))])
        screenshot(self.driver, "serve-webui-image-composer.png")
        self.ask(PROMPT)
        self.assertEqual(self.classes(), ["message user", "message assistant"])
        sent = self.bodies()[-1]["messages"]
        self.assertEqual(sent, [self.question(image0)])
        status, whole = self.server.ask("/v1/chat/completions", {"messages": sent})
        self.assertEqual(status, 200, whole)
        want = whole["choices"][0]["message"]["content"]
        self.assertTrue(want)
        _, other = self.server.ask("/v1/chat/completions", {"messages": [self.question(image1)]})
        self.assertNotEqual(other["choices"][0]["message"]["content"], want)  # else the image could be lost
        self.assertEqual(self.driver.execute_script("return turns[0].answer"), want)  # streamed, greedy
        thumbnails = self.find("#messages .message.user img.thumbnail")
        self.assertEqual([i.get_attribute("src") for i in thumbnails], [served.data_uri(self.path(image0))])
        self.assertTrue(self.find("#attachments")[0].get_attribute("hidden") is not None)  # the composer is empty
        # Every image on the page is one the user gave, read into a data: URI: nothing is fetched.
        self.assertTrue(self.driver.execute_script(
            "return [...document.images].every(i => i.getAttribute('src').startsWith('data:image/'))"))
        screenshot(self.driver, "serve-webui-image.png")

    def test_3_a_reload_keeps_the_image_and_regenerate_sends_it(self):
        image0 = os.path.basename(self.pair[2][0])
        answered = self.driver.execute_script("return turns[0].answer")
        self.driver.refresh()
        self.wait(lambda: len(self.find("#messages .message")) == 2, 30)
        thumbnails = self.find("#messages .message.user img.thumbnail")
        self.assertEqual([i.get_attribute("src") for i in thumbnails], [served.data_uri(self.path(image0))])
        self.assertEqual(self.find("#messages .message.user")[0].text, PROMPT)
        self.record()
        self.find(".actions.assistant .regenerate")[0].click()
        self.wait(lambda: self.bodies() and self.find(".actions.assistant"), 60)
        self.wait(lambda: not self.find("#send")[0].get_attribute("disabled"), 60)
        self.assertEqual(self.bodies()[-1]["messages"], [self.question(image0)])
        self.assertEqual(self.driver.execute_script("return turns[0].answer"), answered)
        self.ask("And its colours?")  # a later question carries the earlier one's image in the history
        sent = self.bodies()[-1]["messages"]
        self.assertEqual(sent, [self.question(image0), {"role": "assistant", "content": answered},
                                {"role": "user", "content": "And its colours?"}])
        self.assertEqual(self.classes(), ["message user", "message assistant"] * 2)

    def test_4_a_corrupt_image_is_marked_failed(self):
        self.find("#new-chat")[0].click()
        self.record()
        self.attach("corrupt.png")
        self.ask("What is it?")
        self.assertEqual(self.classes(), ["message user failed", "message error"])
        self.assertIn("failed to load image", self.find("#messages .message.error")[0].text)
        self.assertEqual(len(self.find("#messages .message.user img.thumbnail")), 1)
        screenshot(self.driver, "serve-webui-image-failed.png")
        self.find(".actions.error .retry")[0].click()  # the image goes again, and fails again
        self.wait(lambda: len(self.bodies()) == 2 and self.find(".actions.error"), 60)
        self.assertEqual(self.bodies()[1]["messages"], [self.question("corrupt.png", "What is it?")])
        self.find(".actions.error .edit")[0].click()  # the text and the image back in the composer
        self.assertEqual(self.find("#prompt")[0].get_attribute("value"), "What is it?")
        self.assertEqual([i.get_attribute("src") for i in self.find("#attachments img.thumbnail")],
                         [served.data_uri(self.path("corrupt.png"))])
        self.assertEqual(self.classes(), [])
        self.find("#attachments .remove")[0].click()
        self.find("#prompt")[0].clear()

    def test_5_an_image_dropped_or_pasted(self):
        uri = served.data_uri(self.pair[2][1])
        for event in ("new DragEvent('drop', {dataTransfer: files, bubbles: true, cancelable: true})",
                      "new ClipboardEvent('paste', {clipboardData: files, bubbles: true, cancelable: true})"):
            self.driver.execute_script("""
                const files = new DataTransfer();
                const bytes = Uint8Array.from(atob(arguments[0].split(',')[1]), (c) => c.charCodeAt(0));
                files.items.add(new File([bytes], 'image.png', {type: 'image/png'}));
                document.getElementById(arguments[1]).dispatchEvent(""" + event + ")",
                                       uri, "composer" if "drop" in event else "prompt")
        self.wait(lambda: len(self.find("#attachments img.thumbnail")) == 2, 10)
        self.assertEqual([i.get_attribute("src") for i in self.find("#attachments img.thumbnail")], [uri, uri])
        for _ in range(2):
            self.find("#attachments .remove")[0].click()
        self.assertEqual(self.find("#attachments img.thumbnail"), [])

    def test_6_what_the_page_does_not_take(self):
        self.attach("tiny.gif", "photo.png")
        note = self.find("#attach-note")[0].text
        self.assertIn("tiny.gif is not a PNG or JPEG image", note)
        self.assertIn("photo.png is 1.", note)
        self.assertIn("past the 1.0 MB", note)
        self.assertEqual(self.find("#attachments img.thumbnail"), [])
        # The browser's storage filled to a few hundred characters of room: the conversation and
        # its image stay on the page, not stored, and a note says so.
        self.find("#new-chat")[0].click()
        self.driver.execute_script("""
            let size = 1 << 24;
            for (let room = ''; size > 256; size >>= 1) {
              try { localStorage.setItem('filler', room + 'x'.repeat(size)); room += 'x'.repeat(size); } catch (e) {}
            }""")
        self.attach(os.path.basename(self.pair[2][1]))
        self.ask(PROMPT)
        self.assertEqual(self.classes(), ["message user", "message assistant"])
        note = self.find("#storage-note")[0]
        self.assertTrue(note.is_displayed())
        self.assertIn("does not fit in the browser's storage", note.text)
        screenshot(self.driver, "serve-webui-image-storage.png")
        self.driver.execute_script("localStorage.removeItem('filler')")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    served.LMC = serve_harness.LMC = test_run_image.LMC = os.path.abspath(args.lmc)
    r = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    raise SystemExit(0 if r.wasSuccessful() else 1)
