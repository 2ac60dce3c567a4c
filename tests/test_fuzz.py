"""dlmath の公開関数の約束(issue 11、dlmath/_validation.py の docstring)を、まちがった入力を作って確かめる。

約束: どの公開関数も、正しい有限の結果を返すか、ValueError(値や形)か TypeError(型)を送出し、そのメッセージは
引数の名前を書く。渡された配列は書き換えない。

公開関数はパッケージのモジュールをたどって集めるので(_ で始まらない名前の関数・クラスと、公開クラスの公開メソッド)、
新しい関数を足すと、下の表 VALID に正しい引数の作り方を書くまで test_every_public_function_has_valid_arguments が
失敗します。まちがった入力は、その正しい引数を 1 つだけ変えて作ります(hypothesis)。変え方には 3 種類あります。

- same: 同じ値の別の書き方(リスト、オブジェクトの配列、NumPy のスカラー)。結果は元と同じでなければならない。
- reject: 断らなければならない値(NaN、inf、複素数、文字列、None、空の配列、数の代わりの bool ...)。
- any: 形や大きさを変えた値。断るか、有限の結果を返すか(約束だけを確かめる)。
"""

import dataclasses
import importlib
import inspect
import math
import os
import pkgutil
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.animation import FuncAnimation

import dlmath
from dlmath import DivergenceError, activations, layers, linear, logistic, multiclass, network, preprocess
from dlmath.data import load_iris
from dlmath.errors import check_divergence
from dlmath.numdiff import numerical_derivative
from dlmath.optimizers import SGD, Adam, Momentum, RMSProp
from dlmath.preprocess import add_dummy, one_hot
from dlmath.probability import normal_logpdf
from dlmath.network import minibatches, train_network
from dlmath.training import train

MODULES = [importlib.import_module(f"dlmath.{info.name}") for info in pkgutil.iter_modules(dlmath.__path__)
           if not info.name.startswith("_")]
# CI では毎回同じ例(derandomize)。DLMATH_FUZZ_EXAMPLES=500 のように数を指定すると、乱数で多くの例を試す。
_EXAMPLES = int(os.environ.get("DLMATH_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_EXAMPLES or 40, derandomize=not _EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def public_api():
    """{"module.name" または "module.Class.method": オブジェクト}。そのモジュールで定義されたものだけ。"""
    found = {}
    for module in MODULES:
        short = module.__name__.split(".", 1)[1]
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"{short}.{name}"] = obj
            if inspect.isclass(obj):
                for method, member in vars(obj).items():
                    if not method.startswith("_") and callable(member):
                        found[f"{short}.{name}.{method}"] = member
    return found


# ---- 正しい引数の表 --------------------------------------------------------------------------------------------
# 各項目は、呼ぶもの(関数・束縛メソッド・クラス)と、すべての引数を名前付きで返す関数(呼ぶたびに新しく作る)。


def _data():
    rng = np.random.default_rng(0)
    x = add_dummy(rng.normal(size=(5, 2)))
    return {
        "x": x, "yt_real": rng.normal(size=5), "w": rng.normal(size=3), "yt_binary": np.array([0.0, 1.0, 1.0, 0.0, 1.0]),
        "yt_onehot": one_hot([0, 1, 2, 1, 0], 3), "W": rng.normal(size=(3, 3)),
        "weights": [rng.normal(size=(3, 4)), rng.normal(size=(5, 3))],
    }


def _forward_outputs():
    d = _data()
    yp, cache = network.forward(d["x"], d["weights"], "relu", 0.3, np.random.default_rng(1))
    return d, yp, cache


def _history():
    return linear.History(np.array([3.0, 2.0, 1.5]), np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]))


def _optimizer_update(make):
    """一度 update したあと(覚えている値がある状態)の optimizer.update の引数と、optimizer.update。"""
    optimizer = make()
    weights = [np.full((2, 3), 0.5), np.array([1.0, -2.0])]
    optimizer.update(weights, [np.ones((2, 3)), np.ones(2)])
    return {"weights": weights, "grads": [np.full((2, 3), 0.1), np.array([0.3, -0.2])]}, optimizer.update


def _backward_arguments():
    d, yp, cache = _forward_outputs()
    return {"yt": d["yt_onehot"], "weights": d["weights"], "yp": yp, "cache": cache, "activation": "relu", "lam": 0.1}


_ANIMATION = []


def _animation():
    if not _ANIMATION:
        fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
        (line,) = ax.plot([0, 1], [0, 1])
        _ANIMATION.append(FuncAnimation(fig, lambda i: (line.set_ydata([0, i]),), frames=2))
        plt.close(fig)
    return _ANIMATION[0]


def _square(v):
    return float(np.sum(np.asarray(v) ** 2))


def _network_training():
    d = _data()
    x, yt = np.vstack([d["x"], d["x"][:1]]), np.vstack([d["yt_onehot"], d["yt_onehot"][:1]])
    return {"x": x, "yt": yt, "weights": d["weights"], "optimizer": SGD(0.1), "epochs": 2, "batch_size": 3,
            "rng": np.random.default_rng(2), "activation": "relu", "lam": 0.01, "dropout": 0.2,
            "test": (d["x"], d["yt_onehot"]), "valid": (d["x"], d["yt_onehot"]), "patience": 1}


# dlmath.layers の層: 名前、forward に渡す入力(重みの層は _data() の x)
_LAYERS = ("Affine", "Dummy", "ReLU", "Sigmoid", "Tanh", "Dropout")


def _make_layer(name):
    if name == "Affine":
        return layers.Affine(_data()["weights"][0])
    if name == "Dropout":
        return layers.Dropout(0.3, np.random.default_rng(1))
    return getattr(layers, name)()


def _layer_input(name):
    return _data()["x"] if name == "Affine" else np.array([[-1.0, 0.5, 2.0], [0.0, 3.0, -0.2]])


def _layer_backward(name):
    """forward した後の層の backward と、その出力と同じ形の dout。"""
    layer = _make_layer(name)
    out = layer.forward(_layer_input(name))
    return {"dout": np.linspace(-1.0, 1.0, out.size).reshape(out.shape)}, layer.backward


def _softmax_layer_after_forward():
    layer = layers.SoftmaxWithCrossEntropy()
    layer.forward(_data()["x"] @ _data()["W"], _data()["yt_onehot"])
    return layer


def _stack_backward_arguments():
    stack = layers.make_layers(_data()["weights"])
    u = layers.stack_forward(stack, _data()["x"])
    return {"layers": stack, "dout": np.full(u.shape, 0.1)},


