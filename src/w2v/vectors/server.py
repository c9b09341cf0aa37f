"""``w2v serve``: the vectors' queries as a JSON API, and a page to explore them (Starlette; the ``serve`` extra).

Every route answers JSON; a request the vectors cannot answer (an unknown word, bad JSON, a
bad parameter, a body over ``MAX_BODY`` bytes) gets a 4xx whose body is ``{"error": "one
line"}``. :data:`ROUTES` lists them with their parameters (the README shows the same list).
Each worker process maps the model read-only (``w2v.load(..., mmap=True)`` for a w2v
``.npz``), so the workers share one copy of the vectors (and of a neighbour index).
"""

from __future__ import annotations

import json
import os
import warnings
from importlib import resources
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import EmptySentenceWarning, UnknownWordError, W2VError, check_integer
from .projection import VocabularyMap, principal_axes, project
from .scoring import ANALOGY_METHODS
from .sentences import SentenceEncoder
from .word_vectors import WordVectors, load

MODEL_VARIABLE = "W2V_SERVE_MODEL"  # how `w2v serve` tells its worker processes which model to map
MAX_BODY = 1 << 20  # bytes of a request body
MAX_TOPN = 1000
MAX_WORDS = 1000  # words (or sentences) in one request
MAX_MAP_POINTS = 100_000
MAX_BINS = 512

# (method, path, parameters): the API, as GET /api and the README list it.
ROUTES = [
    ("GET", "/api", "this list"),
    ("GET", "/api/model", "words, dimensions, whether a neighbour index is there"),
    ("GET", "/api/similar", "positive=WORD (repeat, or words separated by spaces), negative=WORD..., topn=10, "
                            "approximate=false"),
    ("POST", "/api/similar", '{"positive": [...], "negative": [...], "topn": 10, "approximate": false}'),
    ("GET", "/api/analogy", "a, b, c (a : b = c : ?), topn=10, method=3cosadd|3cosmul|book"),
    ("GET", "/api/vector", "word"),
    ("POST", "/api/vectors", '{"words": [...]}'),
    ("POST", "/api/sentences", '{"sentences": ["text", ...]}: mean vectors of their words'),
    ("GET", "/api/doesnt_match", "words=WORD (repeat, or separated by spaces)"),
    ("GET", "/api/map/neighbourhood", "word, topn=30: the word and its neighbours on their 2 principal axes"),
    ("GET", "/api/map/vocabulary", "points=2000 (the most frequent words' coordinates), bins=128 (a density "
                                   "grid of every word) on the vocabulary's 2 principal axes"),
]


class BadRequest(W2VError):
    """A request the API refuses; ``status`` is its HTTP status (400 unless said)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class Params:
    """A request's parameters: its JSON body's fields (POST) or its query string's (GET)."""

    def __init__(self, query: Any, body: dict[str, Any] | None):
        self.query, self.body = query, body

    def words(self, name: str, *, required: bool = True) -> list[str]:
        if self.body is not None:
            value = self.body.get(name, [])
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
                raise BadRequest(f"{name} must be a word or a list of words")
            words = value
        else:
            words = [word for field in self.query.getlist(name) for word in field.split()]
        if required and not words:
            raise BadRequest(f"give {name}")
        if len(words) > MAX_WORDS:
            raise BadRequest(f"{name}: at most {MAX_WORDS} words, not {len(words)}", 413)
        return words

    def word(self, name: str) -> str:
        value = self.body.get(name) if self.body is not None else self.query.get(name)
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"give {name} (a word)")
        return value.strip()

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.body.get(name, default) if self.body is not None else self.query.get(name, default)
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise BadRequest(f"{name} must be an integer in {low}..{high}, not {value!r}") from None
        try:
            check_integer(name, value, low=low, high=high)
        except ValueError as err:
            raise BadRequest(str(err)) from None
        return int(value)

    def flag(self, name: str) -> bool:
        value = self.body.get(name, False) if self.body is not None else self.query.get(name, "false")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "1", "false", "0", ""):
            return value.lower() in ("true", "1")
        raise BadRequest(f"{name} must be true or false, not {value!r}")

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.body.get(name, default) if self.body is not None else self.query.get(name, default)
        if value not in choices:
            raise BadRequest(f"{name} must be one of {', '.join(choices)}, not {value!r}")
        return value


