"""Issue 8's MLPClassifier setting in scikit-learn: MNIST, hidden (256, 256), ReLU, adam (lr 1e-3),
batch 64, one epoch (max_iter=1, the ConvergenceWarning it raises is expected), alpha 1e-4 (the
default). Prints one JSON line: fit seconds (data loading excluded) and test accuracy."""
import json
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from mnist import load

xtr, ytr, xte, yte = load()
warnings.simplefilter('ignore', ConvergenceWarning)
clf = MLPClassifier(hidden_layer_sizes=(256, 256), solver='adam', batch_size=64, max_iter=1, random_state=0)
t0 = time.perf_counter()
clf.fit(xtr, ytr)
s = time.perf_counter() - t0
print(json.dumps({'system': 'scikit-learn', 'seconds': s, 'testAccuracy': float(clf.score(xte, yte))}))
