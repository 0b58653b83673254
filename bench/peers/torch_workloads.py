"""K1, W1-W5 (shared/workloads.md) in PyTorch; prints one JSON line per workload.
Usage: python3 torch_workloads.py [w1|w2|w3|w4|w5|w5b1|k1|check5k]"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

from mnist import load

torch.set_num_threads(1)  # fastest here: 1 torch thread, OpenBLAS's own threads
xtr, ytr, xte, yte = load()
Xtr, Ytr, Xte, Yte = map(torch.from_numpy, (xtr, ytr, xte, yte))


def acc(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def classification_epoch(name, model, opt, x, y, xte):
    """The timed part W1, W3 and W4 share: one shuffled epoch of cross-entropy in batches of 64."""
    loss_fn = nn.CrossEntropyLoss()
    n = len(x)
    perm = torch.randperm(n)
    t0 = time.perf_counter()
    for i in range(0, n, 64):
        idx = perm[i:i + 64]
        loss = loss_fn(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    s = time.perf_counter() - t0
    return {'workload': name, 'seconds': s, 'samplesPerSec': n / s, 'testAccuracy': acc(model, xte, Yte)}


def w1():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return classification_epoch('W1', model, opt, Xtr, Ytr, Xte)


def w2():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 16), nn.Tanh(), nn.Linear(16, 10), nn.Sigmoid())
    for p in model.parameters():
        nn.init.uniform_(p, -0.5, 0.5)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = Xtr[:1000]
    y = torch.nn.functional.one_hot(Ytr[:1000], 10).float()
    t0 = time.perf_counter()
    for _ in range(10):
        for i in range(1000):
            loss = ((model(x[i:i + 1]) - y[i:i + 1]) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    s = time.perf_counter() - t0
    return {'workload': 'W2', 'seconds': s, 'samplesPerSec': 10000 / s, 'testAccuracy': acc(model, Xtr[1000:2000], Ytr[1000:2000])}


def w3():
    """The seed's Mnist_CNN, SGD momentum 0.9 lr 0.01, batch 64 (shuffled), one epoch over the first
    10,000 training images."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(200, 50), nn.ReLU(), nn.Linear(50, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return classification_epoch('W3', model, opt, Xtr[:10000].reshape(-1, 1, 28, 28), Ytr[:10000], Xte.reshape(-1, 1, 28, 28))


def w4():
    """LSTM over MNIST rows (28 steps x 28 pixels, batch_first), hidden 128, last hidden -> Linear 10,
    cross-entropy, Adam 1e-3, batch 64 (shuffled), one epoch over the first 10,000 training images."""
    torch.manual_seed(0)

    class RowLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 128, batch_first=True)
            self.fc = nn.Linear(128, 10)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.fc(h[-1])

    model = RowLSTM()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return classification_epoch('W4', model, opt, Xtr[:10000].reshape(-1, 28, 28), Ytr[:10000], Xte.reshape(-1, 28, 28))


W5_PASSES = 5  # as bench/workloads.ts


def w5_at(name, batch):
    """W5: inference of W1's network (as initialised; the cost does not depend on the weights) over the
    10,000 test images in batches of `batch`, no gradients; one warm-up pass, then the median of
    W5_PASSES timed passes (as bench/workloads.ts)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).eval()
    batches = [Xte[i:i + batch] for i in range(0, len(Xte), batch)]
    passes = []
    with torch.no_grad():
        for xb in batches:
            model(xb)
        for _ in range(W5_PASSES):
            t0 = time.perf_counter()
            for xb in batches:
                model(xb)
            passes.append(time.perf_counter() - t0)
    s = statistics.median(passes)
    return {'workload': name, 'seconds': s, 'samplesPerSec': len(Xte) / s, 'testAccuracy': None}


def w5():
    return w5_at('W5', 1000)


def w5b1():
    return w5_at('W5b1', 1)


def k1():
    """K1: fp32 GEMM n in {64, 256, 1024} through torch.mm (OpenBLAS with its own threads; the caller
    sets OPENBLAS_NUM_THREADS=1 for the 1-thread figures)."""
    import os
    threads = int(os.environ.get('OPENBLAS_NUM_THREADS', '2'))
    out = []
    for n in (64, 256, 1024):
        a = torch.rand(n, n) - 0.5
        b = torch.rand(n, n) - 0.5
        reps = max(1, round(0.2 / (2 * n ** 3 / 200e9)))
        torch.mm(a, b)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(reps):
                torch.mm(a, b)
            times.append((time.perf_counter() - t0) / reps)
        times.sort()
        out.append({'n': n, 'threads': threads, 'gflops': 2 * n ** 3 / times[2] / 1e9})
    return {'workload': 'K1', 'results': out}


def check5k():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for e in range(5):
        perm = torch.randperm(5000)
        tot = 0
        for i in range(0, 5000, 32):
            idx = perm[i:i + 32]
            loss = nn.functional.cross_entropy(model(Xtr[idx]), Ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step(); tot += loss.item() * len(idx)
        print(e + 1, tot / 5000, file=sys.stderr)
    return {'workload': 'check5k', 'testAccuracy': acc(model, Xte[:1000], Yte[:1000])}


for name in sys.argv[1:] or ['w1', 'w2']:
    print(json.dumps(globals()[name]()), flush=True)
