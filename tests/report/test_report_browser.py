#!/usr/bin/env python3
"""The compile report in a real browser: `lmc compile models/gemma3.yaml --report=FILE` on
Gemma 3 270M's real weights, opened by headless Chromium (Debian's, driven by selenium
through Debian's chromedriver). The page must show the pipeline's passes, a pass's IR diff,
a remark beside its op and a picture of a layer (an image the browser decoded), open a
kernel's assembly and LLVM IR folded under its row, fetch nothing from the network, and its
screenshots are saved beside the test's files (WORK/report.png, WORK/report-picture.png,
WORK/report-assembly.png). Then `lmc run GGUF --profile --report=FILE`:
its page shows each kernel's share of the step (WORK/report-profile.png) and the compile's
remarks ranked by it, filtered to the missed ones by the page's own radio buttons
(WORK/report-remarks.png).

  test_report_browser.py --lmc build/tools/lmc --work-dir DIR

Exits 77 (skipped) when the model's weights are not there (scripts/setup.sh fetches them).
"""
import argparse
import os
import subprocess
import sys
import time
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "e2e"))
from headless_chromium import browser  # noqa: E402

GEMMA_YAML = os.path.join(SOURCE, "models", "gemma3.yaml")
GEMMA_GGUF = os.path.join(SOURCE, "models", "weights", "gemma-3-270m-q4_k_m.gguf")

ARGS = None
DRIVER = None


class ReportInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.report = os.path.join(ARGS.work_dir, "gemma3-report.html")
        if os.path.exists(cls.report):
            os.remove(cls.report)
        t0 = time.monotonic()
        # A whole compile: the kernels are generated, so the report has their code.
        r = subprocess.run([ARGS.lmc, "compile", GEMMA_YAML, "-o", os.path.join(ARGS.work_dir, "gemma3.lmc"),
                            "--report=" + cls.report], capture_output=True, text=True, timeout=240)
        assert r.returncode == 0, r.stderr
        print(f"report of Gemma 3 270M written in {time.monotonic() - t0:.1f} s "
              f"({os.path.getsize(cls.report) / 1e6:.1f} MB)", file=sys.stderr)
        cls.driver = DRIVER
        t0 = time.monotonic()
        cls.driver.get("file://" + cls.report)
        print(f"loaded by Chromium in {time.monotonic() - t0:.1f} s", file=sys.stderr)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def test_passes_are_listed(self):
        rows = self.find("table.pass-list tr.changed")
        self.assertGreater(len(rows), 3)
        self.assertTrue(rows[0].is_displayed())
        names = [a.text for a in self.find("table.pass-list a")]
        for name in ("fuse-qkv", "quant-threshold", "fold-weights", "dce"):
            self.assertIn(name, names)

    def test_a_diff_is_shown(self):
        added = self.find("details.pass[open] pre.diff span.add")
        self.assertTrue(added)
        self.assertTrue(added[0].is_displayed())
        self.assertTrue(added[0].text.startswith("+"))

    def test_a_remark_is_shown_beside_its_op(self):
        remarks = self.find("details.pass[open] li.remark")
        self.assertTrue(remarks)
        remark = remarks[0]
        self.driver.execute_script("arguments[0].scrollIntoView()", remark)
        self.assertTrue(remark.is_displayed())
        self.assertTrue(remark.text.startswith("%") or remark.text.startswith("@"), remark.text)
        ops = self.find("details.pass[open] li.remark code.remark-op")
        self.assertTrue(ops and " = " in ops[0].text, [o.text for o in ops[:3]])
        inline = self.find("details.pass[open] pre.diff span.remark-inline")
        self.assertTrue(inline and "remark:" in inline[0].text)

    def test_a_picture_is_shown(self):
        pictures = self.find("details.pass[open] img.graph")
        self.assertGreaterEqual(len(pictures), 2)
        picture = pictures[1]
        self.driver.execute_script("arguments[0].scrollIntoView()", picture)
        self.assertTrue(picture.is_displayed())
        decoded = self.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture)
        self.assertGreater(decoded, 100)
        picture.screenshot(os.path.join(ARGS.work_dir, "report-picture.png"))

    def test_a_kernels_assembly_and_llvm_ir_open(self):
        from selenium.webdriver.common.by import By
        rows = self.find("table.kernels tr.kernel")
        self.assertGreater(len(rows), 5)
        listings = self.find("table.kernels tr.code")
        self.assertEqual(len(listings), len(rows))  # every kernel was generated here
        fold = listings[0].find_element(By.CSS_SELECTOR, "details.asm")
        listing = fold.find_element(By.CSS_SELECTOR, "pre.listing")
        self.assertFalse(listing.is_displayed())  # folded until asked
        summary = fold.find_element(By.TAG_NAME, "summary")
        self.driver.execute_script("arguments[0].scrollIntoView()", summary)
        summary.click()
        self.assertTrue(listing.is_displayed())
        self.assertRegex(listing.text, r"\n\s+v?(mov|add|fmadd|pxor)\w*\s")
        listings[0].screenshot(os.path.join(ARGS.work_dir, "report-assembly.png"))
        ir = listings[0].find_element(By.CSS_SELECTOR, "details.llvm-ir")
        ir.find_element(By.TAG_NAME, "summary").click()
        self.assertIn("define ", ir.find_element(By.CSS_SELECTOR, "pre.listing").text)

    def test_nothing_is_fetched(self):
        fetched = self.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => !n.startsWith('data:') && !n.startsWith('file:'))")
        self.assertEqual(fetched, [])

    def test_zz_screenshot(self):
        self.driver.execute_script("window.scrollTo(0, 0)")
        path = os.path.join(ARGS.work_dir, "report.png")
        self.assertTrue(self.driver.save_screenshot(path))
        self.assertGreater(os.path.getsize(path), 10000)


