"""「情報量とエントロピー」(book/math-information.md)と dlmath.information を数値で確かめる。

エントロピー・交差エントロピー・KL ダイバージェンスは閉じた形(一様分布、ベルヌーイ分布)と scipy.stats.entropy と、
分類の損失は dlmath.logistic / dlmath.multiclass の損失関数と scikit-learn の log_loss と比べます。
KL ダイバージェンスが 0 以上であることは、乱数の分布の組で(hypothesis)確かめます。
"""

import warnings

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from sklearn.metrics import log_loss

from conftest import ROOT, built_page, check_equation, check_exercises, check_figure, dangling_equation_references
from dlmath import logistic, multiclass
from dlmath.activations import softmax
from dlmath.data import load_iris
from dlmath.information import cross_entropy, empirical_conditional, entropy, information_content, kl_divergence
from dlmath.numdiff import numerical_derivative, numerical_gradient
from dlmath.preprocess import add_dummy, one_hot, standardize, train_test_split
from dlmath.training import train

PAGE = "book/math-information"

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 12)
probabilities = st.floats(1e-6, 1.0)


def random_distribution(seed, N, zeros=False):
    """乱数の確率分布 (N,)。zeros=True なら一部の確率を 0 にする(0 log 0 の扱いを試す)。"""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(N))
    if zeros and N > 1:
        p[rng.random(N) < 0.4] = 0.0
        if p.sum() == 0:
            p[0] = 1.0
        p = p / p.sum()
    return p


# --- 情報量 -----------------------------------------------------------------------------

def test_information_content_closed_forms_and_units():
    assert information_content(1.0) == 0.0 and str(information_content(1.0)) == "0.0"  # -0.0 ではない
    assert information_content(0.5) == pytest.approx(np.log(2))
    assert information_content(1 / 6) == pytest.approx(np.log(6))
    # 式 eq-math-info-bits: ビット = ナット / log 2。公平なコインは 1 ビット
    assert information_content(0.5) / np.log(2) == pytest.approx(1.0)
    np.testing.assert_allclose(information_content(np.array([1 / 8, 1 / 6])) / np.log(2), np.log2([8, 6]))


@settings(max_examples=60, deadline=None)
@given(probabilities, probabilities)
def test_information_of_independent_events_adds(a, b):
    # 節 sec-math-info-surprise の 3 つ目の性質: I(ab) = I(a) + I(b)、確率が低いほど大きい
    assert information_content(a * b) == pytest.approx(information_content(a) + information_content(b), rel=1e-12, abs=1e-12)
    if a < b:
        assert information_content(a) > information_content(b)


# --- エントロピー ---------------------------------------------------------------------------

@pytest.mark.parametrize("N", [1, 2, 3, 6, 10, 100])
def test_entropy_of_the_uniform_distribution_is_log_n(N):
    assert entropy(np.full(N, 1 / N)) == pytest.approx(np.log(N), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0))
def test_bernoulli_entropy_closed_form(p):
    # 式 eq-math-info-bernoulli-entropy(0 log 0 = 0 とする)
    expected = -special.xlogy(p, p) - special.xlogy(1 - p, 1 - p)
    assert entropy(np.array([1 - p, p])) == pytest.approx(expected, abs=1e-15)
    assert entropy(np.array([1 - p, p])) <= np.log(2) + 1e-15


@pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.7, 0.93])
def test_bernoulli_entropy_derivative_is_log_of_odds_ratio(p):
    # 本文の導関数 log((1 - p) / p): p < 1/2 で正、p > 1/2 で負、p = 1/2 で 0
    derivative = numerical_derivative(lambda v: entropy(np.array([1 - v, v])), p)
    assert derivative == pytest.approx(np.log((1 - p) / p), abs=1e-8)