VALID = {
    "activations.sigmoid": lambda: ({"u": np.array([-800.0, -1.0, 0.0, 2.0])},),
    "activations.sigmoid_derivative": lambda: ({"u": np.array([-3.0, 0.0, 2.0])},),
    "activations.relu": lambda: ({"u": np.array([[-1.0, 0.0], [2.0, 3.0]])},),
    "activations.relu_derivative": lambda: ({"u": np.array([-1.0, 0.0, 2.0])},),
    "activations.softmax": lambda: ({"u": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])},),
    "activations.softmax_jacobian": lambda: ({"u": np.array([1.0, 2.0, 0.5])},),
    "activations.log_softmax": lambda: ({"u": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])},),
    "curvature.linear_hessian": lambda: ({"x": _data()["x"]},),
    "curvature.logistic_hessian": lambda: ({"x": _data()["x"], "w": _data()["w"]},),
    "curvature.curvatures": lambda: ({"hessian": np.array([[2.0, 1.0], [1.0, 3.0]])},),
    "curvature.condition_number": lambda: ({"hessian": np.array([[2.0, 1.0], [1.0, 3.0]])},),
    "curvature.step_factor": lambda: ({"hessian": np.array([[2.0, 1.0], [1.0, 3.0]]), "alpha": 0.3},),
    "curvature.best_alpha": lambda: ({"hessian": np.array([[2.0, 1.0], [1.0, 3.0]])},),
    "data.load_height_weight": lambda: ({},),
    "data.load_iris": lambda: ({"classes": (0, 1), "features": (0, 2)},),
    "data.load_digits": lambda: ({},),
    "data.load_diabetes": lambda: ({"features": (2, 3)},),
    "descent.gradient_descent": lambda: ({"gradient": lambda w: 2 * w, "w": np.array([1.0, -2.0]), "alpha": 0.1,
                                          "iters": 3},),
    "errors.check_divergence": lambda: ({"losses": np.array([1.0, 0.9, 0.8]), "k": 2, "alpha": 0.1, "factor": 1000.0, "steps": "回更新"},),
    "errors.diverged": lambda: ({"alpha": 0.1, "k": 3, "first": 1.0, "current": 5.0, "quantity": "損失", "steps": "エポック学習"},),
    "information.information_content": lambda: ({"p": np.array([1.0, 0.5, 0.125])},),
    "information.entropy": lambda: ({"p": np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])},),
    "information.cross_entropy": lambda: ({"p": np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]),
                                           "q": np.array([[0.1, 0.6, 0.3], [0.25, 0.5, 0.25]])},),
    "information.kl_divergence": lambda: ({"p": np.array([[0.2, 0.3, 0.5], [0.0, 1.0, 0.0]]),
                                           "q": np.array([[0.1, 0.6, 0.3], [0.25, 0.5, 0.25]])},),
    "information.empirical_conditional": lambda: ({"x": _data()["x"][[0, 1, 0, 2, 1]], "yt": _data()["yt_onehot"]},),
    "linear.predict": lambda: ({"x": _data()["x"], "w": _data()["w"]},),
    "linear.loss": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"], "w": _data()["w"]},),
    "linear.gradient": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"], "w": _data()["w"]},),
    "linear.step": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"], "w": _data()["w"], "alpha": 0.1},),
    "linear.History": lambda: ({"loss": np.array([3.0, 2.0]), "w": np.array([[0.1, 0.2], [0.3, 0.4]])},),
    "linear.History.line": lambda: ({"k": 1}, _history().line),
    "linear.History.table": lambda: ({"head": 1, "tail": 1}, _history().table),
    "linear.fit": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"], "w": _data()["w"], "alpha": 0.1, "iters": 3},),
    "linear.normal_equation": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"]},),
    "logistic.predict": lambda: ({"x": _data()["x"], "w": _data()["w"]},),
    "logistic.loss": lambda: ({"x": _data()["x"], "yt": _data()["yt_binary"], "w": _data()["w"], "lam": 0.1},),
    "logistic.gradient": lambda: ({"x": _data()["x"], "yt": _data()["yt_binary"], "w": _data()["w"], "lam": 0.1},),
    "logistic.classify": lambda: ({"x": _data()["x"], "w": _data()["w"]},),
    "logistic.accuracy": lambda: ({"x": _data()["x"], "yt": _data()["yt_binary"], "w": _data()["w"]},),
    "evaluation.precision_recall_f1": lambda: ({"C": np.array([[3, 1, 0], [0, 2, 1], [1, 0, 4]])},),
    "evaluation.averaged_scores": lambda: ({"C": np.array([[3, 1, 0], [0, 2, 1], [1, 0, 4]]), "average": "micro"},),
    "evaluation.precision_recall_curve": lambda: ({"yt": np.array([0.0, 1.0, 1.0, 0.0, 1.0]),
                                                   "yp": np.array([0.1, 0.8, 0.4, 0.4, 0.9])},),
    "multiclass.predict": lambda: ({"x": _data()["x"], "W": _data()["W"]},),
    "multiclass.loss": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "W": _data()["W"], "lam": 0.1},),
    "multiclass.cross_entropy": lambda: ({"yt": _data()["yt_onehot"], "u": _data()["x"] @ _data()["W"]},),
    "multiclass.gradient": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "W": _data()["W"], "lam": 0.1},),
    "multiclass.classify": lambda: ({"x": _data()["x"], "W": _data()["W"]},),
    "multiclass.accuracy": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "W": _data()["W"]},),
    "multiclass.confusion_matrix": lambda: ({"labels": np.array([0, 1, 2, 1]), "predicted": np.array([0, 2, 2, 1]),
                                             "N": 3},),
    "network.init_weights": lambda: ({"D": 3, "hidden": [4], "N": 3, "rng": np.random.default_rng(0), "method": "normal",
                                      "std": 0.5},),
    "network.forward": lambda: ({"x": _data()["x"], "weights": _data()["weights"], "activation": "relu",
                                 "dropout": 0.3, "rng": np.random.default_rng(1)},),
    "network.backward": lambda: (_backward_arguments(),),
    "network.loss": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "weights": _data()["weights"],
                              "activation": "sigmoid", "lam": 0.1},),
    "network.gradient": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "weights": _data()["weights"],
                                  "activation": "sigmoid", "lam": 0.1},),
    "network.classify": lambda: ({"x": _data()["x"], "weights": _data()["weights"], "activation": "relu"},),
    "network.accuracy": lambda: ({"x": _data()["x"], "yt": _data()["yt_onehot"], "weights": _data()["weights"],
                                  "activation": "relu"},),
    "network.count_weights": lambda: ({"weights": _data()["weights"]},),
    "network.weight_std": lambda: ({"method": "normal", "fan_in": 3, "fan_out": 4, "std": 0.5},),
    "network.dropout_mask": lambda: ({"z": np.ones((5, 4)), "dropout": 0.3, "rng": np.random.default_rng(1)},),
    "network.output_delta": lambda: ({"yp": np.full((5, 3), 1 / 3), "yt": _data()["yt_onehot"]},),
    "network.penalty": lambda: ({"weights": _data()["weights"], "lam": 0.1},),
    "network.penalty_gradient": lambda: ({"W": _data()["weights"][0], "lam": 0.1},),
    "initialization.second_moment": lambda: ({"activation": "sigmoid", "q": 0.7},),
    "initialization.forward_variances": lambda: ({"input_moment": 0.3, "fan_ins": [3, 4], "stds": np.array([0.5, 0.2]),
                                                  "activation": "sigmoid"},),
    "initialization.layer_values": lambda: ({"x": _data()["x"], "weights": _data()["weights"], "activation": "relu"},),
    "initialization.split_variance": lambda: ({"a": np.array([[0.1, 0.5, -0.2], [0.3, 0.4, 0.0]])},),
    "numdiff.numerical_derivative": lambda: ({"f": np.sin, "x": np.array([0.1, 0.2]), "h": 1e-5, "scheme": "central"},),
    "numdiff.numerical_gradient": lambda: ({"f": _square, "w": np.array([0.5, -1.0]), "h": 1e-6},),
    "numdiff.numerical_hessian": lambda: ({"f": _square, "w": np.array([0.5, -1.0]), "h": 1e-4},),
    "numdiff.gradient_check": lambda: ({"f": _square, "gradient": lambda w: 2 * w, "w": np.array([0.5, -1.0]),
                                        "h": 1e-6},),
    "optimizers.SGD": lambda: ({"alpha": 0.1},),
    "optimizers.SGD.update": lambda: _optimizer_update(lambda: SGD(0.1)),
    "optimizers.Momentum": lambda: ({"alpha": 0.1, "beta": 0.9},),
    "optimizers.Momentum.update": lambda: _optimizer_update(lambda: Momentum(0.1)),
    "optimizers.RMSProp": lambda: ({"alpha": 0.1, "rho": 0.9, "eps": 1e-8},),
    "optimizers.RMSProp.update": lambda: _optimizer_update(lambda: RMSProp(0.1)),
    "optimizers.Adam": lambda: ({"alpha": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},),
    "optimizers.Adam.update": lambda: _optimizer_update(lambda: Adam(0.1)),
    "plotting.animation_html": lambda: ({"anim": _animation(), "alt": "点が動く", "colors": 8},),
    "plotting.min_display_width": lambda: ({"width_px": 890, "dpi": 100.0},),
    "preprocess.center": lambda: ({"data": np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]])},),
    "preprocess.standardize": lambda: ({"data": np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]])},),
    "preprocess.add_dummy": lambda: ({"x": np.array([[1.0], [2.0], [3.0]])},),
    "preprocess.one_hot": lambda: ({"labels": np.array([0, 2, 1]), "N": 3},),
    "preprocess.train_test_split": lambda: ({"x": np.arange(12.0).reshape(6, 2), "yt": np.arange(6.0), "test_size": 2,
                                            "seed": 0},),
    "probability.bernoulli_pmf": lambda: ({"y": np.array([0.0, 1.0, 1.0]), "p": np.array([0.2, 0.5, 0.9])},),
    "probability.normal_pdf": lambda: ({"y": np.array([0.0, 1.0, 2.5]), "mu": 1.0, "sigma": 2.0},),
    "probability.normal_logpdf": lambda: ({"y": np.array([0.0, 1.0, 2.5]), "mu": np.array([1.0, 0.0, 2.0]),
                                           "sigma": 2.0},),
    "probability.gaussian_log_likelihood": lambda: ({"x": _data()["x"], "yt": _data()["yt_real"], "w": _data()["w"],
                                                     "sigma": 1.5},),
    "probability.marginals": lambda: ({"joint": np.array([[0.1, 0.2, 0.1], [0.3, 0.0, 0.3]])},),
    "probability.conditional_rows": lambda: ({"joint": np.array([[0.1, 0.2, 0.1], [0.3, 0.0, 0.3]])},),
    "probability.bayes_posterior": lambda: ({"prior": np.array([0.01, 0.99]), "likelihood": np.array([0.9, 0.05])},),
    "probability.minibatch_variance": lambda: ({"per_sample": np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 0.0]]),
                                                "n": 2},),
    "training.train": lambda: ({"model": logistic, "x": _data()["x"], "yt": _data()["yt_binary"], "w": np.zeros(3),
                                "alpha": 0.1, "iters": 3, "test": (_data()["x"], _data()["yt_binary"]), "lam": 0.1},),
    "network.minibatches": lambda: ({"M": 7, "batch_size": 3, "rng": np.random.default_rng(0)},),
    "network.train_network": lambda: (_network_training(),),
    **{f"layers.{name}": lambda: ({},) for name in ("Dummy", "ReLU", "Sigmoid", "Tanh", "SoftmaxWithCrossEntropy")},
    "layers.Affine": lambda: ({"W": _data()["weights"][0]},),
    "layers.Dropout": lambda: ({"ratio": 0.3, "rng": np.random.default_rng(1)},),
    **{f"layers.{name}.forward": (lambda name=name: ({"x": _layer_input(name)}, _make_layer(name).forward))
       for name in _LAYERS},
    **{f"layers.{name}.backward": (lambda name=name: _layer_backward(name)) for name in _LAYERS},
    "layers.SoftmaxWithCrossEntropy.forward": lambda: (
        {"u": _data()["x"] @ _data()["W"], "yt": _data()["yt_onehot"]}, layers.SoftmaxWithCrossEntropy().forward),
    "layers.SoftmaxWithCrossEntropy.backward": lambda: ({}, _softmax_layer_after_forward().backward),
    "layers.make_layers": lambda: ({"weights": _data()["weights"], "activation": layers.ReLU, "dropout": 0.3,
                                    "rng": np.random.default_rng(1)},),
    "layers.stack_forward": lambda: ({"layers": layers.make_layers(_data()["weights"]), "x": _data()["x"]},),
    "layers.stack_backward": lambda: _stack_backward_arguments(),
    "layers.stack_loss": lambda: ({"layers": layers.make_layers(_data()["weights"], layers.Sigmoid), "x": _data()["x"],
                                   "yt": _data()["yt_onehot"], "lam": 0.1},),
    "layers.stack_gradient": lambda: ({"layers": layers.make_layers(_data()["weights"]), "x": _data()["x"],
                                       "yt": _data()["yt_onehot"], "lam": 0.1},),
    "layers.check_layer": lambda: ({"layer": layers.Affine(_data()["weights"][0]), "x": _data()["x"],
                                    "dout": np.ones((5, 4))},),
}
# 計算しない公開クラス: 例外と、学習の記録(フィールドだけのデータクラス)
NOT_CALLED = {"errors.DivergenceError": "exception", "training.TrainingHistory": "record",
              "network.NetworkHistory": "record"}
