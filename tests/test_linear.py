"""dlmath.linear: 講演の数値、勾配の検算、閉じた形の解への収束、悪い入力。"""

import numpy as np
import pytest

from dlmath import DivergenceError
from dlmath.data import load_height_weight
from dlmath.linear import History, fit, gradient, loss, predict, step
from dlmath.numdiff import numerical_gradient
from dlmath.preprocess import add_dummy, center


@pytest.fixture
def talk():
    """講演と同じ前処理をした (x, yt, 初期値 w)。"""
    centered, _ = center(load_height_weight())
    return add_dummy(centered[:, 0:1]), centered[:, 1], np.array([2.0, -1.0])


def random_problem(rng, M=7, D=4):
    x = add_dummy(rng.normal(size=(M, D - 1)))
    return x, rng.normal(size=M), rng.normal(size=D)


# --- 講演のデータでの値 -------------------------------------------------------


def test_talk_first_line(talk):
    _, history = fit(*talk, alpha=0.01, iters=200)
    assert history.line(0) == "iter = 0 L = 50.416000 w0 = 1.980000 w1 = -0.672800"


def test_talk_loss_and_gradient_by_hand(talk):
    # x = [-5, 5, 0, 2, -2]、yt = [-6.7, 10.3, -3.3, 5.0, -5.3]、w = [2, -1] のとき
    # yd = 2 - x - yt = [13.7, -13.3, 5.3, -5.0, 9.3]
    x, yt, w = talk
    yd = np.array([13.7, -13.3, 5.3, -5.0, 9.3])
    np.testing.assert_allclose(predict(x, w) - yt, yd, atol=1e-12)
    np.testing.assert_allclose(loss(x, yt, w), 504.16 / 10)
    np.testing.assert_allclose(gradient(x, yt, w), [10.0 / 5, -163.6 / 5])


def test_history_records_loss_before_and_weights_after_each_update(talk):
    x, yt, w = talk
    w_final, history = fit(x, yt, w, alpha=0.01, iters=3)
    w1 = step(x, yt, w, 0.01)
    np.testing.assert_allclose(history.loss[:2], [loss(x, yt, w), loss(x, yt, w1)])
    np.testing.assert_allclose(history.w[0], w1)
    np.testing.assert_array_equal(history.w[-1], w_final)


def test_table_shows_head_and_tail(talk):
    _, history = fit(*talk, alpha=0.01, iters=200)
    lines = history.table(head=5, tail=5).splitlines()
    assert len(lines) == 11 and lines[5] == "..."
    assert lines[0].startswith("iter = 0 ") and lines[-1].startswith("iter = 199 ")
    assert fit(*talk, iters=4)[1].table().count("\n") == 3  # 短ければ省略しない


def test_centered_data_decouples_w0_and_w1(talk):
    # センタリングすると w0 の更新は w0 ← (1 - α) w0 だけになる
    _, history = fit(*talk, alpha=0.01, iters=200)
    k = np.arange(1, 201)
    np.testing.assert_allclose(history.w[:, 0], 2.0 * 0.99**k, rtol=1e-12)


# --- 導関数の検算 ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_gradient_matches_central_difference(seed):
    x, yt, w = random_problem(np.random.default_rng(seed))
    np.testing.assert_allclose(
        gradient(x, yt, w), numerical_gradient(lambda v: loss(x, yt, v), w), rtol=1e-6, atol=1e-9
    )


def test_numerical_gradient_of_known_function():
    w = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), w), 3 * w**2, rtol=1e-8)


# --- 閉じた形の解への収束 ----------------------------------------------------


def test_gradient_descent_reaches_least_squares_on_talk_data(talk):
    x, yt, w = talk
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    w_final, _ = fit(x, yt, w, alpha=0.01, iters=3000)
    np.testing.assert_allclose(w_final, w_star, atol=1e-6)


def test_gradient_descent_reaches_least_squares_on_random_data():
    rng = np.random.default_rng(1)
    x, yt, w = random_problem(rng, M=50, D=4)
    w_star = np.linalg.lstsq(x, yt, rcond=None)[0]
    w_final, history = fit(x, yt, w, alpha=0.1, iters=5000)
    np.testing.assert_allclose(w_final, w_star, atol=1e-6)
    assert np.all(np.diff(history.loss) <= 1e-15)  # 適切な学習率では損失は増えない


