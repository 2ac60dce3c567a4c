"""「重みの初期値」(book/weight-initialization.md)と dlmath.initialization、network.init_weights の初期値の式を確かめる。

- 標準偏差の式(式 eq-init-std、eq-init-uniform)は閉じた形と、選んだ重みの標本分散と比べます。許す差は標本分散の
  標準誤差(正規分布で相対 √(2/K)、一様分布で相対 √(0.8/K)、K は重みの個数)の 5 倍です。
- 分散の式(式 eq-init-forward-variance)と漸化式(式 eq-init-recursion)は、scipy の数値積分とシミュレーションと比べます。
- 同じ値の初期値では、勾配の列がすべて同じになること(対称性)を確かめます。
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from conftest import built_page, check_equation, check_exercises, check_figure, dangling_equation_references
from dlmath import network
from dlmath.activations import sigmoid
from dlmath.data import load_digits
from dlmath.initialization import forward_variances, layer_values, second_moment, split_variance
from dlmath.network import init_weights, weight_std
from dlmath.preprocess import add_dummy, one_hot

PAGE = "book/weight-initialization"
RANDOM_METHODS = ("he", "xavier", "he_uniform", "xavier_uniform")


# --- 標準偏差の式と、選んだ重み ------------------------------------------------------------------


@pytest.mark.parametrize("fan_in, fan_out", [(1, 1), (64, 100), (400, 300), (7, 1000)])
def test_weight_std_closed_forms(fan_in, fan_out):
    # 式 eq-init-std: He は √(2/n_in)、Xavier は √(2/(n_in + n_out))。一様分布の版も同じ標準偏差
    assert weight_std("he", fan_in, fan_out) == pytest.approx(np.sqrt(2 / fan_in), rel=1e-15)
    assert weight_std("he_uniform", fan_in, fan_out) == weight_std("he", fan_in, fan_out)
    assert weight_std("xavier", fan_in, fan_out) == pytest.approx(np.sqrt(2 / (fan_in + fan_out)), rel=1e-15)
    assert weight_std("xavier_uniform", fan_in, fan_out) == weight_std("xavier", fan_in, fan_out)
    assert weight_std("normal", fan_in, fan_out, std=0.25) == 0.25
    # 調和平均: 1/σ² は 1/(1/n_in) と 1/(1/n_out) の算術平均
    assert 1 / weight_std("xavier", fan_in, fan_out) ** 2 == pytest.approx((fan_in + fan_out) / 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", RANDOM_METHODS)
def test_drawn_weights_have_the_formula_variance_and_mean_zero(method, seed):
    fan_in, fan_out = 300, 400
    W = init_weights(fan_in + 1, [], fan_out, seed, method=method)[0]
    assert np.all(W[0] == 0.0)  # 切片の行
    w = W[1:].ravel()
    K, sigma = w.size, weight_std(method, fan_in, fan_out)
    # 標本分散の相対的な標準誤差は √((κ - 1)/K)(κ は尖度: 正規分布 3、一様分布 9/5)。その 5 倍まで許す
    kurtosis = 9 / 5 if method.endswith("_uniform") else 3.0
    assert w.var() == pytest.approx(sigma**2, rel=5 * np.sqrt((kurtosis - 1) / K))
    assert abs(w.mean()) < 5 * sigma / np.sqrt(K)
    if method.endswith("_uniform"):
        r = np.sqrt(3) * sigma  # 式 eq-init-uniform
        assert np.abs(w).max() <= r
        assert np.abs(w).max() > 0.999 * r  # 区間の端まで使う
        # 分布の形も一様分布(コルモゴロフ-スミルノフ検定。有意水準 1e-4 で棄却されない)
        assert stats.kstest(w, stats.uniform(-r, 2 * r).cdf).pvalue > 1e-4
    else:
        assert stats.kstest(w, stats.norm(0, sigma).cdf).pvalue > 1e-4


def test_uniform_variance_is_r_squared_over_three():
    # 一様分布 [-r, r] の分散 ∫ v² / (2r) dv = r²/3 を数値積分で
    for r in (0.1, 1.0, 3.0):
        value, _ = integrate.quad(lambda v: v**2 / (2 * r), -r, r)
        assert value == pytest.approx(r**2 / 3, rel=1e-12)


def test_he_and_xavier_draws_are_unchanged_so_chapters_7_and_8_keep_their_numbers():
    # init_weights の "he" と "xavier" は、rng.normal(0, 標準偏差, 形) を層ごとに 1 回呼ぶのと 1 ビットも違わない
    for method, std in (("he", lambda i, o: np.sqrt(2.0 / i)), ("xavier", lambda i, o: np.sqrt(2.0 / (i + o)))):
        rng = np.random.default_rng(0)
        expected = []
        for fan_in, fan_out in ((64, 100), (100, 50), (50, 10)):
            W = rng.normal(0.0, std(fan_in, fan_out), size=(fan_in + 1, fan_out))
            W[0] = 0.0
            expected.append(W)
        for got, want in zip(init_weights(65, [100, 50], 10, 0, method=method), expected):
            np.testing.assert_array_equal(got, want)


def test_normal_method_uses_the_given_std_and_equal_is_unchanged():
    W = init_weights(501, [400], 3, 5, method="normal", std=0.01)[0][1:]
    assert W.std() == pytest.approx(0.01, rel=5 * np.sqrt(2 / W.size))
    for W in init_weights(4, [5, 6], 3, 0, method="equal"):
        assert np.all(W[0] == 0.0) and np.all(W[1:] == 0.1)


# --- 分散の式と漸化式 -------------------------------------------------------------------------------


def test_forward_variance_formula_with_inputs_of_different_distributions():
    # 式 eq-init-forward-variance: 入力を固定し、重みを何度も選び直した平均が σ² Σ E[z_i²] に一致する
    # (画素ごとに分布の違う手書き数字。入力どうしの独立も、同じ分布も要らない)
    x_raw, _ = load_digits()
    z = x_raw[:300] / 16
    sigma, draws = 0.1, 4000
    rng = np.random.default_rng(0)
    v = rng.normal(0.0, sigma, size=(z.shape[1], draws))  # 列ごとに 1 回分の重み
    a = z @ v
    per_draw = np.mean(a**2, axis=0)  # 重み 1 組ごとの、サンプルについての a² の平均
    expected = sigma**2 * np.sum(np.mean(z**2, axis=0))
    se = per_draw.std() / np.sqrt(draws)
    assert abs(per_draw.mean() - expected) < 5 * se
    assert abs(a.mean()) < 5 * a.std() / np.sqrt(draws)  # E[a] = 0


def test_moment_split():
    # 式 eq-init-moment-split: E[z²] = V[z] + μ²(データの平均と分散でも正確に成り立つ)
    z = sigmoid(np.random.default_rng(1).normal(size=1000))
    assert np.mean(z**2) == pytest.approx(z.var() + z.mean() ** 2, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 50.0))
def test_second_moment_matches_numerical_integration(q):
    # 式 eq-init-moment: g(q) = ∫ f(a)² N(a; 0, q) da
    assert second_moment("relu", q) == q / 2
    if q == 0:
        expected = 0.25
    else:
        s = np.sqrt(q)
        expected, _ = integrate.quad(lambda a: float(sigmoid(a)) ** 2 * stats.norm.pdf(a, 0, s), -12 * s, 12 * s,
                                     points=[0.0], limit=200)
    assert second_moment("sigmoid", q) == pytest.approx(expected, abs=1e-6)
    assert second_moment("sigmoid", q) >= 0.25 - 1e-12  # 演習 ex-init-sigmoid-floor


def test_relu_second_moment_matches_monte_carlo():
    a = np.random.default_rng(2).normal(0.0, 1.5, size=400_000)
    # 標本平均の標準誤差の 5 倍まで
    values = np.maximum(a, 0) ** 2
    assert abs(values.mean() - second_moment("relu", 1.5**2)) < 5 * values.std() / np.sqrt(a.size)


def test_relu_recursion_is_geometric():
    # ReLU では q_{l+1} = (n σ² / 2) q_l
    q = forward_variances(0.3, [64, 100, 100, 100], [0.05, 0.2, 0.2, 0.2], "relu")
    assert q[0] == pytest.approx(64 * 0.05**2 * 0.3)
    np.testing.assert_allclose(q[1:] / q[:-1], 100 * 0.2**2 / 2, rtol=1e-12)
    he = forward_variances(1.0, [100] * 6, [weight_std("he", 100, 100)] * 6, "relu")
    np.testing.assert_allclose(he, 100 * (2 / 100) * 1.0, rtol=1e-12)  # He: 一定


def test_sigmoid_recursion_matches_a_loop_with_quadrature():
    fan_ins, stds = [64, 100, 50], [0.3, 0.1, 0.2]
    q, moment = [], 0.25
    for n, s in zip(fan_ins, stds):
        q.append(n * s**2 * moment)
        root = np.sqrt(q[-1])
        moment, _ = integrate.quad(lambda a: float(sigmoid(a)) ** 2 * stats.norm.pdf(a, 0, root), -12 * root,
                                   12 * root)
    np.testing.assert_allclose(forward_variances(0.25, fan_ins, stds, "sigmoid"), q, rtol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("options", [{"method": "he"}, {"method": "xavier"}, {"method": "normal", "std": 0.02},
                                     {"method": "xavier_uniform"}])
def test_recursion_reproduced_by_simulation(activation, options):
    # 式 eq-init-recursion を、標準正規分布の入力と幅 H = 1600 の 4 層で再現する。1 回選んだ重みで層の分散を測ると、
    # 1 層あたり相対的に √(2/H)(= 3.5%)ほどまで揺れうる(入力の相関が最大のとき)。4 層で重なっても 15% に収まる
    H, M = 1600, 2000
    rng = np.random.default_rng(0)
    x = add_dummy(rng.normal(size=(M, 200)))
    weights = init_weights(201, [H] * 4, 10, rng, **options)
    a_values, z_values = layer_values(x, weights, activation)
    fan_ins = [200, H, H, H]
    stds = [weight_std(options["method"], n, H, options.get("std")) for n in fan_ins]
    predicted = forward_variances(np.mean(x[:, 1:] ** 2), fan_ins, stds, activation)
    measured = np.array([a.var() for a in a_values])
    np.testing.assert_allclose(measured, predicted, rtol=0.15)


def test_layer_values_are_the_forward_cache():
    rng = np.random.default_rng(3)
    x = add_dummy(rng.normal(size=(6, 4)))
    weights = init_weights(5, [7, 3], 2, rng)
    a_values, z_values = layer_values(x, weights, "sigmoid")
    assert [a.shape for a in a_values] == [(6, 7), (6, 3)] == [z.shape for z in z_values]
    z = x
    for V, a, zl in zip(weights[:-1], a_values, z_values):
        np.testing.assert_allclose(a, z @ V)
        np.testing.assert_allclose(zl, sigmoid(z @ V))
        z = add_dummy(zl)


@given(st.integers(2, 30), st.integers(1, 12), st.integers(0, 10 ** 6))
@settings(max_examples=30, deadline=None)
def test_split_variance_is_the_law_of_total_variance(M, H, seed):
    # between + within は a 全体の分散に等しく、between はノードごとの平均の分散、within は列ごとの分散の平均
    a = np.random.default_rng(seed).normal(size=(M, H)) * np.arange(1, H + 1) + np.arange(H)
    between, within = split_variance(a)
    assert between + within == pytest.approx(a.var(), rel=1e-12, abs=1e-12)
    assert between == pytest.approx(np.var([a[:, h].mean() for h in range(H)]), rel=1e-12, abs=1e-12)
    assert within == pytest.approx(np.mean([a[:, h].var() for h in range(H)]), rel=1e-12, abs=1e-12)


def test_split_variance_of_a_constant_offset_per_node_is_all_between():
    a = np.tile(np.array([0.3, -1.0, 2.0]), (5, 1))  # どの画像でも同じ値のノードが 3 つ
    between, within = split_variance(a)
    assert within == 0 and between == pytest.approx(np.var([0.3, -1.0, 2.0]))


@pytest.mark.parametrize("method, n_sigma2", [("xavier", 1.0), ("he", 2.0)])
def test_sigmoid_within_node_spread_shrinks_by_at_most_root_n_sigma2_over_4(method, n_sigma2):
    # 式 eq-init-offset の第 2 項: ノードの中での(画像についての)標準偏差は 1 層ごとに
    # およそ √(nσ²)·f'(a) 倍で、f'(a) ≤ 1/4。手書き数字、100 ノードの 5 層(本文と同じ)で測る
    x_raw, _ = load_digits()
    x = add_dummy(x_raw / 16)
    weights = init_weights(65, [100] * 5, 10, 0, method=method)
    a_values, _ = layer_values(x, weights, "sigmoid")
    within = np.sqrt([split_variance(a)[1] for a in a_values])
    bound = np.sqrt(n_sigma2) / 4
    ratios = within[1:] / within[:-1]
    assert np.all(ratios < 1.02 * bound) and np.all(ratios > 0.8 * bound), ratios
    between, whole = split_variance(a_values[-1])[0], a_values[-1].var()
    assert between / whole > 0.99  # 5 層目の分散はほぼすべてノードごとの一定のずれ


# --- 対称性 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_equal_initialisation_gives_identical_gradient_columns_in_every_layer(activation):
    rng = np.random.default_rng(4)
    x = add_dummy(rng.normal(size=(40, 6)))
    yt = one_hot(rng.integers(0, 3, size=40), 3)
    weights = init_weights(7, [5, 8, 4], 3, 0, method="equal")
    grads = network.gradient(x, yt, weights, activation)
    _, z_values = layer_values(x, weights, activation)
    for z in z_values:
        np.testing.assert_array_equal(z, np.repeat(z[:, :1], z.shape[1], axis=1))
    for g in grads[:-1]:
        assert np.abs(g).max() > 0
        np.testing.assert_allclose(g, np.repeat(g[:, :1], g.shape[1], axis=1), rtol=1e-12, atol=0)
    # 出力層の重みは、隠れ層のノードの行(1 行目以降)がすべて同じ
    np.testing.assert_allclose(grads[-1][1:], np.repeat(grads[-1][1:2], grads[-1].shape[0] - 1, axis=0), rtol=1e-12)
    # 乱数の初期値なら列は違う(このテストが失敗しうることの確認)
    random_grads = network.gradient(x, yt, init_weights(7, [5, 8, 4], 3, 0), activation)
    assert not np.allclose(random_grads[0], random_grads[0][:, :1])


# --- 入力検査 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: weight_std("lecun", 3, 4), ValueError, "method は 'he'、'xavier'"),
        (lambda: weight_std("equal", 3, 4), ValueError, "method は"),
        (lambda: weight_std("he", 0, 4), ValueError, "fan_in は正の整数"),
        (lambda: weight_std("xavier", 3, 2.5), TypeError, "fan_out"),
        (lambda: weight_std("normal", 3, 4), TypeError, "std を正の数で渡して"),
        (lambda: weight_std("normal", 3, 4, std=-0.1), ValueError, "std は正の有限の数"),
        (lambda: weight_std("he", 3, 4, std=0.1), ValueError, "std は method='normal' のときだけ"),
        (lambda: init_weights(3, [4], 2, 0, method="normal"), TypeError, "std を正の数で渡して"),
        (lambda: init_weights(3, [4], 2, 0, method="xavier", std=1.0), ValueError, "std を外して"),
        (lambda: init_weights(3, [4], 2, 0, method="zeros"), ValueError, "'he_uniform'"),
        (lambda: second_moment("tanh", 1.0), ValueError, "activation は 'relu' か 'sigmoid'"),
        (lambda: second_moment("relu", -1.0), ValueError, "q は 0 以上の数"),
        (lambda: second_moment("relu", np.nan), ValueError, "NaN"),
        (lambda: forward_variances(1.0, [3, 4], [0.1], "relu"), ValueError, "同じ長さ"),
        (lambda: forward_variances(1.0, [], [], "relu"), ValueError, "stds は空でない配列"),
        (lambda: forward_variances(1.0, [], [0.1], "relu"), ValueError, "同じ長さ"),
        (lambda: forward_variances(1.0, 3, [0.1], "relu"), TypeError, "fan_ins は隠れ層ごとに 1 つの整数"),
        (lambda: forward_variances(-1.0, [3], [0.1], "relu"), ValueError, "input_moment は 0 以上"),
        (lambda: forward_variances(1.0, [0], [0.1], "relu"), ValueError, r"fan_ins\[0\] は正の整数"),
        (lambda: forward_variances(1.0, [2.5], [0.1], "relu"), TypeError, r"fan_ins\[0\] は正の整数"),
        (lambda: forward_variances(1.0, [3], [0.0], "relu"), ValueError, r"stds\[0\] は正の有限の数"),
        (lambda: layer_values(np.ones((3, 2)), init_weights(3, [4], 2, 0)), ValueError, "weights\\[0\\] の行の数"),
        (lambda: split_variance(np.ones(3)), ValueError, "a は 2 次元の配列にしてください"),
        (lambda: split_variance([[1.0, np.nan]]), ValueError, "a"),
    ],
)
def test_error_paths(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- ビルド済みのページ --------------------------------------------------------------------------

EQUATIONS = ["eq-init-forward-variance", "eq-init-moment-split", "eq-init-moment", "eq-init-recursion",
             "eq-init-std", "eq-init-uniform", "eq-init-offset"]
FIGURES = ["fig-init-hist-sigmoid", "fig-init-hist-relu", "fig-init-std", "fig-init-grads"]


class TestBuiltPage:  # soup は conftest の、PAGE のビルド済みのページ
    def test_title_and_section_labels(self, soup):
        assert soup.find(id="sec-init") is not None
        for label in ("sec-init-goals", "sec-init-recap", "sec-init-forward", "sec-init-recursion", "sec-init-methods",
                      "sec-init-experiment", "sec-init-histograms", "sec-init-std", "sec-init-offset", "sec-init-symmetry",
                      "sec-init-gradients", "sec-init-in-book", "sec-init-summary", "sec-init-exercises"):
            assert soup.find(id=label) is not None, label
        assert "重みの初期値" in soup.find("h1").get_text()

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations(self, soup, label):
        check_equation(soup, label)

    def test_equation_references_resolve(self, soup):
        assert not dangling_equation_references(soup)

    @pytest.mark.parametrize("name", FIGURES)
    def test_figures(self, site, soup, name):
        check_figure(site, soup, name)

    def test_exercises(self, soup):
        check_exercises(soup, "ex-init-", 3, code_solutions=3)

    def test_links_back_to_chapter_7(self, soup):
        hrefs = [a["href"] for a in soup.select("article a[href]")]
        for anchor in ("sec-deep-he", "sec-deep-xavier", "sec-deep-same-init", "sec-deep-vanishing"):
            assert any(h.endswith(f"deep-learning.html#{anchor}") for h in hrefs), anchor

    def test_chapter_7_links_here(self, site):
        deep = built_page(site, "book/deep-learning")
        section = deep.find(id="sec-deep-xavier").find_parent("section") or deep.find(id="sec-deep-xavier")
        assert section.select_one('a[href*="weight-initialization.html#sec-init"]') is not None

    def test_prose_numbers_are_filled_from_the_code(self, soup):
        text = soup.get_text()
        assert "{glue" not in text
        # 式 eq-init-forward-variance の確認: 測った分散と式の値
        match = re.search(r"測った分散は(\d\.\d{4})、式\S*の値は(\d\.\d{4})です", text)
        assert match and abs(float(match[1]) / float(match[2]) - 1) < 0.05
        # ReLU の 1 層あたりの倍率は予測 √(nσ²/2) に近い
        pairs = re.findall(r"(\d+\.\d+)倍\(予測(\d+(?:\.\d+)?)倍\)", text)
        assert len(pairs) == 4, pairs
        for measured, theory in re.findall(r"(\d+\.\d+)倍\(予測(\d+(?:\.\d+)?)倍\)", text):
            assert abs(float(measured) / float(theory) - 1) < 0.1, (measured, theory)
        assert "ちょうど10.0倍" in text  # 同じ値の初期値の ReLU
        # シグモイド関数では、ノードの中での(画像についての)標準偏差が 1 層ごとに √(nσ²)/4 倍以下に縮む
        rates = re.findall(r"1層あたり(?:平均)?(\d\.\d\d)倍(?:で縮みます|です)?\(見積もりは", text)
        assert len(rates) == 2, rates
        for rate, bound in zip(rates, (0.25, np.sqrt(2) / 4)):
            assert 0.8 * bound < float(rate) <= 1.01 * bound, (rate, bound)

    def test_outputs_show_the_symmetry_and_the_training_results(self, soup):
        outputs = "\n".join(o.get_text() for o in soup.select(".cell_output"))
        assert "出力の列どうしの差の最大 0.0e+00" in outputs
        assert "σ=1    発散して止まりました" in outputs
        accuracy = dict(re.findall(r"(Xavier|He) +テストデータの正解率: 1 エポック後 [\d.]+、10 エポック後 ([\d.]+)", outputs))
        assert float(accuracy["He"]) > 0.9 and float(accuracy["Xavier"]) > 0.9