# 乱数の入った結果は、呼ぶたびに違う(同じ値の別の書き方でも結果を比べない)
NONDETERMINISTIC = {"plotting.animation_html"}
# NaN や inf を受け付けてよい引数(発散したときの損失を書くため)
ACCEPTS_NON_FINITE = {("errors.diverged", "first"), ("errors.diverged", "current"), ("errors.check_divergence", "losses")}
# どの文字列でもよい引数
ANY_TEXT = {("errors.diverged", "quantity"), ("plotting.animation_html", "alt")}


def build(name):
    """(呼ぶもの, 引数の dict)。"""
    spec = VALID[name]()
    return (spec[1] if len(spec) > 1 else public_api()[name]), spec[0]


# ---- 変え方 ---------------------------------------------------------------------------------------------------


def _as_float(value):
    return np.array(value, dtype=np.float64)


def _with(array, index, bad):
    changed = _as_float(array)
    changed.flat[index % changed.size] = bad
    return changed


def _ragged(array):
    rows = array.tolist() if array.ndim > 1 else [array.tolist(), array.tolist()]
    rows[-1] = rows[-1][:-1] or [1.0, 2.0]
    return rows


def array_mutations(array, draw):
    """ndarray を変える方法の (説明, 新しい値, 種類) のリスト。"""
    i = draw(st.integers(0, 10_000))
    changes = [
        ("list", array.tolist(), "same"),
        ("object array", array.astype(object), "same"),
        ("NaN", _with(array, i, np.nan), "reject"),
        ("inf", _with(array, i, np.inf), "reject"),
        ("-inf", _with(array, i, -np.inf), "reject"),
        ("complex", _as_float(array) + 0j, "reject"),
        ("complex with imaginary part", _as_float(array) + 1j, "reject"),
        ("strings", array.astype(str), "reject"),
        ("object array with None", np.array([None] * array.size, dtype=object).reshape(array.shape), "reject"),
        ("empty", np.empty((0, *array.shape[1:])), "reject"),
        ("ragged list", _ragged(array), "reject"),
        ("None", None, "reject"),
        ("text", "1.0", "reject"),
        ("extra axis", array[np.newaxis], "any"),
        ("huge", _as_float(array) * 1e300 + 1e300, "any"),
        ("negated", -_as_float(array), "any"),
        ("int", np.round(_as_float(array)).astype(int), "any"),
        ("bool", _as_float(array) > 0, "any"),
        ("scalar", 0.5, "any"),
    ]
    if array.ndim >= 1 and array.shape[0] > 1:
        changes.append(("drop last row", array[:-1], "any"))
    if array.ndim >= 1:
        changes.append(("first row", array[0], "any"))
    if array.ndim >= 2:
        changes += [("drop last column", array[..., :-1], "any"), ("transposed", array.T, "any"),
                    ("ravel", array.ravel(), "any")]
    return changes


