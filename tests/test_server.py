"""w2v serve: every route through Starlette's TestClient, refusals as one-line 4xx, and one real uvicorn process."""

from __future__ import annotations

import json
import os

import httpx
import numpy as np
import pytest
from starlette.testclient import TestClient

from w2v import SentenceEncoder, WordVectors
from w2v.vectors import server


@pytest.fixture(scope="module")
def wv():
    rng = np.random.default_rng(5)
    words = ["king", "queen", "man", "woman", "apple", "pear"] + [f"w{i}" for i in range(300)]
    return WordVectors(rng.standard_normal((len(words), 12), dtype=np.float32), words,
                       counts=np.arange(len(words), 0, -1))


@pytest.fixture(scope="module")
def client(wv):
    return TestClient(server.create_app(wv))


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def test_neighbours_get_and_post_equal_most_similar(client, wv):
    expected = [{"word": w, "score": s} for w, s in wv.most_similar(["king", "woman"], ["man"], topn=5)]
    assert ok(client.get("/api/similar", params={"positive": "king woman", "negative": "man", "topn": 5}))[
        "results"] == expected
    assert ok(client.get("/api/similar?positive=king&positive=woman&negative=man&topn=5"))["results"] == expected
    body = {"positive": ["king", "woman"], "negative": ["man"], "topn": 5}
    assert ok(client.post("/api/similar", json=body))["results"] == expected


def test_analogies_vectors_sentences_and_the_odd_one_out(client, wv):
    answer = ok(client.get("/api/analogy", params={"a": "man", "b": "king", "c": "woman", "topn": 3}))
    assert [r["word"] for r in answer["results"]] == [w for w, _ in wv.analogy("man", "king", "woman", 3,
                                                                             method="3cosadd")]
    assert ok(client.get("/api/vector", params={"word": "pear"}))["vector"] == pytest.approx(wv["pear"].tolist())
    assert np.allclose(ok(client.post("/api/vectors", json={"words": ["king", "man"]}))["vectors"],
                       wv[["king", "man"]])
    sentences = ok(client.post("/api/sentences", json={"sentences": ["king man", "nothing known here"]}))
    expected = SentenceEncoder(wv, "mean").fit_transform([["king", "man"], ["nothing", "known", "here"]])
    assert np.allclose(sentences["vectors"], expected, atol=1e-6)
    assert sentences["known_words"] == [2, 0]
    assert ok(client.get("/api/doesnt_match", params={"words": "king queen apple"}))["doesnt_match"] == \
        wv.doesnt_match(["king", "queen", "apple"])


def test_maps_are_computed_on_the_server(client, wv):
    near = ok(client.get("/api/map/neighbourhood", params={"word": "king", "topn": 8}))
    assert [p["word"] for p in near["points"]] == ["king"] + [w for w, _ in wv.most_similar("king", topn=8)]
    everything = ok(client.get("/api/map/vocabulary", params={"points": 50, "bins": 16}))
    assert len(everything["points"]) == 50 and everything["points"][0]["word"] == "king"
    assert np.array(everything["density"]).shape == (16, 16) and np.sum(everything["density"]) == len(wv)


def test_the_route_list_is_the_readme_s(client):
    listed = {(r["method"], r["path"]) for r in ok(client.get("/api"))["routes"]}
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    for method, path in listed:
        assert f"`{method} {path}`" in readme
    assert ok(client.get("/api/model"))["words"] == 306


@pytest.mark.parametrize("request_, status, words", [
    (("GET", "/api/similar?positive=dragon"), 404, "'dragon' is not in the vocabulary"),
    (("GET", "/api/analogy?a=man&b=king&c=dragon"), 404, "'dragon'"),
    (("GET", "/api/vector?word=dragon"), 404, "dragon"),
    (("GET", "/api/similar?positive=king&topn=zero"), 400, "topn must be an integer"),
    (("GET", "/api/similar?positive=king&topn=0"), 400, "topn"),
    (("GET", "/api/similar?positive=king&topn=100000"), 400, "topn"),
    (("GET", "/api/similar?positive=king&approximate=maybe"), 400, "approximate must be true or false"),
    (("GET", "/api/similar?positive=king&approximate=true"), 400, "no approximate-neighbour index"),
    (("GET", "/api/similar"), 400, "give positive"),
    (("GET", "/api/analogy?a=man&b=king&c=woman&method=magic"), 400, "method must be one of"),
    (("GET", "/api/map/vocabulary?bins=100000"), 400, "bins"),
    (("GET", "/api/doesnt_match"), 400, "give words"),
    (("POST", "/api/similar", b"{not json"), 400, "not JSON"),
    (("POST", "/api/similar", b"[1, 2]"), 400, "a JSON object"),
    (("POST", "/api/similar", b'{"positive": 3}'), 400, "a word or a list of words"),
    (("POST", "/api/sentences", b'{"sentences": "one"}'), 400, "sentences"),
    (("POST", "/api/vectors", b'{"words": ["king", "dragon"]}'), 404, "dragon"),
    (("POST", "/api/vectors", json.dumps({"words": ["king"] * 5000}).encode()), 413, "at most 1000"),
    (("POST", "/api/vectors", b" " * (server.MAX_BODY + 1)), 413, "over 1,048,576 bytes"),
    (("GET", "/api/nothing"), 404, "Not Found"),
    (("DELETE", "/api/similar"), 405, "Method Not Allowed"),
])
def test_what_cannot_be_answered_is_a_one_line_4xx(client, request_, status, words):
    method, path, *body = request_
    response = client.request(method, path, content=body[0] if body else None)
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert words in message and "\n" not in message


def test_the_page_and_its_files_come_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and "w2v explorer" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN: every file is the package's
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_a_real_server_with_two_workers_answers_as_the_library_does(tmp_path, serve, wv):
    wv.save(tmp_path / "v.npz")
    served = serve(tmp_path / "v.npz", workers=2)
    answer = httpx.get(served + "/api/similar", params={"positive": "queen", "topn": 4}).json()
    assert [(r["word"], pytest.approx(r["score"])) for r in answer["results"]] == wv.most_similar("queen", topn=4)
    assert httpx.get(served + "/api/vector", params={"word": "dragon"}).status_code == 404


def test_an_unreadable_model_stops_serve_in_one_line(tmp_path, capsys):
    from w2v.cli import main

    (tmp_path / "bad.npz").write_bytes(b"not an archive")
    assert main(["serve", str(tmp_path / "bad.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.npz" in err