class Explorer:
    """What the routes answer from: the vectors and their vocabulary map (made on first use)."""

    def __init__(self, wv: WordVectors):
        self.wv = wv
        self._map: VocabularyMap | None = None

    @property
    def vocabulary_map(self) -> VocabularyMap:
        if self._map is None:
            self._map = VocabularyMap(self.wv.vectors)
        return self._map

    def model(self, params: Params) -> dict[str, Any]:
        try:
            has_index = bool(self.wv.neighbour_index)
        except W2VError:
            has_index = False
        return {"words": len(self.wv), "dimensions": self.wv.vector_size, "approximate": has_index,
                "most_frequent": self.wv.index_to_key[:10]}

    def similar(self, params: Params) -> dict[str, Any]:
        positive, negative = params.words("positive", required=False), params.words("negative", required=False)
        if not positive and not negative:
            raise BadRequest("give positive (or negative) words")
        topn = params.integer("topn", 10, 1, MAX_TOPN)
        rows = self.wv.most_similar(positive, negative, topn=topn, approximate=params.flag("approximate"))
        return {"positive": positive, "negative": negative, "results": _results(rows)}

    def analogy(self, params: Params) -> dict[str, Any]:
        a, b, c = (params.word(name) for name in "abc")
        method = params.choice("method", "3cosadd", ANALOGY_METHODS)
        rows = self.wv.analogy(a, b, c, topn=params.integer("topn", 10, 1, MAX_TOPN), method=method)
        return {"a": a, "b": b, "c": c, "method": method, "results": _results(rows)}

    def vector(self, params: Params) -> dict[str, Any]:
        word = params.word("word")
        return {"word": word, "vector": self.wv[word].tolist()}

    def vectors(self, params: Params) -> dict[str, Any]:
        words = params.words("words")
        return {"words": words, "vectors": self.wv[words].tolist()}

    def sentences(self, params: Params) -> dict[str, Any]:
        sentences = params.body.get("sentences") if params.body is not None else None
        if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) for s in sentences):
            raise BadRequest('give {"sentences": ["text", ...]}')
        if len(sentences) > MAX_WORDS:
            raise BadRequest(f"at most {MAX_WORDS} sentences, not {len(sentences)}", 413)
        tokens = [sentence.split() for sentence in sentences]
        known = [sum(word in self.wv for word in words) for words in tokens]
        with warnings.catch_warnings():  # a sentence without a known word is answered with zeros and known_words 0
            warnings.simplefilter("ignore", EmptySentenceWarning)
            vectors = SentenceEncoder(self.wv, "mean").fit_transform(tokens)  # the mean fits nothing
        return {"vectors": vectors.tolist(), "known_words": known}

    def doesnt_match(self, params: Params) -> dict[str, Any]:
        words = params.words("words")
        return {"words": words, "doesnt_match": self.wv.doesnt_match(words)}

    def neighbourhood(self, params: Params) -> dict[str, Any]:
        word = params.word("word")
        rows = self.wv.most_similar(word, topn=params.integer("topn", 30, 1, MAX_TOPN))
        words = [word] + [other for other, _ in rows]
        vectors = self.wv[words]
        mean, axes = principal_axes(vectors)
        points = project(vectors, mean, axes)
        return {"word": word, "points": [{"word": w, "x": float(x), "y": float(y), "cosine": float(s)}
                                         for w, (x, y), s in zip(words, points.tolist(), [1.0] + [s for _, s in rows])]}

    def vocabulary(self, params: Params) -> dict[str, Any]:
        count = params.integer("points", 2000, 0, MAX_MAP_POINTS)
        bins = params.integer("bins", 128, 1, MAX_BINS)
        where = self.vocabulary_map
        density, extent = where.density(bins)
        shown = where.points[:count]
        return {"words": len(self.wv), "extent": extent, "density": density.tolist(),
                "points": [{"word": w, "x": x, "y": y} for w, (x, y) in zip(self.wv.index_to_key, shown.tolist())]}

    def routes(self, params: Params) -> dict[str, Any]:
        return {"routes": [{"method": method, "path": path, "parameters": about} for method, path, about in ROUTES]}


def _results(rows: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"word": word, "score": score} for word, score in rows]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object; BadRequest (413) past MAX_BODY bytes, (400) if it is not a JSON object."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(f"the body is over {MAX_BODY:,} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(f"the body is over {MAX_BODY:,} bytes", 413)
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadRequest(f"the body is not JSON ({err})") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _endpoint(answer: Callable[[Params], dict[str, Any]]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> JSONResponse:
        try:
            body = await _body(request) if request.method == "POST" else None
            return JSONResponse(await run_in_threadpool(answer, Params(request.query_params, body)))
        except BadRequest as err:
            return _error(err.status, str(err))
        except UnknownWordError as err:
            return _error(404, str(err))
        except (W2VError, ValueError, TypeError) as err:
            return _error(400, str(err))

    return endpoint


def create_app(wv: WordVectors) -> Starlette:
    """The Starlette application serving ``wv``: the API (:data:`ROUTES`) and the explorer page at ``/``."""
    explorer = Explorer(wv)
    static = resources.files("w2v.vectors") / "static"
    answers = {"/api": explorer.routes, "/api/model": explorer.model, "/api/analogy": explorer.analogy,
               "/api/vector": explorer.vector, "/api/vectors": explorer.vectors, "/api/sentences": explorer.sentences,
               "/api/doesnt_match": explorer.doesnt_match, "/api/map/neighbourhood": explorer.neighbourhood,
               "/api/map/vocabulary": explorer.vocabulary}
    routes = [Route("/api/similar", _endpoint(explorer.similar), methods=["GET", "POST"])]
    for method, path, _ in ROUTES:
        if path in answers:
            routes.append(Route(path, _endpoint(answers[path]), methods=[method]))

    async def page(request: Request) -> FileResponse:
        return FileResponse(str(static / "index.html"))

    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        return _error(err.status_code, err.detail)

    routes += [Route("/", page), Mount("/static", StaticFiles(directory=str(static)), name="static")]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def app_from_environment() -> Starlette:
    """The application of the model named by ``W2V_SERVE_MODEL``, mapped read-only where its format allows
    (uvicorn's factory for every worker process)."""
    path = os.environ[MODEL_VARIABLE]
    return create_app(load(path, mmap=path.lower().endswith(".npz")))