def list_mutations(values, draw):
    """配列のリスト(重みや勾配)を変える方法。"""
    position = draw(st.integers(0, len(values) - 1))
    inner = draw(st.sampled_from(array_mutations(values[position], draw)))
    changed = list(values)
    changed[position] = inner[1]
    kind = "any" if inner[2] == "same" and inner[0] == "object array" else inner[2]
    return [
        ("tuple", tuple(values), "same"),
        ("lists", [v.tolist() for v in values], "same"),
        (f"element {position}: {inner[0]}", changed, kind),
        ("empty list", [], "reject"),
        ("array instead of list", values[0], "reject"),
        ("None", None, "reject"),
        ("text", "weights", "reject"),
        ("drop last", values[:-1], "any"),
        ("append", [*values, values[-1]], "any"),
    ]


def pair_mutations(pair, draw):
    """(x, yt) の組(test= や valid=)を変える方法。"""
    which = draw(st.integers(0, 1))
    inner = draw(st.sampled_from(array_mutations(pair[which], draw)))
    changed = list(pair)
    changed[which] = inner[1]
    return [
        ("list", list(pair), "same"),
        (f"item {which}: {inner[0]}", tuple(changed), inner[2]),
        ("1-tuple", pair[:1], "reject"),
        ("3-tuple", (*pair, pair[0]), "reject"),
        ("text", "test", "reject"),
        ("number", 3, "reject"),
    ]


def int_sequence_mutations(values, draw):
    """整数の並び(load_iris の classes、init_weights の hidden)を変える方法。"""
    return [
        ("list", list(values), "same"),
        ("NumPy array", np.array(values), "same"),
        ("NumPy integers", [np.int64(v) for v in values], "same"),
        ("a single int", values[0], "reject"),
        ("zero", [0, *values[1:]] if draw(st.booleans()) else [*values, 0], "any"),
        ("negative", [-1, *values[1:]], "reject"),
        ("fraction", [0.5, *values[1:]], "reject"),
        ("float", [float(values[0]), *values[1:]], "reject"),
        ("text item", ["1", *values[1:]], "reject"),
        ("bool item", [True, *values[1:]], "reject"),
        ("text", "01", "reject"),
        ("None", None, "reject"),
        ("empty", [], "any"),
        ("repeated", [*values, values[0]], "any"),
    ]


def float_mutations(value, draw):
    return [
        ("NumPy scalar", np.float64(value), "same"),
        ("NaN", math.nan, "reject"),
        ("inf", math.inf, "reject"),
        ("-inf", -math.inf, "reject"),
        ("None", None, "reject"),
        ("text", str(value), "reject"),
        ("complex", complex(value, 1.0), "reject"),
        ("bool", True, "reject"),
        ("array", np.array([value]), "reject"),
        ("negative", -abs(value) - 0.5, "any"),
        ("zero", 0.0, "any"),
        ("huge", 1e300, "any"),
        ("tiny", 1e-300, "any"),
        ("big int", 10**30, "any"),
        ("int beyond float64", 10**400, "reject"),
        ("float32", np.float32(value), "any"),
        ("other", draw(st.floats(-10, 10)), "any"),
    ]


