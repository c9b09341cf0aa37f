"""The explorer page in a real headless browser: Debian's Chromium, driven by Selenium, against ``w2v serve``.

CI installs the browser (``apt-get install chromium chromium-driver`` in ``.ci/run``);
``W2V_EXPLORER_SCREENSHOT=docs/explorer.png`` also saves the page as the README shows it (with
``W2V_EXPLORER_MODEL`` and ``W2V_EXPLORER_WORD``, of a trained model).
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from w2v import WordVectors
from w2v.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if CHROMIUM is None or DRIVER is None:  # a system package, not a Python one: .ci/run installs it
    pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
                allow_module_level=True)


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1500"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def model(tmp_path):
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((8, 16), dtype=np.float32)
    vectors = centres[np.arange(400) % 8] + 0.6 * rng.standard_normal((400, 16), dtype=np.float32)
    words = [f"{name}{i // 8}" for i, name in zip(range(400), ["king", "apple", "river", "song", "blue", "run",
                                                               "seven", "stone"] * 50)]
    path = tmp_path / "v.npz"
    WordVectors(vectors, words, counts=np.arange(400, 0, -1)).save(path)
    return os.environ.get("W2V_EXPLORER_MODEL", str(path))


def wait(driver, condition, seconds=60):
    return WebDriverWait(driver, seconds).until(lambda _: condition())


def test_the_page_shows_w2v_similar_s_neighbours_and_draws_both_maps(browser, serve, model, capsys):
    url = serve(model)
    browser.get(url + "/")
    wait(browser, lambda: "words" in browser.find_element(By.ID, "model").text)
    assert main(["similar", model, os.environ.get("W2V_EXPLORER_WORD", "king3"), "--topn", "10", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)[0]
    browser.find_element(By.ID, "similar-words").send_keys(expected["query"])
    browser.find_element(By.CSS_SELECTOR, "#similar-form button").click()
    rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#similar-results tbody tr")  # noqa: E731
    wait(browser, lambda: len(rows()) == 10)
    shown = [row.find_elements(By.TAG_NAME, "td")[0].text for row in rows()]
    assert shown == [result["word"] for result in expected["results"]]

    browser.find_element(By.CSS_SELECTOR, "#map-form button").click()  # no word: the whole vocabulary
    wait(browser, lambda: "most frequent" in browser.find_element(By.ID, "map-caption").text)
    assert int(browser.find_element(By.ID, "map").get_attribute("data-points")) > 0
    painted = browser.execute_script(
        "const c = document.getElementById('map'); const d = c.getContext('2d').getImageData(0, 0, c.width, "
        "c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n;")
    assert painted > 1000

    browser.find_element(By.ID, "map-word").send_keys(expected["query"])
    browser.find_element(By.CSS_SELECTOR, "#map-form button").click()
    wait(browser, lambda: "nearest words" in browser.find_element(By.ID, "map-caption").text)
    assert int(browser.find_element(By.ID, "map").get_attribute("data-points")) == 31

    browser.find_element(By.ID, "analogy-a").send_keys("dragon")
    for name, text in (("b", "king"), ("c", "apple")):
        browser.find_element(By.ID, f"analogy-{name}").send_keys(text)
    browser.find_element(By.CSS_SELECTOR, "#analogy-form button").click()
    wait(browser, lambda: "not in the vocabulary" in browser.find_element(By.ID, "analogy-error").text)
    if os.environ.get("W2V_EXPLORER_SCREENSHOT"):
        browser.save_screenshot(os.environ["W2V_EXPLORER_SCREENSHOT"])