def test_bernoulli_entropy_curve_peaks_at_one_half_with_one_bit():
    p = np.linspace(0, 1, 501)
    h = entropy(np.column_stack([1 - p, p]))
    assert p[np.argmax(h)] == pytest.approx(0.5)
    assert h.max() / np.log(2) == pytest.approx(1.0)
    assert h[0] == h[-1] == 0.0                                  # 両端は 0(図 fig-math-info-bernoulli-entropy)


@settings(max_examples=60, deadline=None)
@given(seeds, sizes, st.booleans())
def test_entropy_matches_scipy_and_is_between_zero_and_log_n(seed, N, zeros):
    p = random_distribution(seed, N, zeros)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                          # 0 log 0 で RuntimeWarning を出さない
        value = entropy(p)
    assert value == pytest.approx(stats.entropy(p), abs=1e-12)
    assert -1e-15 <= value <= np.log(N) + 1e-12                 # 式 eq-math-info-max-entropy


def test_entropy_is_zero_only_for_a_certain_outcome_and_continuous_at_zero():
    assert entropy(np.array([0.0, 1.0, 0.0])) == 0.0
    assert entropy(np.array([1e-9, 1 - 1e-9, 0.0])) > 0
    # 確率を 0 に近づけると、0 log 0 = 0 とした値に近づく(節 sec-math-info-entropy-def)
    values = [entropy(np.array([0.5 - e, 0.5, e])) for e in (1e-2, 1e-4, 1e-8)]
    assert abs(values[-1] - np.log(2)) < 1e-6 and abs(values[0] - np.log(2)) > abs(values[1] - np.log(2))


def test_entropy_of_rows_equals_entropy_of_each_row():
    P = np.random.default_rng(0).dirichlet(np.ones(4), size=7)
    np.testing.assert_allclose(entropy(P), [entropy(row) for row in P], rtol=1e-14)
    assert entropy(P).shape == (7,)
    assert isinstance(entropy(P[0]), float)                      # 1 件なら Python の float


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 6), st.integers(1, 6))
def test_entropy_of_independent_pairs_adds(seed, N1, N2):
    # 演習 ex-math-info-independent
    p, r = random_distribution(seed, N1, True), random_distribution(seed + 1, N2, True)
    assert entropy(np.outer(p, r).ravel()) == pytest.approx(entropy(p) + entropy(r), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-300, 1.0, exclude_max=True))
def test_p_log_p_is_bounded_by_two_sqrt_p(p):
    # 演習 ex-math-info-plogp
    assert abs(p * np.log(p)) < 2 * np.sqrt(p)


# --- 交差エントロピーと KL ダイバージェンス ---------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(seeds, sizes, st.booleans())
def test_kl_is_non_negative_and_matches_scipy(seed, N, zeros):
    p, q = random_distribution(seed, N, zeros), random_distribution(seed + 1, N)
    kl = kl_divergence(p, q)
    assert kl >= -1e-12                                          # 式 eq-math-info-gibbs(丸め誤差の分だけ許す)
    assert kl == pytest.approx(stats.entropy(p, q), abs=1e-12)
    assert kl == pytest.approx(np.sum(special.rel_entr(p, q)), abs=1e-12)
    # 式 eq-math-info-kl: KL = H(p, q) - H(p)、H(p, q) は scipy の H(p) + KL
    assert cross_entropy(p, q) == pytest.approx(stats.entropy(p) + stats.entropy(p, q), abs=1e-12)
    assert kl == pytest.approx(cross_entropy(p, q) - entropy(p), abs=1e-12)
    if np.max(np.abs(p - q)) > 1e-3:
        assert kl > 0                                            # 等号は p = q のときだけ
    # 一様分布への KL は log N - H(p)(節 sec-math-info-kl-uniform)
    assert kl_divergence(p, np.full(N, 1 / N)) == pytest.approx(np.log(N) - entropy(p), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seeds, sizes, st.booleans())
def test_kl_of_a_distribution_with_itself_is_exactly_zero(seed, N, zeros):
    p = random_distribution(seed, N, zeros)
    assert kl_divergence(p, p) == 0.0
    assert cross_entropy(p, p) == pytest.approx(entropy(p), abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-3, 1e3))