def int_mutations(value, draw):
    return [
        ("NumPy integer", np.int64(value), "same"),
        ("negative", -1, "reject"),
        ("fraction", value + 0.5, "reject"),
        ("float", float(value), "reject"),
        ("text", str(value), "reject"),
        ("bool", True, "reject"),
        ("None", None, "reject"),
        ("NaN", math.nan, "reject"),
        ("complex", complex(value, 1), "reject"),
        ("zero", 0, "any"),
        ("one", 1, "any"),
        ("int beyond float64", 10**400, "any"),  # 乱数の種ならどれほど大きくてもよい
        ("other", draw(st.integers(0, 12)), "any"),
    ]


def text_mutations(value, draw):
    return [
        ("unknown", "bogus", "reject"),
        ("upper case", value.upper(), "any" if value.upper() == value else "reject"),
        ("empty", "", "reject"),
        ("None", None, "reject"),
        ("number", 1, "reject"),
        ("bytes", value.encode(), "reject"),
    ]


def callable_mutations(function, draw):
    return [
        ("None", None, "reject"),
        ("text", "f", "reject"),
        ("returns NaN", lambda v: np.full(np.shape(v), np.nan) if np.ndim(function(v)) else math.nan, "reject"),
        ("returns text", lambda v: "value", "reject"),
        ("returns complex", lambda v: function(v) + 1j, "reject"),
        ("returns a different shape", lambda v: np.zeros(7), "reject"),
        ("returns None", lambda v: None, "reject"),
    ]


def rng_mutations(rng, draw):
    return [
        ("int seed", draw(st.integers(0, 2**32)), "any"),
        ("NumPy integer seed", np.int64(3), "any"),
        ("None", None, "reject"),
        ("text", "0", "reject"),
        ("float", 1.5, "reject"),
        ("bool", True, "reject"),
        ("negative seed", -1, "reject"),
        ("RandomState", np.random.RandomState(0), "reject"),
    ]


def object_mutations(value, draw):
    """モジュール、最適化手法、アニメーションのようなオブジェクトの引数。"""
    return [("None", None, "reject"), ("text", "object", "reject"), ("number", 1, "reject"),
            ("plain object", object(), "reject"), ("dict", {"alpha": 0.1}, "reject")]


def cache_mutations(cache, draw):
    key = draw(st.sampled_from(["z", "a"]))
    position = draw(st.integers(0, len(cache[key]) - 1))
    inner = draw(st.sampled_from(array_mutations(cache[key][position], draw)))
    changed = {k: list(v) if isinstance(v, list) else v for k, v in cache.items()}
    changed[key][position] = inner[1]
    kind = "any" if inner[2] == "same" and inner[0] == "object array" else inner[2]
    return [
        (f"{key}[{position}]: {inner[0]}", changed, kind),
        ("no 'a'", {k: v for k, v in cache.items() if k != "a"}, "reject"),
        ("no masks", {**cache, "mask": [None] * len(cache["mask"])}, "any"),
        ("one mask too many", {**cache, "mask": [*cache["mask"], None]}, "reject"),
        ("empty dict", {}, "reject"),
        ("None", None, "reject"),
        ("list", list(cache.values()), "reject"),
    ]


def layer_list_mutations(values, draw):
    """層のリスト(dlmath.layers の stack_forward などの layers)を変える方法。"""
    return [
        ("tuple", tuple(values), "same"),
        ("empty list", [], "reject"),
        ("None", None, "reject"),
        ("text", "layers", "reject"),
        ("a class instead of a layer", [type(values[0]), *values[1:]], "reject"),
        ("a number in the list", [1.0, *values[1:]], "reject"),
        ("array instead of list", np.ones((2, 2)), "reject"),
    ]


def mutations(value, draw):
    if isinstance(value, list) and value and all(hasattr(v, "backward") for v in value):
        return layer_list_mutations(value, draw)
    if isinstance(value, np.ndarray):
        return array_mutations(value, draw)
    if isinstance(value, dict):
        return cache_mutations(value, draw)
    if isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        return list_mutations(value, draw)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], np.ndarray):
        return pair_mutations(value, draw)
    if isinstance(value, (list, tuple)):
        return int_sequence_mutations(value, draw)
    if isinstance(value, bool):
        raise AssertionError("no bool arguments in the table")
    if isinstance(value, int):
        return int_mutations(value, draw)
    if isinstance(value, float):
        return float_mutations(value, draw)
    if isinstance(value, str):
        return text_mutations(value, draw)
    if isinstance(value, np.random.Generator):
        return rng_mutations(value, draw)
    if callable(value) and not hasattr(value, "update") and not hasattr(value, "to_jshtml") and not inspect.ismodule(value):
        return callable_mutations(value, draw)
    return object_mutations(value, draw)


# ---- 約束の確かめ方 -------------------------------------------------------------------------------------------


def leaves(value):
    """結果に含まれる値を順にたどる(配列・数・文字列。リスト、組、dict、データクラスの中も)。"""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from leaves(value[key])
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from leaves(getattr(value, field.name))
    elif isinstance(value, BaseException):
        yield str(value)
    elif isinstance(value, (np.ndarray, np.generic, int, float, str)) or value is None:
        yield value


def assert_finite(result):
    for leaf in leaves(result):
        if isinstance(leaf, (np.ndarray, np.generic, float)) and not isinstance(leaf, np.str_):
            assert np.isfinite(leaf).all(), f"non-finite result {leaf!r}"


def assert_same(result, expected):
    got, want = list(leaves(result)), list(leaves(expected))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        if isinstance(b, (np.ndarray, np.generic, float, int)) and not isinstance(b, bool):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


def snapshot(value):
    """引数の中の配列のコピー(関数が書き換えていないかを後で比べる)。"""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return [snapshot(item) for item in value]
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    return None


def assert_unchanged(before, after):
    if isinstance(before, np.ndarray):
        assert after.shape == before.shape and after.dtype == before.dtype
        assert np.array_equal(after, before, equal_nan=after.dtype.kind in "fc"), "an input array was modified"
    elif isinstance(before, list):
        for item_before, item_after in zip(before, after):
            assert_unchanged(item_before, item_after)
    elif isinstance(before, dict):
        for key in before:
            assert_unchanged(before[key], after[key])


def names(message, argument):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(argument)}(?![A-Za-z0-9_])", message) is not None


