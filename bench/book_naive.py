"""The book's chapter-4 training step, re-implemented naively for timing comparisons.

This follows the structure of Deep Learning from Scratch 2's ``ch04`` code on purpose,
slow parts included: one Embedding layer object per context word and per negative, each
zeroing and scatter-adding into its own dense (V, H) gradient; one ``random.choice`` per
batch row to draw negatives; merging the gradients of shared weights with an O(n^2) scan;
and Adam over the full matrices with temporaries. It is a benchmark baseline, not part of
the package.
"""

from __future__ import annotations

import numpy as np


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        target_W = self.embed.forward(idx)
        self.cache = (h, target_W)
        return np.sum(target_W * h, axis=1)

    def backward(self, dout):
        h, target_W = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        self.embed.backward(dout * h)
        return dout * target_W


class SigmoidWithLoss:
    def __init__(self):
        self.y = self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        p = np.where(t == 1, self.y, 1 - self.y)
        return -np.sum(np.log(p + 1e-7)) / len(t)

    def backward(self, dout=1):
        return (self.y - self.t) * dout / len(self.t)


class UnigramSampler:
    def __init__(self, counts, power, sample_size):
        p = counts.astype(np.float64) ** power
        self.p = p / p.sum()
        self.vocab_size = len(counts)
        self.sample_size = sample_size

    def get_negative_sample(self, target):
        out = np.zeros((len(target), self.sample_size), dtype=np.int32)
        for i, t in enumerate(target):  # one choice() per row: the book's CPU path
            p = self.p.copy()
            p[t] = 0
            p /= p.sum()
            out[i] = np.random.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)  # noqa: NPY002 (the book's call)
        return out


class NegativeSamplingLoss:
    def __init__(self, W, counts, power=0.75, sample_size=5):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(counts, power, sample_size)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params, self.grads = [], []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h, target):
        negative = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(len(target), dtype=np.int32))
        zeros = np.zeros(len(target), dtype=np.int32)
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative[:, i])
            loss += self.loss_layers[1 + i].forward(score, zeros)
        return loss

    def backward(self, dout=1):
        dh = 0
        for l0, l1 in zip(self.loss_layers, self.embed_dot_layers):
            dh += l1.backward(l0.backward(dout))
        return dh


def _init(V, H, rng):
    return (0.01 * rng.standard_normal((V, H))).astype("f"), (0.01 * rng.standard_normal((V, H))).astype("f")


class CBOW:
    def __init__(self, V, H, window, counts, rng):
        W_in, W_out = _init(V, H, rng)
        self.in_layers = [Embedding(W_in) for _ in range(2 * window)]
        self.ns_loss = NegativeSamplingLoss(W_out, counts)
        self.params, self.grads = [], []
        for layer in self.in_layers + [self.ns_loss]:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, contexts, target):
        h = sum(layer.forward(contexts[:, i]) for i, layer in enumerate(self.in_layers))
        h *= 1 / len(self.in_layers)
        return self.ns_loss.forward(h, target)

    def backward(self, dout=1):
        dout = self.ns_loss.backward(dout) * (1 / len(self.in_layers))
        for layer in self.in_layers:
            layer.backward(dout)


class SkipGram:
    def __init__(self, V, H, window, counts, rng):
        W_in, W_out = _init(V, H, rng)
        self.in_layer = Embedding(W_in)
        self.loss_layers = [NegativeSamplingLoss(W_out, counts) for _ in range(2 * window)]
        self.params, self.grads = [], []
        for layer in [self.in_layer] + self.loss_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, contexts, target):
        h = self.in_layer.forward(target)
        return sum(layer.forward(h, contexts[:, i]) for i, layer in enumerate(self.loss_layers))

    def backward(self, dout=1):
        dh = sum(layer.backward(dout) for layer in self.loss_layers)
        self.in_layer.backward(dh)


def remove_duplicate(params, grads):
    params, grads = params[:], grads[:]
    while True:
        found = False
        L = len(params)
        for i in range(L - 1):
            for j in range(i + 1, L):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    found = True
                    params.pop(j)
                    grads.pop(j)
                    break
            if found:
                break
        if not found:
            return params, grads


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for i in range(len(params)):
            self.m[i] += (1 - self.beta1) * (grads[i] - self.m[i])
            self.v[i] += (1 - self.beta2) * (grads[i] ** 2 - self.v[i])
            params[i] -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)


def train_step(model, optimizer, contexts, target):
    loss = model.forward(contexts, target)
    model.backward()
    params, grads = remove_duplicate(model.params, model.grads)
    optimizer.update(params, grads)
    return loss