def test_log_inequality(x):
    # 式 eq-math-info-log-inequality: log x <= x - 1、等号は x = 1 のときだけ
    assert np.log(x) <= x - 1 + 1e-15
    if abs(x - 1) > 1e-4:
        assert x - 1 - np.log(x) > 0
    assert np.log(1.0) == 1.0 - 1


def test_kl_is_not_symmetric_bernoulli_exercise():
    # 演習 ex-math-info-bernoulli-kl
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    assert kl_divergence(p, q) == pytest.approx(np.log(4 / 3) / 2, rel=1e-14)
    assert kl_divergence(q, p) == pytest.approx(0.75 * np.log(3) - np.log(2), rel=1e-13)
    assert kl_divergence(p, q) > kl_divergence(q, p)             # 「D(p || q) のほうが大きくなります」


def test_page_examples_dice_and_supports():
    die, loaded = np.full(6, 1 / 6), np.array([0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    assert entropy(loaded) == pytest.approx(np.log(20) / 2)      # 演習 ex-math-info-die
    assert entropy(loaded) < entropy(die)
    assert cross_entropy(loaded, die) == pytest.approx(np.log(6))
    assert kl_divergence(loaded, die) != pytest.approx(kl_divergence(die, loaded), rel=1e-3)
    # 節 sec-math-info-asymmetry: p = (1/3, 1/3, 1/3)、q = (1/2, 1/2, 0)
    p3, q3 = np.full(3, 1 / 3), np.array([0.5, 0.5, 0.0])
    assert kl_divergence(q3, p3) == pytest.approx(np.log(1.5))   # D_KL(q || p) = log(3/2)
    with pytest.raises(ValueError, match=r"p\[2\] は正なのに q\[2\] が 0 です"):
        kl_divergence(p3, q3)                                    # D_KL(p || q) は無限大(p_2 > 0、q_2 = 0)


def test_kl_of_nearly_equal_distributions_is_zero_up_to_rounding():
    # docstring: 数学的には 0 以上だが、ほぼ等しい分布では丸め誤差で -1e-16 程度になりうる
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(5), size=2000)
    Q = P * (1 + 1e-9 * rng.normal(size=P.shape))
    Q /= Q.sum(axis=1, keepdims=True)
    kl = kl_divergence(P, Q)
    assert np.all(np.abs(kl) < 1e-14)
    assert kl.min() > -1e-15


def test_page_random_pairs_have_positive_kl():
    rng = np.random.default_rng(0)
    P, Q = rng.dirichlet(np.ones(5), size=10_000), rng.dirichlet(np.ones(5), size=10_000)
    kl = kl_divergence(P, Q)
    np.testing.assert_allclose(kl, stats.entropy(P, Q, axis=1), atol=1e-12)
    assert kl.min() > 0 and np.all(kl_divergence(P, P) == 0.0)
    assert entropy(P).max() < np.log(5)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(2, 6))
def test_cross_entropy_gradient_with_respect_to_softmax_scores(seed, N):
    # 演習 ex-math-info-softmax-gradient: one-hot でない p でも ∂H(p, softmax(u))/∂u = softmax(u) - p
    rng = np.random.default_rng(seed)
    u, p = rng.normal(size=N), rng.dirichlet(np.ones(N))
    grad = numerical_gradient(lambda v: cross_entropy(p, softmax(v)), u)
    np.testing.assert_allclose(grad, softmax(u) - p, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(2, 5), st.integers(1, 30))
def test_three_views_of_the_categorical_likelihood(seed, N, M):
    # 式 eq-math-info-three-views: -(1/M) log L(q) = H(p_hat, q) = H(p_hat) + KL(p_hat || q)、最小は q = p_hat
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, N, size=M)
    q = rng.dirichlet(np.ones(N))
    p_hat = one_hot(labels, N).mean(axis=0)                      # 式 eq-math-info-empirical
    neg_mean_loglik = -np.mean(np.log(q[labels]))
    assert cross_entropy(p_hat, q) == pytest.approx(neg_mean_loglik, rel=1e-12)
    assert entropy(p_hat) + kl_divergence(p_hat, q) == pytest.approx(neg_mean_loglik, rel=1e-12)
    assert cross_entropy(p_hat, p_hat) <= cross_entropy(p_hat, q) + 1e-12


# --- 本書の損失関数との一致 -------------------------------------------------------------------------

def binary_chapter_data():
    x_raw, labels = load_iris(classes=(0, 1), features=(0, 1))
    x_train, _, yt, _ = train_test_split(x_raw, labels, test_size=30, seed=0)
    return add_dummy(x_train), yt


def multiclass_chapter_data():
    x_raw, labels = load_iris(features=(0, 2))
    x_train, _, yt, _ = train_test_split(x_raw, one_hot(labels, 3), test_size=45, seed=0)
    return add_dummy(standardize(x_train)[0]), yt


@pytest.mark.parametrize("trained", [False, True])
def test_binary_loss_is_the_mean_cross_entropy_of_two_class_distributions(trained):
    x, yt = binary_chapter_data()
    w = (train(logistic, x, yt, np.zeros(3), alpha=0.1, iters=5000)[0] if trained
         else np.random.default_rng(3).normal(size=3))
    yp = logistic.predict(x, w)
    ce = cross_entropy(np.column_stack([1 - yt, yt]), np.column_stack([1 - yp, yp]))
    assert ce.mean() == pytest.approx(logistic.loss(x, yt, w), rel=1e-12)   # 式 eq-math-info-loss-as-cross-entropy
    assert ce.mean() == pytest.approx(log_loss(yt, yp, labels=[0, 1]), rel=1e-10)
    # この学習データには、同じ入力に違う正解がないので C = 0、損失は KL の平均そのもの
    inputs, p_cond, weight = empirical_conditional(x, one_hot(yt.astype(int), 2))
    assert weight @ entropy(p_cond) == 0.0
    q = logistic.predict(inputs, w)
    assert weight @ kl_divergence(p_cond, np.column_stack([1 - q, q])) == pytest.approx(logistic.loss(x, yt, w), rel=1e-12)


@pytest.mark.parametrize("trained", [False, True])
def test_multiclass_loss_is_the_mean_cross_entropy(trained):
    x, yt = multiclass_chapter_data()
    W = (train(multiclass, x, yt, np.zeros((3, 3)), alpha=1.0, iters=2000)[0] if trained
         else np.random.default_rng(4).normal(size=(3, 3)))
    yp = multiclass.predict(x, W)
    ce = cross_entropy(yt, yp).mean()
    assert ce == pytest.approx(multiclass.loss(x, yt, W), rel=1e-12)
    assert ce == pytest.approx(multiclass.cross_entropy(yt, x @ W), rel=1e-12)
    assert ce == pytest.approx(log_loss(yt.argmax(axis=1), yp, labels=[0, 1, 2]), rel=1e-10)


def all_iris_two_features():
    x_raw, labels = load_iris(features=(0, 2))
    return add_dummy(standardize(x_raw)[0]), one_hot(labels, 3)


def test_iris_constant_is_the_entropy_of_the_one_mixed_input():
    # 節 sec-math-info-check-iris: 150 本のうち 1 つの入力だけに versicolor と virginica が 1 本ずつ
    x, yt = all_iris_two_features()
    inputs, p_cond, weight = empirical_conditional(x, yt)
    mixed = entropy(p_cond) > 0
    assert len(inputs) == 123 and mixed.sum() == 1
    np.testing.assert_allclose(p_cond[mixed][0], [0.0, 0.5, 0.5])
    assert weight[mixed][0] * len(x) == pytest.approx(2)
    assert weight @ entropy(p_cond) == pytest.approx(2 / 150 * np.log(2), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seeds, st.floats(0.1, 5))
def test_loss_minus_mean_kl_is_the_same_constant_for_every_weight(seed, scale):
    # 式 eq-math-info-loss-decomposition: L(W) = C + Σ (M_x/M) KL(p_hat(.|x) || q(.|x; W))、L(W) >= C
    x, yt = all_iris_two_features()
    inputs, p_cond, weight = empirical_conditional(x, yt)
    C = weight @ entropy(p_cond)
    W = scale * np.random.default_rng(seed).normal(size=(3, 3))
    L = multiclass.loss(x, yt, W)
    mean_kl = weight @ kl_divergence(p_cond, multiclass.predict(inputs, W))
    assert L - mean_kl == pytest.approx(C, abs=1e-12)
    assert L >= C


def test_minimising_mean_kl_and_cross_entropy_give_the_same_weights():
    x, yt = all_iris_two_features()
    inputs, p_cond, weight = empirical_conditional(x, yt)

    def mean_kl(W):
        return weight @ kl_divergence(p_cond, multiclass.predict(inputs, W))

    for W in (np.zeros((3, 3)), np.random.default_rng(1).normal(size=(3, 3))):
        np.testing.assert_allclose(numerical_gradient(mean_kl, W), multiclass.gradient(x, yt, W), atol=1e-8)
    W_kl = np.zeros((3, 3))
    for _ in range(100):
        W_kl = W_kl - numerical_gradient(mean_kl, W_kl)
    W_ce = train(multiclass, x, yt, np.zeros((3, 3)), alpha=1.0, iters=100)[0]
    np.testing.assert_allclose(W_kl, W_ce, atol=1e-7)


def test_coin_loss_is_entropy_plus_kl_and_its_minimum_is_the_entropy():
    # 節 sec-math-info-empirical と図 fig-math-info-coin-decomposition(確率と統計の章と同じコインのデータ)
    y = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    x = np.ones((len(y), 1))
    p_hat = one_hot(y, 2).mean(axis=0)
    np.testing.assert_allclose(p_hat, [0.3, 0.7])
    for w0 in (-1.0, 0.0, 1.0, 3.0):
        f = 1 / (1 + np.exp(-w0))
        assert logistic.loss(x, y, [w0]) == pytest.approx(entropy(p_hat) + kl_divergence(p_hat, np.array([1 - f, f])), rel=1e-12)
    w_mle = np.log(p_hat[1] / p_hat[0])
    assert logistic.loss(x, y, [w_mle]) == pytest.approx(entropy(p_hat), rel=1e-12)
    assert round(entropy(p_hat), 6) == 0.610864                  # 確率と統計の章の「どちらも0.610864」


def test_empirical_conditional_small_case_and_row_order():
    x = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 3.0], [1.0, 2.0]])
    yt = one_hot([0, 1, 1, 1], 2)
    inputs, p_cond, weight = empirical_conditional(x, yt)
    np.testing.assert_array_equal(inputs, [[1.0, 2.0], [1.0, 3.0]])
    np.testing.assert_allclose(p_cond, [[1 / 3, 2 / 3], [0.0, 1.0]])
    np.testing.assert_allclose(weight, [0.75, 0.25])
    order = [3, 1, 0, 2]
    again = empirical_conditional(x[order], yt[order])
    for a, b in zip(again, (inputs, p_cond, weight)):
        np.testing.assert_allclose(a, b)


# --- 入力の検査 --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: information_content(0.0), r"p は 0 より大きく 1 以下の確率にしてください\(確率 0 の事象の情報量は無限大です\)。受け取った値には \[0\.0\]"),
        (lambda: information_content([0.5, 1.5]), r"受け取った値には \[1\.5\] があります。"),
        (lambda: entropy(0.5), r"p は 1 次元か 2 次元の配列にしてください。"),
        (lambda: entropy([0.5, -0.1, 0.6]), r"p は 0 以上の確率の並びにしてください。p\[1\] が -0\.1 です。"),
        (lambda: entropy([0.5, 0.6]), r"p は和が 1 の確率分布にしてください。受け取った和は 1\.1 です。"),
        (lambda: entropy([[0.5, 0.5], [0.5, 0.6]]), r"p は和が 1 の確率分布\(行ごとに\)にしてください。受け取った行の和は 1 から 1\.1 です。"),
        (lambda: cross_entropy([0.5, 0.5], [0.2, 0.3, 0.5]), r"p と q は同じ形にしてください.*p \(2,\) と q \(3,\)"),
        (lambda: cross_entropy([0.5, 0.5], [1.0, 0.0]), r"p\[1\] は正なのに q\[1\] が 0 です"),
        (lambda: kl_divergence([[1.0, 0.0], [0.5, 0.5]], [[0.5, 0.5], [0.0, 1.0]]), r"p\[1, 0\] は正なのに q\[1, 0\] が 0 です"),
        (lambda: kl_divergence([0.5, np.nan], [0.5, 0.5]), r"p に NaN か inf が 1 個あります"),
        (lambda: empirical_conditional(np.ones((3, 2)), np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])),
         r"yt は one-hot\(各行で 1 つだけが 1、ほかは 0\)にしてください"),
        (lambda: empirical_conditional(np.ones((3, 2)), one_hot([0, 1], 2)), r"x と yt の行の数\(サンプルの件数 M\)"),
        (lambda: empirical_conditional(np.ones((3, 2)), np.array([0, 1, 1])), r"yt は 2 次元の配列にしてください"),
    ],
)
def test_information_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_functions_do_not_modify_their_inputs():
    p, q = np.array([0.0, 0.25, 0.75]), np.array([0.2, 0.3, 0.5])
    p_copy, q_copy = p.copy(), q.copy()
    entropy(p), cross_entropy(p, q), kl_divergence(p, q)
    np.testing.assert_array_equal(p, p_copy)
    np.testing.assert_array_equal(q, q_copy)


# --- 原稿と目次(ビルドなし)----------------------------------------------------------------------

def test_page_follows_the_probability_page_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    part = next(p for p in toc["parts"] if p["caption"] == "数学の準備")
    files = [c["file"] for c in part["chapters"]]
    assert files.index(PAGE) == files.index("book/math-probability") + 1


def test_page_never_uses_the_hidden_node_count():
    # 記号表: H は隠れ層のノード数。このページの H は H(p)、H(p, q) だけで、隠れ層は出てこない
    source = (ROOT / f"{PAGE}.md").read_text(encoding="utf-8")
    assert "隠れ層" not in source
    assert "$H$" not in source


def test_page_source_states_reading_order_and_keeps_symbols_apart():
    source = (ROOT / f"{PAGE}.md").read_text(encoding="utf-8")
    # 第 5 章・第 6 章の後に読む前提を冒頭で述べる(intro.md、math-curvature.md と同じ)
    head = source[:source.index("(sec-math-info-goals)=")]
    assert "<sec-multiclass>`を読んだ後に読むことを想定しています" in head
    # 記号表: u はソフトマックス関数に入る点数。一様な分布は \bar{q} と書く
    assert "一様な分布$\\bar{q}" in source and "$u =" not in source
    assert "$f$はシグモイド関数" in source
    # 線形分離可能なデータでは損失に最小値がない(「最小にする重みは…」と言い切らない)
    assert "最小にする重みがあれば" in source and "sec-logistic-no-minimum" in source


# --- ビルド済みのページ -------------------------------------------------------------------------