class RunReportInBrowser(unittest.TestCase):
    def test_each_kernels_share_of_the_step(self):
        from selenium.webdriver.common.by import By
        report = os.path.join(ARGS.work_dir, "gemma3-run-report.html")
        t0 = time.monotonic()
        r = subprocess.run([ARGS.lmc, "run", GEMMA_GGUF, "-p", "The capital of France is", "-n", "4", "--profile",
                            "--report=" + report], capture_output=True, text=True, timeout=50)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        print(f"run report written in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        DRIVER.get("file://" + report)
        rows = DRIVER.find_elements(By.CSS_SELECTOR, "table.profile tr")
        self.assertGreater(len(rows), 4)  # a header and the kernels
        first = rows[1]
        DRIVER.execute_script("arguments[0].scrollIntoView()", first)
        self.assertTrue(first.is_displayed())
        share = float(first.find_elements(By.TAG_NAME, "td")[-1].text.rstrip(" %"))
        self.assertGreater(share, 1.0)
        DRIVER.find_element(By.ID, "profile").screenshot(os.path.join(ARGS.work_dir, "report-profile.png"))
        self.remarks_ranked_by_time()

    def remarks_ranked_by_time(self):
        from selenium.webdriver.common.by import By
        rows = DRIVER.find_elements(By.CSS_SELECTOR, "table.ranked-remarks tr.missed, table.ranked-remarks tr.passed")
        self.assertGreater(len(rows), 10)
        shares = [float(r.find_elements(By.TAG_NAME, "td")[0].text.rstrip(" %"))
                  for r in rows if r.find_elements(By.TAG_NAME, "td")[0].text != "—"]
        self.assertGreater(len(shares), 5)  # most remarks concern a kernel that ran
        self.assertEqual(shares, sorted(shares, reverse=True))
        passed = DRIVER.find_elements(By.CSS_SELECTOR, "table.ranked-remarks tr.passed")
        missed = DRIVER.find_elements(By.CSS_SELECTOR, "table.ranked-remarks tr.missed")
        self.assertTrue(passed and missed)
        DRIVER.find_element(By.CSS_SELECTOR, "label[for=show-missed]").click()
        self.assertFalse(any(r.is_displayed() for r in passed))
        DRIVER.execute_script("arguments[0].scrollIntoView()", missed[0])
        self.assertTrue(missed[0].is_displayed())
        DRIVER.find_element(By.ID, "remarks").screenshot(os.path.join(ARGS.work_dir, "report-remarks.png"))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--lmc", required=True)
    p.add_argument("--work-dir", required=True)
    ARGS, rest = p.parse_known_args()
    if not os.path.exists(GEMMA_GGUF):
        print(f"skipped: {GEMMA_GGUF} is missing (scripts/setup.sh fetches it)")
        return 77
    os.makedirs(ARGS.work_dir, exist_ok=True)
    global DRIVER
    DRIVER = browser(1500, 1100)
    try:
        result = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    finally:
        DRIVER.quit()
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
