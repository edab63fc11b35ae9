"""Headless Chromium for the tests that look at a page in a real browser (lmc serve's chat
page, the compile report): Debian's chromium driven by selenium through Debian's
chromedriver (scripts/setup.sh installs all three)."""

CHROMEDRIVER = "/usr/bin/chromedriver"


def browser(width, height):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver
