// The explorer: forms that call the JSON API (GET /api lists it) and a canvas for its 2-D maps.
"use strict";

async function api(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== "" && value !== undefined) search.append(name, value);
  }
  return search.toString();
}

function fill(table, results) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...results.map((row) => {
    const tr = document.createElement("tr");
    for (const text of [row.word, row.score.toFixed(4)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function form(id, run) {
  const errorLine = document.getElementById(id.replace("-form", "-error"));
  document.getElementById(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    try { await run(); } catch (err) { errorLine.textContent = err.message; }
  });
}

form("similar-form", async () => {
  const words = document.getElementById("similar-words").value;
  const negative = document.getElementById("similar-negative").value;
  const approximate = document.getElementById("similar-approximate").checked;
  const answer = await api("/api/similar?" + query({ positive: words, negative, topn: 10, approximate }));
  fill(document.getElementById("similar-results"), answer.results);
});

form("analogy-form", async () => {
  const [a, b, c] = ["a", "b", "c"].map((name) => document.getElementById("analogy-" + name).value);
  const answer = await api("/api/analogy?" + query({ a, b, c, topn: 10 }));
  fill(document.getElementById("analogy-results"), answer.results);
});

function scaler(xs, ys, canvas, margin) {
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (canvas.width - 2 * margin) / ((x1 - x0) || 1), sy = (canvas.height - 2 * margin) / ((y1 - y0) || 1);
  return [(x) => margin + (x - x0) * sx, (y) => canvas.height - margin - (y - y0) * sy];
}

function drawNeighbourhood(canvas, answer) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const [fx, fy] = scaler(answer.points.map((p) => p.x), answer.points.map((p) => p.y), canvas, 60);
  ctx.font = "13px sans-serif";
  answer.points.forEach((p, i) => {
    ctx.fillStyle = i === 0 ? "#c00" : "#246";
    ctx.beginPath();
    ctx.arc(fx(p.x), fy(p.y), i === 0 ? 5 : 3, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillText(p.word, fx(p.x) + 5, fy(p.y) - 4);
  });
  canvas.dataset.points = answer.points.length;
  return `${answer.word} and its ${answer.points.length - 1} nearest words, on their two principal axes`;
}

function drawVocabulary(canvas, answer) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const bins = answer.density.length;
  const peak = Math.max(1, ...answer.density.map((row) => Math.max(...row)));
  const cw = canvas.width / bins, ch = canvas.height / bins;
  answer.density.forEach((row, j) => row.forEach((count, i) => {
    if (!count) return;
    const shade = Math.round(235 - 200 * Math.log1p(count) / Math.log1p(peak));
    ctx.fillStyle = `rgb(${shade},${shade},255)`;
    ctx.fillRect(i * cw, canvas.height - (j + 1) * ch, cw + 0.5, ch + 0.5);
  }));
  const [x0, x1, y0, y1] = answer.extent;
  const fx = (x) => (x - x0) / ((x1 - x0) || 1) * canvas.width, fy = (y) => canvas.height - (y - y0) / ((y1 - y0) || 1) * canvas.height;
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#123";
  answer.points.forEach((p, i) => {
    ctx.fillRect(fx(p.x) - 1, fy(p.y) - 1, 2, 2);
    if (i < 60) ctx.fillText(p.word, fx(p.x) + 3, fy(p.y) - 3);
  });
  canvas.dataset.points = answer.points.length;
  return `all ${answer.words.toLocaleString()} words (density) and the ${answer.points.length.toLocaleString()} most frequent, on the vocabulary's two principal axes`;
}

form("map-form", async () => {
  const canvas = document.getElementById("map");
  const word = document.getElementById("map-word").value.trim();
  const caption = word
    ? drawNeighbourhood(canvas, await api("/api/map/neighbourhood?" + query({ word, topn: 30 })))
    : drawVocabulary(canvas, await api("/api/map/vocabulary?" + query({ points: 2000, bins: 128 })));
  document.getElementById("map-caption").textContent = caption;
});

api("/api/model").then((model) => {
  document.getElementById("model").textContent =
    `${model.words.toLocaleString()} words, ${model.dimensions} dimensions` + (model.approximate ? ", indexed" : "");
}).catch((err) => { document.getElementById("model").textContent = err.message; });
