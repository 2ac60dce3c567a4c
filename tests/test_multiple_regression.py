"""「重回帰と正規方程式」(book/multiple-regression.md)の式と主張を数値で確かめる。

ベクトルで微分する規則は中心差分(dlmath.numdiff.numerical_gradient)と、正規方程式の解は
scikit-learn の LinearRegression・np.linalg.solve・収束するまで回した勾配降下法(dlmath.linear.fit)と、
条件数の式は np.linalg.cond と比べます。式や関数が間違っていれば、これらのテストが失敗します。
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.linear_model import LinearRegression

from conftest import built_page, chapters_by_numbering, check_equation, check_exercises, check_figure
from dlmath.data import DIABETES_FEATURES, load_diabetes
from dlmath.linear import fit, gradient, loss, normal_equation
from dlmath.numdiff import numerical_gradient
from dlmath.preprocess import add_dummy, standardize

PAGE = "book/multiple-regression"
EPS = np.finfo(np.float64).eps
sizes = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)


def random_problem(seed, M=30, D=5):
    rng = np.random.default_rng(seed)
    return add_dummy(rng.normal(size=(M, D - 1))), rng.normal(size=M), rng.normal(size=D)


def near_collinear(c, seed=0, M=200):
    """2 つ目の入力が 1 つ目に c × 正規乱数を足したもの。正解値は w_true から雑音なしで作る(節 sec-multireg-collinear)。"""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=M)
    x = add_dummy(np.column_stack([x1, x1 + c * rng.normal(size=M)]))
    w_true = np.array([1.0, 2.0, -1.0])
    return x, x @ w_true, w_true


def relative_error(w_hat, w_true):
    return np.linalg.norm(w_hat - w_true) / np.linalg.norm(w_true)


# --- ベクトルで微分する規則(節 sec-multireg-vector-derivative) ----------------------------------

@settings(max_examples=60, deadline=None)
@given(sizes, seeds)
def test_derivative_of_linear_form_is_b(D, seed):
    rng = np.random.default_rng(seed)
    b, w = rng.normal(size=D), rng.normal(size=D)
    # 式 eq-multireg-deriv-linear(bᵀw と wᵀb のどちらも)
    np.testing.assert_allclose(numerical_gradient(lambda v: b @ v, w), b, atol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ b, w), b, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(sizes, seeds)
def test_derivative_of_quadratic_form_is_a_plus_a_transpose_times_w(D, seed):
    rng = np.random.default_rng(seed)
    A, w = rng.normal(size=(D, D)), rng.normal(size=D)
    numeric = numerical_gradient(lambda v: v @ A @ v, w)
    np.testing.assert_allclose(numeric, (A + A.T) @ w, atol=1e-7)     # 式 eq-multireg-deriv-quadratic
    # 成分ごとの和(節 sec-multireg-quadratic-form の途中の式)とも同じ
    by_components = [sum(A[k, j] * w[j] for j in range(D)) + sum(A[i, k] * w[i] for i in range(D)) for k in range(D)]
    np.testing.assert_allclose(by_components, (A + A.T) @ w, atol=1e-12)
    S = A + A.T                                                        # 対称行列
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ S @ v, w), 2 * S @ w, atol=1e-7)  # 式 eq-multireg-deriv-symmetric


def test_two_a_w_is_wrong_for_a_non_symmetric_matrix():
    # 本文の「2Aw は対称行列にだけ使える」: 対称でない A では数値微分と合わない
    rng = np.random.default_rng(0)
    A, w = rng.normal(size=(4, 4)), rng.normal(size=4)
    numeric = numerical_gradient(lambda v: v @ A @ v, w)
    assert np.abs(numeric - 2 * A @ w).max() > 0.1
    assert np.abs(numeric - (A + A.T) @ w).max() < 1e-7


def test_exercise_quadratic_2d_by_hand():
    # 演習 ex-multireg-quadratic-2d: a=1, b=2, c=0, d=3, w=(1, -1) で (0, -4)
    A, w = np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, -1.0])
    np.testing.assert_allclose((A + A.T) @ w, [0.0, -4.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ A @ v, w), [0.0, -4.0], atol=1e-8)


# --- 損失関数の勾配(節 sec-multireg-gradient) -----------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_expanded_loss_equals_chapter_3_loss(seed):
    x, yt, w = random_problem(seed)
    M = len(yt)
    norm_form = np.linalg.norm(x @ w - yt) ** 2 / (2 * M)                           # 式 eq-multireg-loss-norm
    expanded = (w @ x.T @ x @ w - 2 * (x.T @ yt) @ w + yt @ yt) / (2 * M)          # 式 eq-multireg-loss-expanded
    assert norm_form == pytest.approx(loss(x, yt, w), rel=1e-12)
    assert expanded == pytest.approx(loss(x, yt, w), rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_one_line_gradient_equals_chapter_3_gradient_and_finite_differences(seed):
    x, yt, w = random_problem(seed)
    M = len(yt)
    # 2 つの規則を A = XᵀX、b = Xᵀyt に当てはめた形(式 eq-multireg-gradient の左の辺)
    by_rules = (2 * x.T @ x @ w - 2 * x.T @ yt) / (2 * M)
    np.testing.assert_allclose(by_rules, x.T @ (x @ w - yt) / M, atol=1e-12)
    np.testing.assert_allclose(by_rules, gradient(x, yt, w), atol=1e-12)       # 式 eq-linreg-grad-vector
    np.testing.assert_allclose(by_rules, numerical_gradient(lambda v: loss(x, yt, v), w), rtol=1e-6, atol=1e-9)


# --- 正規方程式とその解(節 sec-multireg-normal) ----------------------------------------------

def test_normal_equation_solves_the_normal_equation_and_zeros_the_gradient():
    x, yt, _ = random_problem(1, M=50, D=6)
    w = normal_equation(x, yt)
    np.testing.assert_allclose(x.T @ x @ w, x.T @ yt, atol=1e-10)                 # 式 eq-linreg-normal
    np.testing.assert_allclose(gradient(x, yt, w), 0.0, atol=1e-12)
    np.testing.assert_allclose(w, np.linalg.solve(x.T @ x, x.T @ yt), rtol=1e-10)
    # 最小: どの向きに動かしても損失は減らない
    for v in np.random.default_rng(2).normal(size=(20, 6)):
        assert loss(x, yt, w + 1e-3 * v) > loss(x, yt, w)


def test_normal_equation_matches_sklearn_on_diabetes():
    x_raw, yt = load_diabetes()
    w = normal_equation(add_dummy(x_raw), yt)
    reg = LinearRegression().fit(x_raw, yt)
    np.testing.assert_allclose(w, np.append(reg.intercept_, reg.coef_), rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 8), seeds)
def test_normal_equation_matches_sklearn_on_random_data(D, seed):
    rng = np.random.default_rng(seed)
    x_raw, yt = rng.normal(size=(3 * D, D - 1)), rng.normal(size=3 * D)
    reg = LinearRegression().fit(x_raw, yt)
    np.testing.assert_allclose(normal_equation(add_dummy(x_raw), yt), np.append(reg.intercept_, reg.coef_),
                               rtol=1e-8, atol=1e-8)


def test_fit_reaches_the_normal_equation_solution_on_standardized_diabetes():
    # 節 sec-multireg-descent: 第 3 章の fit をそのまま D = 11 で使い、学習率 1/λmax で 10000 回
    x_raw, yt = load_diabetes()
    x_std = add_dummy(standardize(x_raw)[0])
    lam_max = np.linalg.norm(x_std, 2) ** 2 / len(yt)
    w_gd, history = fit(x_std, yt, np.zeros(11), alpha=1 / lam_max, iters=10000)
    w_star = normal_equation(x_std, yt)
    np.testing.assert_allclose(w_gd, w_star, atol=1e-6)
    # 本文の「100 回で最小値との差が最小値の 1% 未満」(glue gd_loss_gap_100)
    L_star = loss(x_std, yt, w_star)
    assert (history.loss[100] - L_star) / L_star < 0.01
    # 重みの差の最大が 1e-3 以下になるのは 1000 回より後(本文の「さらに多くの繰り返し」)
    gap = np.abs(history.w - w_star).max(axis=1)
    assert 1000 < np.argmax(gap <= 1e-3) + 1 < 10000
    # 標準化しないと、同じ回数では最小値に届かない
    x = add_dummy(x_raw)
    lam_max_raw = np.linalg.norm(x, 2) ** 2 / len(yt)
    w_raw, _ = fit(x, yt, np.zeros(11), alpha=1 / lam_max_raw, iters=10000)
    assert loss(x, yt, w_raw) > 1.05 * loss(x, yt, normal_equation(x, yt))


def test_standardizing_keeps_the_minimum_loss():
    x_raw, yt = load_diabetes()
    x, x_std = add_dummy(x_raw), add_dummy(standardize(x_raw)[0])
    assert loss(x_std, yt, normal_equation(x_std, yt)) == pytest.approx(loss(x, yt, normal_equation(x, yt)), rel=1e-10)


@pytest.mark.parametrize("M, seed", [(200, 0), (2000, 1), (20000, 2)])
def test_known_weights_are_recovered_within_the_noise(M, seed):
    # 節 sec-multireg-synthetic: 差は σ/√M の数倍以内
    rng = np.random.default_rng(seed)
    w_true, sigma = np.array([1.0, 2.0, -3.0, 0.5]), 0.5
    x = add_dummy(rng.normal(size=(M, 3)))
    w = normal_equation(x, x @ w_true + sigma * rng.normal(size=M))
    assert np.abs(w - w_true).max() < 5 * sigma / np.sqrt(M)


def test_noise_free_data_is_recovered_exactly():
    x, yt, _ = random_problem(3, M=40, D=4)
    w_true = np.array([0.5, -1.0, 2.0, 3.0])
    np.testing.assert_allclose(normal_equation(x, x @ w_true), w_true, rtol=1e-12, atol=1e-12)


def test_min_norm_lstsq_solution_of_a_duplicated_column_has_the_same_loss():
    # 演習 ex-multireg-duplicate
    x_raw, yt = load_diabetes()
    x = add_dummy(x_raw)
    x_bad = np.column_stack([x, 2 * x_raw[:, 2]])
    w_min, _, rank, _ = np.linalg.lstsq(x_bad, yt, rcond=None)
    assert rank == 11
    assert loss(x_bad, yt, w_min) == pytest.approx(loss(x, yt, normal_equation(x, yt)), rel=1e-9)
    # BMI の重みを 2t 減らし、足した列の重みを t 増やしても予測値は同じ(解は無数にある)
    shifted = w_min.copy()
    shifted[3] -= 2 * 5.0
    shifted[-1] += 5.0
    np.testing.assert_allclose(x_bad @ shifted, x_bad @ w_min, atol=1e-8)


def test_more_inputs_never_raise_the_minimum_loss():
    # 演習 ex-multireg-bmi-only
    x_bmi, yt = load_diabetes(features=[2])
    x_all, _ = load_diabetes()
    L_bmi = loss(add_dummy(x_bmi), yt, normal_equation(add_dummy(x_bmi), yt))
    L_all = loss(add_dummy(x_all), yt, normal_equation(add_dummy(x_all), yt))
    assert L_all < L_bmi


@pytest.mark.parametrize(
    "x, yt, match",
    [
        (add_dummy(np.column_stack([np.arange(5.0), np.arange(5.0)])), np.ones(5),
         r"x の列が 1 次独立ではない\(ランク 2 < 列の数 D=3\).*同じ列の重複など.*np\.linalg\.lstsq"),
        (add_dummy(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])), np.ones(2),
         r"ランク 2 < 列の数 D=4.*サンプルの件数 M=2 が D より少ない"),
        (add_dummy(np.arange(6.0).reshape(3, 2)), np.ones(4), r"x と yt の行の数\(サンプルの件数 M\)"),
        (np.arange(5.0), np.ones(5), "x は 2 次元の配列にしてください"),
        (np.array([[1.0, 1.0], [1.0, 2.0], [1.0, np.nan]]), np.ones(3), "x に NaN か inf"),
        (add_dummy(np.arange(3.0).reshape(3, 1)), np.ones((3, 1)), "yt は 1 次元の配列にしてください"),
    ],
)
def test_normal_equation_rejects_bad_input(x, yt, match):
    with pytest.raises(ValueError, match=match):
        normal_equation(x, yt)


def test_constant_input_column_is_rank_deficient_with_the_dummy():
    # 値がすべて同じ入力は、ダミー変数の列の定数倍(第 3 章の「身長がすべて同じ値」)
    with pytest.raises(ValueError, match="1 次独立ではない"):
        normal_equation(add_dummy(np.full((5, 1), 170.0)), np.arange(5.0))


# --- 条件数(節 sec-multireg-condition) -------------------------------------------------------

def test_condition_number_is_the_ratio_of_the_largest_and_smallest_stretch():
    # 式 eq-multireg-condition: D = 2 の向きをすべて調べた比が np.linalg.cond と一致する
    x = np.random.default_rng(4).normal(size=(10, 2)) @ np.array([[3.0, 1.0], [0.0, 0.2]])
    phi = np.linspace(0, np.pi, 200_001)
    lengths = np.linalg.norm(x @ np.stack([np.cos(phi), np.sin(phi)]), axis=0)
    assert lengths.max() / lengths.min() == pytest.approx(np.linalg.cond(x), rel=1e-6)
    assert lengths.max() == pytest.approx(np.linalg.norm(x, 2), rel=1e-9)
    assert lengths.min() == pytest.approx(np.linalg.norm(x, -2), rel=1e-6)


@pytest.mark.parametrize("c", [1e-1, 1e-2, 1e-3, 1e-4, 1e-5])
def test_condition_number_of_normal_matrix_is_the_square(c):
    x, _, _ = near_collinear(c)
    assert np.linalg.cond(x.T @ x) == pytest.approx(np.linalg.cond(x) ** 2, rel=1e-4)  # 式 eq-multireg-condition-square


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 6), seeds)
def test_relative_error_is_bounded_by_the_condition_number(D, seed):
    # 式 eq-multireg-relative-error
    rng = np.random.default_rng(seed)
    A, w = rng.normal(size=(D, D)), rng.normal(size=D)
    b = A @ w
    db = 1e-6 * rng.normal(size=D)
    dw = np.linalg.solve(A, db)
    assert np.linalg.norm(dw) / np.linalg.norm(w) <= np.linalg.cond(A) * np.linalg.norm(db) / np.linalg.norm(b) * (1 + 1e-6)


@pytest.mark.parametrize("c", [1e-3, 1e-5, 1e-6])
def test_lstsq_error_follows_kappa_and_normal_matrix_error_follows_kappa_squared(c):
    x, yt, w_true = near_collinear(c)
    kappa = np.linalg.cond(x)
    err_lstsq = relative_error(normal_equation(x, yt), w_true)
    err_solve = relative_error(np.linalg.solve(x.T @ x, x.T @ yt), w_true)
    err_inv = relative_error(np.linalg.inv(x.T @ x) @ (x.T @ yt), w_true)
    assert err_lstsq < 100 * kappa * EPS
    assert err_solve > 10 * err_lstsq and err_inv > 10 * err_lstsq
    assert err_solve < 100 * kappa**2 * EPS
    # 本文の「inv の誤差は solve と同じ程度」: どちらが小さいかは決めず、3 倍以内
    assert 1 / 3 < err_inv / err_solve < 3


def test_curvature_ratio_is_the_square_of_the_condition_number():
    # 節 sec-multireg-collinear・sec-multireg-descent: λmax/λmin = κ(X)²
    from dlmath.curvature import curvatures, linear_hessian
    from dlmath.data import load_height_weight

    x_raw, _ = load_diabetes()
    heights = load_height_weight()[:, 0:1]
    for x in (add_dummy(x_raw), add_dummy(standardize(x_raw)[0]), add_dummy(heights),
              add_dummy(heights - heights.mean())):
        lambdas = curvatures(linear_hessian(x))[0]
        M = x.shape[0]
        assert lambdas[-1] == pytest.approx(np.linalg.norm(x, 2) ** 2 / M, rel=1e-9)
        assert lambdas[-1] / lambdas[0] == pytest.approx(np.linalg.cond(x) ** 2, rel=1e-5)
    # センタリングした身長では曲がり具合は 1 と s なので、比は s(身長の分散)
    x_c = add_dummy(heights - heights.mean())
    assert np.linalg.cond(x_c) ** 2 == pytest.approx(np.var(heights), rel=1e-9)


def test_exercise_iterations_prediction_bounds_the_count():
    # 演習 ex-multireg-iterations: 式 eq-math-curv-iterations の回数(κ = κ(X)²)で差は 1e-6 倍以下になり、
    # 実際の回数はその予測以下で、同じ程度の大きさ
    from dlmath.curvature import best_alpha, linear_hessian

    x_raw, yt = load_diabetes()
    x_std = add_dummy(standardize(x_raw)[0])
    kappa2 = np.linalg.cond(x_std) ** 2
    predicted = int(np.ceil(np.log(1e6) / np.log((kappa2 + 1) / (kappa2 - 1))))
    w_star = normal_equation(x_std, yt)
    _, history = fit(x_std, yt, np.zeros(11), alpha=best_alpha(linear_hessian(x_std)), iters=predicted)
    gap = np.linalg.norm(history.w - w_star, axis=1) / np.linalg.norm(w_star)
    assert gap[-1] <= 1e-6
    assert predicted / 2 < np.argmax(gap <= 1e-6) + 1 <= predicted


# --- データ ----------------------------------------------------------------------------------

def test_load_diabetes_returns_the_bundled_raw_data():
    x, yt = load_diabetes()
    reference = datasets.load_diabetes(scaled=False)
    assert x.shape == (442, 10) and yt.shape == (442,) and len(DIABETES_FEATURES) == 10
    np.testing.assert_array_equal(x, reference.data)
    np.testing.assert_array_equal(yt, reference.target)
    assert set(np.unique(x[:, 1])) == {1.0, 2.0}       # 性別は 1 か 2(元の尺度のまま)
    assert x.dtype == np.float64 and yt.dtype == np.float64


def test_load_diabetes_selects_features_in_the_given_order():
    x_all, yt_all = load_diabetes()
    x, yt = load_diabetes(features=(3, 2))
    np.testing.assert_array_equal(x, x_all[:, [3, 2]])
    np.testing.assert_array_equal(yt, yt_all)
    x[0, 0] = -1.0                                      # 返す配列は呼ぶたびに新しい
    assert load_diabetes(features=(3,))[0][0, 0] != -1.0


@pytest.mark.parametrize(
    "features, error, match",
    [
        ((10,), ValueError, "features は 0 から 9 までの異なる整数の並び"),
        ((1, 1), ValueError, "features は 0 から 9 までの異なる整数の並び"),
        ((), ValueError, "features"),
        (2, TypeError, r"features は \(0, 1\) のような整数の並び"),
        ((0.5,), TypeError, "features は 0 から 9 までの異なる整数の並び"),
    ],
)
def test_load_diabetes_rejects_bad_features(features, error, match):
    with pytest.raises(error, match=match):
        load_diabetes(features=features)


# --- ビルド済みのページ ----------------------------------------------------------------------

EQUATIONS = [
    "eq-multireg-vector-derivative", "eq-multireg-deriv-linear", "eq-multireg-deriv-quadratic",
    "eq-multireg-deriv-symmetric", "eq-multireg-loss-norm", "eq-multireg-loss-expanded", "eq-multireg-gradient",
    "eq-multireg-null", "eq-multireg-condition", "eq-multireg-relative-error", "eq-multireg-condition-square",
]
SECTIONS = [
    "sec-multireg", "sec-multireg-goals", "sec-multireg-vector-derivative", "sec-multireg-gradient",
    "sec-multireg-normal", "sec-multireg-rank", "sec-multireg-lstsq", "sec-multireg-condition",
    "sec-multireg-collinear", "sec-multireg-synthetic", "sec-multireg-diabetes", "sec-multireg-sklearn",
    "sec-multireg-descent", "sec-multireg-cost", "sec-multireg-summary", "sec-multireg-exercises",
]


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


def glued(text, pattern):
    match = re.search(pattern, text)
    assert match, pattern
    return float(match.group(1))


class TestBuiltPage:
    def test_sections_exist(self, soup):
        for label in SECTIONS:
            assert soup.find(id=label) is not None, label

    @pytest.mark.parametrize("label", EQUATIONS)
    def test_equations_are_numbered_in_this_chapter(self, soup, label):
        numbered, _ = chapters_by_numbering()
        check_equation(soup, label, chapter=numbered.index(PAGE) + 1)

    def test_figure(self, site, soup):
        check_figure(site, soup, "fig-multireg-condition")

    def test_exercises_have_worked_solutions_that_run(self, soup):
        check_exercises(soup, "ex-multireg-", 4, code_solutions=4)

    def test_prose_numbers_back_the_claims(self, soup):
        text = soup.get_text()
        assert "{glue" not in text
        # sklearn との差は丸め誤差の大きさ
        assert glued(text, r"2つの重みの差は最大でも([0-9.e+-]+)で") < 1e-9
        # lstsq と solve の誤差の違いは何桁にもなる
        ratio = glued(text, r"`?solve`?の誤差は`?lstsq`?の([0-9.e+-]+)倍です")
        assert ratio > 1e3
        # 勾配降下法は正規方程式と同じ答えに着く
        assert glued(text, r"10000回後の差は([0-9.e+-]+)で") < 1e-6
        # 標準化しないと最小値に届かない
        assert glued(text, r"10000回更新しても損失は([0-9.]+)で") > glued(text, r"最小の損失は\\?\(?L\^\*\\?\)? = ([0-9.]+)")

    def test_cost_table_has_the_three_sizes_and_the_ratio_grows(self, soup):
        text = soup.get_text()
        first = glued(text, r"D\\?\)? = 10で([0-9.]+)回分")
        last = glued(text, r"D\\?\)? = 1000で([0-9.]+)回分")
        assert last > first

    def test_chapter_3_links_here(self, site):
        chapter3 = built_page(site, "book/linear-regression")
        hrefs = [a["href"] for a in chapter3.select("article a[href]")]
        assert sum(h.endswith("multiple-regression.html#sec-multireg") for h in hrefs) >= 2