SECTIONS = [
    "sec-math-information", "sec-math-info-content", "sec-math-info-units", "sec-math-entropy",
    "sec-math-info-bernoulli", "sec-math-cross-entropy", "sec-math-info-ce-check", "sec-math-kl",
    "sec-math-info-log-inequality", "sec-math-info-gibbs", "sec-math-info-kl-uniform", "sec-math-info-asymmetry",
    "sec-math-info-mle", "sec-math-info-empirical", "sec-math-info-conditional", "sec-math-info-check-iris",
]
EQUATIONS = [
    "eq-math-info-content", "eq-math-info-bits", "eq-math-info-entropy", "eq-math-info-bernoulli-entropy",
    "eq-math-info-cross-entropy", "eq-math-info-loss-as-cross-entropy", "eq-math-info-kl",
    "eq-math-info-log-inequality", "eq-math-info-gibbs", "eq-math-info-max-entropy", "eq-math-info-empirical",
    "eq-math-info-three-views", "eq-math-info-empirical-conditional", "eq-math-info-loss-decomposition",
]
FIGURES = ["fig-math-info-bernoulli-entropy", "fig-math-info-log-inequality", "fig-math-info-coin-decomposition"]


class TestBuiltPage:
    def test_sections_are_labelled(self, soup):
        for label in SECTIONS:
            assert soup.find(id=label) is not None, f"{label} missing"

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations_are_labelled_math(self, soup, label):
        check_equation(soup, label)

    def test_equation_references_resolve(self, soup):
        assert not dangling_equation_references(soup)
        hrefs = [a["href"] for a in soup.select("article a[href]")]
        for target in ("math-probability.html#equation-eq-math-multiclass-cross-entropy",
                       "math-probability.html#equation-eq-math-coin-mle", "logistic-regression.html#sec-logistic",
                       "multiclass-classification.html#sec-multiclass"):
            assert any(h.endswith(target) for h in hrefs), target

    @pytest.mark.parametrize("name", FIGURES)
    def test_figures_have_image_alt_and_caption(self, site, soup, name):
        check_figure(site, soup, name)

    def test_exercises_have_collapsed_solutions(self, soup):
        check_exercises(soup, "ex-math-info-", 5, code_solutions=4)

    def test_prose_numbers_are_filled_from_the_code(self, soup):
        text = soup.get_text()
        assert "{glue" not in text
        assert "1.7918ナット" in text                              # サイコロの目 1 つの情報量
        assert "コインのエントロピーは1ビット" in text
        assert "0.063700で" in text and "0.093800で" in text      # 第 5 章・第 6 章の損失
        assert "= 0.009242です" in text                            # C = (2/150) log 2
        assert "= 0.610864になります" in text                      # コインの H(p_hat)
        assert "$C$ = 0です" in text or "\\(C\\) = 0です" in text   # 第 5 章のデータでは C = 0

    def test_chapter_numbers_render(self, soup):
        text = soup.get_text()
        assert "第5章" in text and "第6章" in text


@pytest.mark.parametrize("page, anchor", [
    ("book/logistic-regression", "math-information.html#sec-math-information"),
    ("book/multiclass-classification", "math-information.html#sec-math-info-mle"),
    ("book/math-probability", "math-information.html#sec-math-information"),
])
def test_chapters_link_to_the_information_page(site, page, anchor):
    hrefs = [a["href"] for a in built_page(site, page).select("article a[href]")]
    assert any(h.endswith(anchor) for h in hrefs), f"{page} does not link to {anchor}"


def test_notation_and_glossary_have_the_new_symbols_and_terms(site):
    notation = built_page(site, "book/notation")
    section = notation.find(id="sec-notation-information")
    assert section is not None
    text = section.find_parent("section").get_text() if section.name != "section" else section.get_text()
    for symbol in ("H(p)", "H(p, q)", "D_{\\mathrm{KL}}", "entropy(p)", "kl_divergence(p, q)"):
        assert symbol in text, symbol
    glossary = built_page(site, "book/glossary").get_text()
    for term in ("情報量", "エントロピー", "KLダイバージェンス"):
        assert f"{term}" in glossary
    assert "H(p, q) = -\\sum_k p_k \\log q_k" in glossary