def test_fit_does_not_modify_its_input(talk):
    x, yt, w = talk
    before = w.copy()
    fit(x, yt, w, iters=5)
    np.testing.assert_array_equal(w, before)


# --- 発散 ------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.5, 1e3, 1e200])
def test_divergence_is_reported_with_advice(talk, alpha):
    with pytest.raises(DivergenceError, match=r"^勾配降下法が発散しました。.*学習率 alpha が大きすぎるので、alpha=.* のように小さくしてください。"
                       r"それでも発散するときは、dlmath\.preprocess\.standardize などで入力の尺度をそろえてください。$"):
        fit(*talk, alpha=alpha, iters=200)


def test_divergence_error_is_a_value_error():
    assert issubclass(DivergenceError, ValueError)


# --- 悪い入力 ----------------------------------------------------------------

X = add_dummy(np.arange(5.0).reshape(-1, 1))
YT = np.arange(5.0)
W = np.zeros(2)


@pytest.mark.parametrize(
    ("x", "yt", "w", "match"),
    [
        (np.arange(5.0), YT, W, r"x は 2 次元の配列にしてください。.*data\[:, 0:1\]"),
        (X, YT.reshape(-1, 1), W, r"yt は 1 次元の配列にしてください。.*yt\.ravel\(\) で 1 次元にします。"),
        (X, YT, W.reshape(1, 2), r"w は 1 次元の配列にしてください。"),
        (X, YT[:4], W, r"x と yt の行の数\(サンプルの件数 M\)をそろえてください。"),
        (X, YT, np.zeros(3), r"w の要素の数は、x の列の数 D=2 と同じ.*x の列の数 D はダミー変数の列を含めて数えます"),
        (X[:, 1:], YT, W, r"w の要素の数は、x の列の数 D=1 と同じ"),
        (np.empty((0, 2)), np.empty(0), W, r"x は空でない配列にしてください。受け取ったのは形 \(0, 2\) の空の配列です。"),
        (X, np.where(YT == 2, np.nan, YT), W, r"yt に NaN か inf が 1 個あります\(最初は yt\[2\]\)"),
        (np.where(X == 3, np.inf, X), YT, W, r"x に NaN か inf が 1 個あります"),
        (X, YT, np.array([0.0, np.nan]), r"w に NaN か inf が"),
    ],
)
@pytest.mark.parametrize("function", [loss, gradient, fit])
def test_bad_input_is_rejected(function, x, yt, w, match):
    with pytest.raises(ValueError, match=match):
        function(x, yt, w)


def test_predict_rejects_mismatched_weights():
    with pytest.raises(ValueError, match="w の要素の数は、x の列の数 D=2 と同じにしてください"):
        predict(X, np.zeros(3))


@pytest.mark.parametrize("function", [loss, gradient, fit])
def test_text_instead_of_numbers_is_a_type_error(function):
    with pytest.raises(TypeError, match=r"yt は実数\(数か数の配列\)にしてください。"):
        function(X, ["a"] * 5, W)


@pytest.mark.parametrize(("alpha", "error"), [(0, ValueError), (-0.1, ValueError), (np.nan, ValueError), (np.inf, ValueError),
                                              ("0.1", TypeError), (None, TypeError), (True, TypeError)])
def test_bad_learning_rate(alpha, error):
    with pytest.raises(error, match="alpha は正の"):
        fit(X, YT, W, alpha=alpha)
    with pytest.raises(error, match="alpha は正の"):
        step(X, YT, W, alpha)


@pytest.mark.parametrize(("iters", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError), ("10", TypeError),
                                              (None, TypeError)])
def test_bad_iteration_count(iters, error):
    with pytest.raises(error, match="iters は正の"):
        fit(X, YT, W, iters=iters)


def test_history_is_immutable(talk):
    _, history = fit(*talk, iters=2)
    assert isinstance(history, History)
    with pytest.raises(AttributeError):
        history.loss = None