def call_with_contract(function, kwargs, argument, kind):
    """function(**kwargs) が約束を守ることを確かめ、(例外を送出したか, 結果) を返す。"""
    before = {key: snapshot(value) for key, value in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)  # 複素数を黙って実部にしない
            result = function(**kwargs)
    except (ValueError, TypeError) as error:
        assert kind not in ("same", "valid"), f"{argument}: a valid value was rejected: {error}"
        if not isinstance(error, DivergenceError):  # 発散のメッセージは学習率 alpha を書く
            assert names(str(error), argument), f"the message does not name {argument!r}: {error}"
        assert "np.float64(" not in str(error), f"NumPy repr in the message: {error}"
        raised, result = True, None
    else:
        assert kind != "reject", f"{argument}: a bad value was accepted and gave {result!r:.200}"
        assert_finite(result)
        raised = False
    for key, value in before.items():
        assert_unchanged(value, kwargs[key])
    return raised, result


# ---- テスト ---------------------------------------------------------------------------------------------------

CALLED = sorted(VALID)


def test_every_public_function_has_valid_arguments():
    api = set(public_api())
    missing = api - set(VALID) - set(NOT_CALLED)
    assert not missing, f"public functions without an entry in VALID (add how to call them): {sorted(missing)}"
    assert not (set(VALID) | set(NOT_CALLED)) - api, "entries for names that are no longer public"


def test_classes_that_are_not_called_have_no_public_methods():
    api = public_api()
    for name, kind in NOT_CALLED.items():
        obj = api[name]
        if kind == "exception":
            assert issubclass(obj, ValueError)
        else:
            assert dataclasses.is_dataclass(obj)
        assert not [method for method in api if method.startswith(name + ".")]


@pytest.mark.parametrize("name", CALLED)
def test_valid_arguments_cover_every_parameter_and_give_a_finite_result(name):
    function, kwargs = build(name)
    parameters = set(inspect.signature(function).parameters)
    assert set(kwargs) == parameters, f"{name}: give every parameter a valid value (defaults too)"
    call_with_contract(function, kwargs, "", "valid")


@pytest.mark.parametrize("name", [name for name in CALLED if VALID[name]()[0]])
@FUZZ
@given(data=st.data())
def test_bad_input_gets_a_named_error_or_a_finite_result(name, data):
    function, kwargs = build(name)
    argument = data.draw(st.sampled_from(sorted(kwargs)), label="argument")
    label, value, kind = data.draw(st.sampled_from(mutations(kwargs[argument], data.draw)), label="change")
    if (name, argument) in ACCEPTS_NON_FINITE and kind == "reject":
        kind = "any"
    if (name, argument) in ANY_TEXT and label in ("unknown", "upper case"):
        kind = "any"
    if value is None and inspect.signature(function).parameters[argument].default is None:
        kind = "any"  # 省略できる引数(test=None、patience=None など)
    raised, result = call_with_contract(function, {**kwargs, argument: value}, argument, kind)
    if kind == "same" and name not in NONDETERMINISTIC:
        expected_function, expected_kwargs = build(name)
        assert_same(result, expected_function(**expected_kwargs))


# ---- issue 11 に挙がった入力の種類ごとの名前付きテスト ------------------------------------------------------------

def network_arguments(**changes):
    return {**_network_training(), **changes}


@pytest.mark.parametrize(("dropout", "error"), [(-0.5, ValueError), (1.5, ValueError), (math.inf, ValueError),
                                                (math.nan, ValueError), (None, TypeError), ("0.2", TypeError),
                                                (True, TypeError)])
def test_train_network_rejects_a_bad_dropout(dropout, error):
    with pytest.raises(error, match=r"dropout は 0 以上 1 未満の数にしてください。"):
        train_network(**network_arguments(dropout=dropout))


def test_dropout_one_is_a_dropout_error_not_a_divergence():
    with pytest.raises(ValueError, match=r"dropout は 0 以上 1 未満の数にしてください。受け取ったのは 1\.0 です。") as caught:
        train_network(**network_arguments(dropout=1.0))
    assert not isinstance(caught.value, DivergenceError) and "alpha" not in str(caught.value)


@pytest.mark.parametrize(("patience", "error"), [(-1, ValueError), (0, ValueError), (2.5, TypeError),
                                                 (math.nan, TypeError), ("2", TypeError), (True, TypeError)])
def test_train_network_needs_a_positive_int_patience(patience, error):
    with pytest.raises(error, match="patience は正の"):
        train_network(**network_arguments(patience=patience))


class _HomeMadeOptimizer:
    alpha = 0.1

    def update(self, weights, grads):
        return [W - 0.1 * g for W, g in zip(weights, grads)]


@pytest.mark.parametrize("optimizer", [None, "sgd", {"alpha": 0.1}, Adam, _HomeMadeOptimizer()])
def test_train_network_needs_one_of_the_optimisers(optimizer):
    with pytest.raises(TypeError, match="optimizer は dlmath.optimizers の SGD、Momentum、RMSProp、Adam のどれかを作ったもの"):
        train_network(**network_arguments(optimizer=optimizer))


def _scores():
    return np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, -1.0, 0.0]])


@pytest.mark.parametrize(
    ("yt", "match"),
    [
        (np.array([[1.0, 0, 0], [0, np.nan, 1], [0, 0, 1]]), r"yt に NaN か inf が 1 個あります\(最初は yt\[1, 1\]\)"),
        (np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, np.inf]]), r"yt に NaN か inf が 1 個あります\(最初は yt\[2, 2\]\)"),
        (np.array([[1.0, 1, 0], [0, 1, 0], [0, 0, 1]]), r"yt は one-hot.*yt の行 \[0\] は違います"),
        (np.array([[1.0, 0, 0], [0, 0, 0], [0, 0, 1]]), r"yt は one-hot.*yt の行 \[1\] は違います"),
        (np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, -1]]), r"yt は one-hot.*yt の行 \[2\] は違います"),
        # M = N = 3: ブロードキャストすれば計算できてしまう
        (np.array([0, 1, 2]), r"yt は one-hot の 2 次元配列 \(M, N\) にしてください.*one_hot\(labels, 3\)"),
        (np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), r"yt の列の数は、クラスの数 N=3\(u の列の数\)"),
    ],
)
def test_cross_entropy_checks_that_yt_is_one_hot(yt, match):
    with pytest.raises(ValueError, match=match):
        multiclass.cross_entropy(yt, _scores())


