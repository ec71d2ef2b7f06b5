"""scikit-learn's side of `npm run bench -- classify`: TF-IDF features and logistic
regression / multinomial naive Bayes on the texts and split the bench writes.

Usage: /usr/bin/python3 bench/python/classify_sklearn.py DATA.json
DATA.json: {"texts": [...], "labels": [...], "train": [indices], "test": [indices],
            "features": {"word": [min_n, max_n] | null, "char": [min_n, max_n] | null,
                         "minDf": int, "sublinearTf": bool},
            "C": float, "alpha": float}
Prints one JSON line per model: impl, model, f1, accuracy, auc, trainSeconds,
featureSeconds (TF-IDF fit + transform of the training texts), fitSeconds, features,
trainCpuSeconds (processor time of the process, all threads, for feature fit + model fit).
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.naive_bayes import MultinomialNB

warnings.filterwarnings("ignore")
data = json.load(open(sys.argv[1]))
texts = data["texts"]
y = np.array(data["labels"])
train, test = data["train"], data["test"]
f = data["features"]


def vectorizers():
    out = []
    if f.get("word"):
        out.append(TfidfVectorizer(analyzer="word", ngram_range=tuple(f["word"]), min_df=f["minDf"], sublinear_tf=f["sublinearTf"], dtype=np.float64))
    if f.get("char"):
        out.append(TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(f["char"]), min_df=f["minDf"], sublinear_tf=f["sublinearTf"], dtype=np.float64))
    return out


t0 = time.perf_counter()
c0 = time.process_time()
vs = vectorizers()
x_train = sp.hstack([v.fit_transform([texts[i] for i in train]) for v in vs]).tocsr()
feature_seconds = time.perf_counter() - t0
feature_cpu = time.process_time() - c0
x_test = sp.hstack([v.transform([texts[i] for i in test]) for v in vs]).tocsr()
y_train, y_test = y[train], y[test]

models = {
    "logreg": lambda: LogisticRegression(C=data["C"], max_iter=1000),
    "nb": lambda: MultinomialNB(alpha=data["alpha"]),
}
for name, make in models.items():
    t1 = time.perf_counter()
    c1 = time.process_time()
    model = make().fit(x_train, y_train)
    fit_seconds = time.perf_counter() - t1
    fit_cpu = time.process_time() - c1
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    print(json.dumps({
        "impl": f"scikit-learn {sklearn.__version__}",
        "model": name,
        "f1": f1_score(y_test, pred),
        "accuracy": accuracy_score(y_test, pred),
        "auc": roc_auc_score(y_test, proba),
        "trainSeconds": feature_seconds + fit_seconds,
        "featureSeconds": feature_seconds,
        "fitSeconds": fit_seconds,
        "trainCpuSeconds": feature_cpu + fit_cpu,
        "features": x_train.shape[1],
        "iterations": int(np.max(getattr(model, "n_iter_", [0]))),
    }), flush=True)