@pytest.mark.parametrize(
    "call",
    [
        lambda: activations.sigmoid(np.array([1.0 + 0j, 2.0])),
        lambda: activations.softmax(np.array([[1.0, 2.0 + 1e-9j]])),
        lambda: linear.loss(_data()["x"] + 0j, _data()["yt_real"], _data()["w"]),
        lambda: network.forward(_data()["x"], [W + 0j for W in _data()["weights"]]),
        lambda: SGD(0.1).update([np.ones(2)], [np.ones(2) * 1j]),
        lambda: preprocess.center(np.ones((3, 2)) + 0j),
        lambda: numerical_derivative(lambda t: t * (1 + 1j), 0.5),
    ],
)
def test_complex_input_is_rejected_not_cast(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ComplexWarning(虚部を捨てた)も出さない
        with pytest.raises(TypeError, match="複素数は実部だけを取り出すことはしません"):
            call()


def test_init_weights_needs_an_input_besides_the_dummy_column():
    with pytest.raises(ValueError, match=r"D は 2 以上の整数にしてください\(ダミー変数の列と、少なくとも 1 つの入力\)。受け取ったのは 1 です。"):
        network.init_weights(1, [4], 3, np.random.default_rng(0))


@pytest.mark.parametrize("hidden", [4, np.int64(4), "4", None, 4.0])
def test_hidden_is_a_list_of_layer_sizes(hidden):
    # 整数 1 つは「4 ノードの 1 層」とも「4 層」とも読めるので、[4] と書くよう伝える
    number = isinstance(hidden, (int, np.integer))
    with pytest.raises(TypeError, match=r"hidden は隠れ層のノードの数のリストにしてください。") as caught:
        network.init_weights(3, hidden, 3, np.random.default_rng(0))
    fix = "隠れ層が 1 つで 4 個のノードなら、[4] と書きます。" if number else "隠れ層が 1 つで H 個のノードなら、[H] と書きます。"
    assert str(caught.value).endswith(fix)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: RMSProp(0.1), lambda: Adam(0.1)])
def test_optimiser_update_never_broadcasts_and_rejects_nan_and_inf(make):
    weights = [np.ones((4, 2))]
    with pytest.raises(ValueError, match=r"grads\[0\] は weights\[0\] と同じ形 \(4, 2\) にしてください。受け取った形は \(1, 2\) です。"):
        make().update(weights, [np.ones((1, 2))])  # (1, 2) の勾配は (4, 2) に足せてしまう
    with pytest.raises(ValueError, match=r"weights\[0\] に NaN か inf が 1 個あります"):
        make().update([np.array([[np.nan, 1.0]])], [np.ones((1, 2))])
    with pytest.raises(ValueError, match=r"grads\[0\] に NaN か inf が 1 個あります"):
        make().update(weights, [np.array([[1.0, 2.0], [3.0, np.inf], [0.0, 0.0], [1.0, 1.0]])])
    with pytest.raises(ValueError, match="grads は weights の配列ごとに 1 つの勾配のリストにしてください。weights は 1 個、受け取った grads は 2 個です。"):
        make().update(weights, [np.ones((4, 2)), np.ones(2)])


@pytest.mark.parametrize("make", [lambda: Momentum(0.1), lambda: RMSProp(0.1), lambda: Adam(0.1)])
def test_an_optimiser_remembers_its_network(make):
    optimizer = make()
    optimizer.update([np.ones((4, 2))], [np.ones((4, 2))])
    with pytest.raises(ValueError, match="この最適化手法は形 .* の重みを更新してきましたが.*ネットワークごとに新しい最適化手法を作ってください。"):
        optimizer.update([np.ones((3, 2))], [np.ones((3, 2))])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda a: {**a, "weights": [a["weights"][0], a["weights"][1][1:]]}, ValueError, r"weights\[1\] の行の数は 5\("),
        (lambda a: {**a, "weights": a["weights"][:1]}, ValueError, r"yp の列の数は、最後の重み行列 weights\[-1\] の出力の数 N=4"),
        (lambda a: {**a, "yp": a["yp"] * 2}, ValueError, "yp は forward が返した予測値"),
        (lambda a: {**a, "yp": a["yp"][:4]}, ValueError, r"yp と yt の行の数\(サンプルの件数 M\)をそろえてください"),
        (lambda a: {**a, "cache": {k: v for k, v in a["cache"].items() if k != "z"}}, ValueError, "キー 'z'、'a'、'mask'"),
        (lambda a: {**a, "cache": [a["cache"]]}, TypeError, "cache は forward が返した dict にしてください"),
        (lambda a: {**a, "cache": {**a["cache"], "z": a["cache"]["z"][:1]}}, ValueError, r"cache\['z'\] は、len\(weights\) = 2 に合わせて 2 個"),
        (lambda a: {**a, "cache": {**a["cache"], "a": [a["cache"]["a"][0][:3]]}}, ValueError, r"cache\['a'\]\[0\] の形は \(5, 4\)"),
        (lambda a: {**a, "cache": {**a["cache"], "mask": [np.full((5, 4), np.nan)]}}, ValueError, r"cache\['mask'\]\[0\] に NaN か inf が 20 個"),
    ],
)
def test_backward_checks_weights_yp_and_cache(change, error, match):
    arguments = _backward_arguments()
    with pytest.raises(error, match=match):
        network.backward(**change(arguments))


@pytest.mark.parametrize("which", ["test", "valid"])
def test_train_network_names_the_set_that_is_wrong(which):
    x, yt = _data()["x"], _data()["yt_onehot"]
    with pytest.raises(ValueError, match=rf"{which} は 2 つ組 \(x_{which}, yt_{which}\) にしてください。受け取ったのは長さ 1 の tuple です。"):
        train_network(**network_arguments(**{which: (x,)}))
    with pytest.raises(ValueError, match=rf"{which} は 2 つ組 .*。受け取ったのは長さ 3 の tuple です。"):
        train_network(**network_arguments(**{which: (x, yt, yt)}))
    with pytest.raises(ValueError, match=rf"^{which}=\(x_{which}, yt_{which}\): yt は one-hot"):
        train_network(**network_arguments(**{which: (x, yt[:, ::-1] * 2)}))
    with pytest.raises(ValueError, match=rf"^{which}=\(x_{which}, yt_{which}\): weights\[0\] の行の数は、x の列の数 D=2 と同じ"):
        train_network(**network_arguments(**{which: (x[:, :2], yt)}))
    with pytest.raises(TypeError, match=rf"^{which}=\(x_{which}, yt_{which}\): x は実数"):
        train_network(**network_arguments(**{which: (x.astype(str), yt)}))


def test_train_names_the_test_set_too():
    arguments = VALID["training.train"]()[0]
    with pytest.raises(ValueError, match=r"test は 2 つ組 \(x_test, yt_test\) にしてください。受け取ったのは長さ 1 の tuple です。"):
        train(**{**arguments, "test": arguments["test"][:1]})
    with pytest.raises(ValueError, match=r"^test=\(x_test, yt_test\): yt は 0 と 1 だけの配列"):
        train(**{**arguments, "test": (arguments["x"], arguments["yt"] * 2)})


@pytest.mark.parametrize("model", [linear, "logistic", None])
def test_train_needs_a_classification_model(model):
    with pytest.raises(TypeError, match="model はモジュール dlmath.logistic か dlmath.multiclass にしてください。"):
        train(**{**VALID["training.train"]()[0], "model": model})


def test_load_iris_accepts_numpy_integers():
    expected = load_iris((0, 1), (0, 2))
    for classes, features in [(np.arange(2), np.array([0, 2])), ([np.int64(0), np.int32(1)], (np.int8(0), np.uint8(2)))]:
        got = load_iris(classes, features)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])
    with pytest.raises(TypeError, match=r"classes は 0 から 2 までの異なる整数の並びにしてください。受け取ったのは \[True, False\] です。"):
        load_iris((True, False))
    with pytest.raises(TypeError, match=r"features は \(0, 1\) のような整数の並びにしてください。受け取ったのは int の値 2 です。"):
        load_iris(features=2)


def test_divergence_check_compares_huge_first_losses_without_floating_point_errors():
    with np.errstate(all="raise"):
        assert check_divergence(np.array([1e306, 2e306]), 1, 0.1) is None  # 1000 倍は float64 をあふれるが、例外にしない
        with pytest.raises(DivergenceError):
            check_divergence(np.array([1e306, np.inf]), 1, 0.1)
    x = add_dummy(np.array([[1e153], [2e153], [-1e153]]))  # はじめの損失が 1e306 ほど
    with pytest.raises(DivergenceError, match="勾配降下法が発散しました。"):
        linear.fit(x, np.zeros(3), np.array([0.0, 1.0]), alpha=0.01, iters=5)


def test_history_line_and_table_check_their_indices():
    history = _history()
    assert history.line(2).startswith("iter = 2 L = 1.500000")
    for k, error in [(3, ValueError), (-1, ValueError), (1.0, TypeError), ("1", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"k は 0 以上 2 以下の整数にしてください。"):
            history.line(k)
    with pytest.raises(ValueError, match="head は 0 以上の整数にしてください。受け取ったのは -1 です。"):
        history.table(head=-1)
    with pytest.raises(TypeError, match="tail は 0 以上の整数にしてください。受け取ったのは str の値 '2' です。"):
        history.table(tail="2")
    with pytest.raises(ValueError, match=r"loss と w は繰り返しごとに 1 行にして、行の数をそろえてください。受け取ったのは loss \(3,\) と w \(2, 2\) です。"):
        linear.History(np.ones(3), np.ones((2, 2)))


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: network.init_weights(3, [4], 3, rng),
        lambda rng: minibatches(7, 3, rng),
        lambda rng: network.forward(_data()["x"], _data()["weights"], dropout=0.5, rng=rng),
        lambda rng: train_network(**network_arguments(rng=rng)),
        lambda rng: preprocess.train_test_split(np.ones((4, 2)), np.ones(4), 1, rng),
    ],
)
def test_rng_is_a_generator_or_an_int_seed(call):
    assert_same(call(7), call(np.random.default_rng(7)))  # 整数は NumPy と同じく default_rng(seed)
    for rng in (None, "7", 7.0, True, np.random.RandomState(7)):
        with pytest.raises(TypeError, match=r"(rng|seed) は numpy\.random\.Generator か整数の種にしてください"):
            call(rng)
    with pytest.raises(ValueError, match=r"(rng|seed) は 0 以上の整数の種にしてください。受け取ったのは -1 です。"):
        call(-1)


def test_lists_and_object_arrays_are_validated_once_and_give_the_same_numbers():
    d = _data()
    as_lists = train(logistic, d["x"].tolist(), d["yt_binary"].tolist(), [0.0, 0.0, 0.0], alpha=0.1, iters=5)
    as_arrays = train(logistic, d["x"], d["yt_binary"], np.zeros(3), alpha=0.1, iters=5)
    assert_same(as_lists, as_arrays)
    objects = train_network(**network_arguments(x=_network_training()["x"].astype(object),
                                                weights=[W.tolist() for W in d["weights"]]))
    assert_same(objects, train_network(**network_arguments()))


def test_training_leaves_the_callers_arrays_alone():
    arguments = network_arguments()
    before = snapshot(arguments)
    train_network(**arguments)
    for key in before:
        assert_unchanged(before[key], arguments[key])
    arguments = VALID["training.train"]()[0]
    before = snapshot(arguments)
    train(**arguments)
    for key in before:
        assert_unchanged(before[key], arguments[key])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: linear.loss(_data()["x"] * 1e200, _data()["yt_real"], _data()["w"]), r"^loss の計算が.*x 1\.\d+e\+200"),
        (lambda: logistic.predict(_data()["x"] * 1e300, _data()["w"] * 1e300), r"^predict の計算が float64 の範囲.*をあふれました"),
        (lambda: activations.log_softmax(np.array([[-1e308, 1e308]])), r"^log_softmax の計算が.*u 1e\+308"),
        (lambda: preprocess.center(np.array([[1e308], [1e308]])), r"^center の計算が.*data 1e\+308"),
        (lambda: network.loss(_data()["x"], _data()["yt_onehot"], [W * 1e200 for W in _data()["weights"]]), "weights"),
        (lambda: normal_logpdf(0.0, 0.0, 1e-200), "sigma 1e-200"),
    ],
)
def test_overflow_is_a_value_error_naming_the_inputs_without_warnings(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            call()


def test_train_network_checks_a_reused_optimiser_once_before_its_loop():
    optimizer = Momentum(0.1)
    optimizer.update([np.ones((2, 2))], [np.ones((2, 2))])  # ほかのネットワークで使った
    with pytest.raises(ValueError, match="この最適化手法は形 .* の重みを更新してきましたが.*ネットワークごとに新しい最適化手法を作ってください。"):
        train_network(**network_arguments(optimizer=optimizer))
    again = Momentum(0.1)  # 同じネットワークをエポックごとに続けて学習するのはよい(本文の使い方)
    weights, _ = train_network(**network_arguments(optimizer=again, epochs=1))
    train_network(**network_arguments(optimizer=again, weights=weights, epochs=1))
