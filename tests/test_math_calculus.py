"""「関数と微分」(book/math-derivatives.md)と「指数関数と対数関数」(book/math-exp-log.md)の式を数値で確かめる。

ページが述べる微分の公式(べき乗・積・商・連鎖律・e^x・log x・a^x・シグモイド関数)は、どれも
dlmath.numdiff.numerical_derivative(本書で唯一の差分の実装)と比べます。数値微分の誤差の式
(テイラー展開による O(h)、O(h²) と丸め誤差によるV字)、e の極限とその丸め誤差、対数による積の和への変換と
アンダーフローも、ページと同じ計算で確かめます。公式が間違っていれば、これらのテストが失敗します。
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import built_page, check_exercises, check_figure, dangling_equation_references
from dlmath.activations import sigmoid, sigmoid_derivative, softmax
from dlmath.numdiff import numerical_derivative

EPS = np.finfo(np.float64).eps
SETTINGS = settings(max_examples=50, deadline=None)
xs_any = st.floats(-2.0, 2.0)
xs_positive = st.floats(0.5, 3.0)
coefficients = st.lists(st.floats(-5.0, 5.0), min_size=1, max_size=6)


def polynomial(c):
    """係数 c[k] の多項式 Σ c_k x^k と、べき乗の微分(式 eq-math-power-rule)と和の微分で求めた導関数。"""
    f = lambda x: sum(ck * x**k for k, ck in enumerate(c))
    df = lambda x: sum(k * ck * x ** (k - 1) for k, ck in enumerate(c) if k > 0)
    return f, df


def cube(x):
    return x**3


# ==== 関数と微分 ==========================================================================


# --- 微分の定義と近似 -------------------------------------------------------------------


@SETTINGS
@given(st.floats(1e-4, 1.0))
def test_average_rate_of_x_squared_at_one_is_two_plus_h(h):
    # 式 eq-math-average-rate の例: ((1 + h)^2 - 1) / h = 2 + h
    assert ((1 + h) ** 2 - 1) / h == pytest.approx(2 + h, rel=1e-9)


@SETTINGS
@given(st.floats(1e-4, 0.5))
def test_linear_approximation_of_x_squared_misses_by_h_squared(h):
    # 式 eq-math-linear-approximation: f(1 + h) ≈ f(1) + f'(1) h、ずれは h^2 の項だけ
    assert (1 + h) ** 2 - (1 + 2 * h) == pytest.approx(h**2, rel=1e-6)


@SETTINGS
@given(st.floats(-1.0, 1.0), st.floats(1e-3, 0.1))
def test_taylor_expansion_to_third_order_leaves_an_h4_remainder(x, h):
    # 式 eq-math-taylor を e^x で: 残りは h^4 e^(x+θh) / 24 以下
    approx = np.exp(x) * (1 + h + h**2 / 2 + h**3 / 6)
    assert abs(np.exp(x + h) - approx) <= np.exp(x + h) * h**4 / 24 * (1 + 1e-6) + 1e-15


@pytest.mark.parametrize("h", [1e-1, 1e-2, 1e-3])
def test_cube_errors_are_exactly_3h_plus_h2_and_h2(h):
    # ページの例: f(x) = x^3、x = 1 で前進差分の誤差は 3h + h^2、中心差分の誤差は h^2
    forward = numerical_derivative(cube, 1.0, h, scheme="forward") - 3
    central = numerical_derivative(cube, 1.0, h, scheme="central") - 3
    assert forward == pytest.approx(3 * h + h**2, rel=1e-6)
    assert central == pytest.approx(h**2, rel=1e-5)


@SETTINGS
@given(st.floats(0.5, 2.0))
def test_leading_error_terms_are_f2_h_over_2_and_f3_h2_over_6(x):
    # 式 eq-math-forward-difference-error と eq-math-central-difference-error を f(x) = 1/x で
    # (f'' = 2/x^3、f''' = -6/x^4)。誤差を h、h^2 で割ると先頭の係数に近づく
    f, df = (lambda t: 1 / t), -1 / x**2
    h = 1e-4
    forward = (numerical_derivative(f, x, h, scheme="forward") - df) / h
    assert forward == pytest.approx((2 / x**3) / 2, rel=1e-3)
    h = 1e-3
    central = (numerical_derivative(f, x, h, scheme="central") - df) / h**2
    assert central == pytest.approx((-6 / x**4) / 6, rel=1e-3)


def test_exercise_order_one_over_x_at_two():
    # 演習問題 ex-math-deriv-order: 前進差分の誤差 ≈ h/8、中心差分の誤差 ≈ -h^2/16
    for h in (1e-2, 1e-3, 1e-4):
        assert numerical_derivative(lambda t: 1 / t, 2.0, h, scheme="forward") + 0.25 == pytest.approx(h / 8, rel=0.02)
        assert numerical_derivative(lambda t: 1 / t, 2.0, h, scheme="central") + 0.25 == pytest.approx(-(h**2) / 16, rel=0.02)


# --- 誤差と h: V字(ページの実験と同じ格子) ------------------------------------------------


@pytest.fixture(scope="module")
def error_curves():
    hs = np.logspace(-16, 0, 65)
    errors = {
        scheme: np.array([abs(numerical_derivative(cube, 1.0, h=h, scheme=scheme) - 3) for h in hs])
        for scheme in ("forward", "central")
    }
    return hs, errors


def test_error_curves_are_v_shaped_with_the_bottoms_the_page_reports(error_curves):
    hs, errors = error_curves
    best = {scheme: hs[np.argmin(err)] for scheme, err in errors.items()}
    least = {scheme: err.min() for scheme, err in errors.items()}
    # 底の位置: 前進差分は √ε の近く、中心差分は ε^(1/3) の近く
    assert 1e-9 <= best["forward"] <= 1e-7
    assert 1e-6 <= best["central"] <= 1e-5
    assert best["central"] > 10 * best["forward"]
    # 底の高さ: 中心差分のほうが 2 桁以上小さい
    assert least["central"] < 1e-10 < least["forward"] < 1e-7
    # 両端では誤差が大きい(左は丸め誤差、右は打ち切り誤差)
    for err in errors.values():
        assert err[0] > 1e6 * err.min() and err[-1] > 1e6 * err.min()


def test_right_side_follows_truncation_and_left_side_follows_rounding(error_curves):
    hs, errors = error_curves
    big = hs >= 1e-3
    np.testing.assert_allclose(errors["forward"][big], 3 * hs[big] + hs[big] ** 2, rtol=1e-6)
    np.testing.assert_allclose(errors["central"][big], hs[big] ** 2, rtol=1e-4)


def test_rounding_guide_includes_the_rounding_of_x_plus_h(error_curves):
    # 式 eq-math-numerical-diff-total-error の丸めの項 ε(|f| + |x f'|)/h(x^3、x = 1 では 4ε/h)。
    # ページの文: V字の底より左の点はすべて破線の下(比は前進差分 0.37、中心差分 0.19)、
    # 入力 x + h の丸めを省いた ε/h では、前進差分の点の多く(15 個)が上に出る
    hs, errors = error_curves
    guide = 4 * EPS / hs
    for scheme, err in errors.items():
        left = hs < hs[np.argmin(err)]
        assert left.sum() >= 30
        assert np.all(err[left] < 0.5 * guide[left]), scheme
    left = hs < hs[np.argmin(errors["forward"])]
    above = int((errors["forward"][left] > EPS / hs[left]).sum())
    assert 10 <= above < left.sum()
    # 1 + h の丸め: h = 1e-16 では x + h が 1 になり、前進差分の近似値は 0(誤差 3)
    assert 1.0 + 1e-16 == 1.0 and errors["forward"][0] == pytest.approx(3.0)


def test_rounding_guide_is_about_twice_the_worst_case_and_the_best_h_cancels(error_curves):
    # ページの文: 1 回の丸めは値の ε/2 倍ほどまでなので、x^3、x = 1 の前進差分の丸め誤差は最大でもおよそ 2ε/h
    # (入力 1 + h の丸め 3ε/2 と f(1 + h) の丸め ε/2。f(1) = 1 は丸めなし)、破線 4ε/h はその約 2 倍。
    # 誤差が最小の h では丸め誤差が打ち切り誤差と逆の符号で、打ち切り誤差のほうが最小の誤差より大きい
    hs, errors = error_curves
    truncation = {"forward": 3 * hs + hs**2, "central": hs**2}
    for scheme in ("forward", "central"):
        signed = np.array([numerical_derivative(cube, 1.0, h=h, scheme=scheme) - 3 for h in hs])
        np.testing.assert_allclose(np.abs(signed), errors[scheme])
        rounding = signed - truncation[scheme]
        assert np.all(np.abs(rounding) <= 2 * EPS / hs), scheme
        best = np.argmin(errors[scheme])
        assert truncation[scheme][best] > errors[scheme][best] and rounding[best] < 0, scheme
    # 数値: 前進差分 h = 1e-8 で打ち切り誤差 3.0e-8、丸め誤差の部分 -2.6e-8。中心差分 h = 3.2e-6 で 1.0e-11、-5.0e-12
    # 最小の誤差は目安 √ε、ε^(2/3) の 3.8 分の 1、7.4 分の 1
    assert errors["forward"].min() < np.sqrt(EPS) / 2 and errors["central"].min() < EPS ** (2 / 3) / 2


def test_best_h_formulas_of_the_exercise_match_the_experiment(error_curves):
    # 演習問題 ex-math-deriv-best-h: h* = sqrt(2εB/A)、h* = (3εB/C)^(1/3)
    # (x^3、x = 1 では A = C = 6、B = |f| + |x f'| = 4)。実験の最小点は、見積もりの最小点より
    # 2 倍前後小さい h にあり(比は 1.72 と 2.41)、違いは格子の刻み 2 つ分より小さい
    hs, errors = error_curves
    step = 10**0.25  # 実験の格子の刻み
    for scheme, h_star in (("forward", np.sqrt(4 * EPS / 3)), ("central", np.cbrt(2 * EPS))):
        measured = hs[np.argmin(errors[scheme])]
        assert h_star / step**2 < measured < h_star
        assert 1.5 < h_star / measured < 2.5, scheme
    # 誤差のモデル E(h) はその h* で最小になる
    E_forward = lambda h: 3 * h + 4 * EPS / h
    E_central = lambda h: h**2 + 4 * EPS / h
    for E, h_star in ((E_forward, np.sqrt(4 * EPS / 3)), (E_central, np.cbrt(2 * EPS))):
        assert E(h_star) < E(0.9 * h_star) and E(h_star) < E(1.1 * h_star)


# --- 微分の公式 -----------------------------------------------------------------------------


@SETTINGS
@given(st.integers(-4, 6).filter(lambda n: n != 0), xs_positive)
def test_power_rule_for_positive_and_negative_integers(n, x):
    # 式 eq-math-power-rule(負の整数は式 eq-math-reciprocal-rule から)
    assert numerical_derivative(lambda t: t**n, x) == pytest.approx(n * x ** (n - 1), rel=1e-7, abs=1e-9)


@SETTINGS
@given(xs_positive)
def test_power_rule_for_a_half(x):
    assert numerical_derivative(np.sqrt, x) == pytest.approx(0.5 / np.sqrt(x), rel=1e-8)


def test_power_rule_is_not_x_to_the_n_minus_one_without_the_factor_n():
    # 公式の n を落とすと数値微分と合わない(テストが誤りを見分けられること)
    assert numerical_derivative(lambda t: t**3, 1.5) != pytest.approx(1.5**2, rel=1e-3)


@SETTINGS
@given(coefficients, xs_any)
def test_polynomial_derivative_term_by_term(c, x):
    # 式 eq-math-linearity と eq-math-power-rule
    f, df = polynomial(c)
    assert numerical_derivative(f, x) == pytest.approx(df(x), abs=1e-6)


def test_page_polynomial_example():
    xs = np.array([-1.0, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(numerical_derivative(lambda x: 2 * x**3 - 5 * x + 1, xs), 6 * xs**2 - 5, atol=1e-8)


@SETTINGS
@given(st.floats(-3.0, 3.0), coefficients, coefficients, xs_any)
def test_constant_multiple_and_sum(k, cf, cg, x):
    f, df = polynomial(cf)
    g, dg = polynomial(cg)
    assert numerical_derivative(lambda t: k * f(t) + g(t), x) == pytest.approx(k * df(x) + dg(x), abs=1e-5)


@SETTINGS
@given(coefficients, coefficients, xs_any)
def test_product_rule(cf, cg, x):
    # 式 eq-math-product-rule: (fg)' = f'g + fg'
    f, df = polynomial(cf)
    g, dg = polynomial(cg)
    numeric = numerical_derivative(lambda t: f(t) * g(t), x)
    assert numeric == pytest.approx(df(x) * g(x) + f(x) * dg(x), abs=1e-4)


def test_product_rule_page_example_and_the_wrong_rule():
    xs = np.array([-1.0, 0.3, 1.7])
    f, df = (lambda x: x**2 + 1), (lambda x: 2 * x)
    g, dg = (lambda x: x**3 - 2 * x), (lambda x: 3 * x**2 - 2)
    numeric = numerical_derivative(lambda x: f(x) * g(x), xs)
    np.testing.assert_allclose(numeric, df(xs) * g(xs) + f(xs) * dg(xs), atol=1e-8)
    assert np.all(np.abs(numeric - df(xs) * dg(xs)) > 0.5)  # よくある誤り f'g' は合わない


def test_nonzero_numerical_derivatives_at_zeros_are_central_truncation_errors():
    # 積の微分の例 fg = x^5 - x^3 - 2x の x = -1: (fg) の 3 階の導関数は 60x^2 - 6 = 54 なので誤差 ≈ 54/6 h^2 = 9h^2
    # 演習問題 ex-math-deriv-rules の x = 0.5: y の 3 階の導関数は x = 0.5 で 60 なので誤差 ≈ 10h^2(h は既定値 1e-5)
    h = 1e-5
    fg = lambda x: (x**2 + 1) * (x**3 - 2 * x)
    # 展開した形でも同じ大きさ(違いは丸め誤差の 1e-11 程度)
    np.testing.assert_allclose(numerical_derivative(lambda x: x**5 - x**3 - 2 * x, -1.0), numerical_derivative(fg, -1.0), atol=1e-10)
    assert numerical_derivative(fg, -1.0) == pytest.approx(9 * h**2, rel=0.05)
    # 丸め誤差だけでは説明できない大きさ(ε(|fg| + |x (fg)'|)/h = 2ε/h の 10 倍以上)
    assert numerical_derivative(fg, -1.0) > 10 * 2 * EPS / h
    y = lambda x: (2 * x - 1) ** 3 * (x**2 + 1)
    assert numerical_derivative(y, 0.5) == pytest.approx(10 * h**2, rel=0.01)
    # y の 3 階の導関数 = 60 を数値でも(y'' = 8(2x-1)(5x^2-x+3) + 2(2x-1)^2(10x-1) を中心差分で微分)
    d2 = lambda x: 8 * (2 * x - 1) * (5 * x**2 - x + 3) + 2 * (2 * x - 1) ** 2 * (10 * x - 1)
    assert numerical_derivative(d2, 0.5) == pytest.approx(60.0, rel=1e-6)


@SETTINGS
@given(coefficients, st.floats(0.0, 3.0), xs_any)
def test_reciprocal_and_quotient_rules(cf, shift, x):
    # 式 eq-math-reciprocal-rule と eq-math-quotient-rule。g(x) = x^2 + 1 + shift は 0 にならない
    f, df = polynomial(cf)
    g, dg = (lambda t: t**2 + 1 + shift), (lambda t: 2 * t)
    assert numerical_derivative(lambda t: 1 / g(t), x) == pytest.approx(-dg(x) / g(x) ** 2, abs=1e-8)
    quotient = (df(x) * g(x) - f(x) * dg(x)) / g(x) ** 2
    assert numerical_derivative(lambda t: f(t) / g(t), x) == pytest.approx(quotient, abs=1e-6)


def test_quotient_page_example():
    xs = np.array([-2.0, 0.5, 3.0])
    expected = (2 * (xs**2 + 1) - (2 * xs - 3) * 2 * xs) / (xs**2 + 1) ** 2
    np.testing.assert_allclose(numerical_derivative(lambda x: (2 * x - 3) / (x**2 + 1), xs), expected, atol=1e-9)
    np.testing.assert_allclose(numerical_derivative(lambda x: x**-3.0, xs), -3 * xs**-4.0, rtol=1e-7)


@SETTINGS
@given(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
def test_chain_rule_exp_of_a_quadratic(a, b, c, x):
    # 式 eq-math-chain-rule: (f(g(x)))' = f'(g(x)) g'(x)、f = exp、g = a x^2 + b x + c
    g = lambda t: a * t**2 + b * t + c
    expected = np.exp(g(x)) * (2 * a * x + b)
    assert numerical_derivative(lambda t: np.exp(g(t)), x) == pytest.approx(expected, rel=1e-7, abs=1e-9)


@SETTINGS
@given(xs_any)
def test_chain_rule_page_examples(x):
    assert numerical_derivative(lambda t: (3 * t + 1) ** 2, x) == pytest.approx(18 * x + 6, abs=1e-7)
    assert numerical_derivative(lambda t: (t**2 + 1) ** 5, x) == pytest.approx(10 * x * (x**2 + 1) ** 4, rel=1e-7, abs=1e-7)
    # 3 段の例(式 eq-math-chain-rule-three): y = 1/(1 + u)、u = v^2、v = 2x - 1
    v = 2 * x - 1
    u = v**2
    expected = -1 / (1 + u) ** 2 * 2 * v * 2
    assert numerical_derivative(lambda t: 1 / (1 + (2 * t - 1) ** 2), x) == pytest.approx(expected, abs=1e-8)


def test_chain_rule_is_not_the_outer_derivative_alone():
    # 内側の導関数を掛け忘れると合わない
    x = 0.8
    assert numerical_derivative(lambda t: (t**2 + 1) ** 5, x) != pytest.approx(5 * (x**2 + 1) ** 4, rel=1e-3)


@SETTINGS
@given(xs_any)
def test_exercise_product_and_chain(x):
    # 演習問題 ex-math-deriv-rules: ((2x - 1)^3 (x^2 + 1))' = 2(2x - 1)^2 (5x^2 - x + 3)
    expected = 2 * (2 * x - 1) ** 2 * (5 * x**2 - x + 3)
    assert numerical_derivative(lambda t: (2 * t - 1) ** 3 * (t**2 + 1), x) == pytest.approx(expected, abs=1e-6)


def test_exercise_definition_examples():
    # 演習問題 ex-math-deriv-definition
    assert numerical_derivative(lambda t: t**3, 2.0) == pytest.approx(12.0, rel=1e-9)
    assert numerical_derivative(lambda t: 1 / t, 2.0) == pytest.approx(-0.25, rel=1e-9)


# --- 極値 ----------------------------------------------------------------------------------------


def test_extrema_of_x3_minus_3x():
    # 式 eq-math-extrema-example: f'(x) = 3(x + 1)(x - 1)。x = -1 で極大 2、x = 1 で極小 -2
    f = lambda x: x**3 - 3 * x
    xs = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(numerical_derivative(f, xs), 3 * (xs + 1) * (xs - 1), atol=1e-8)
    assert numerical_derivative(f, np.array([-1.0, 1.0])) == pytest.approx([0.0, 0.0], abs=1e-9)
    signs = np.sign(numerical_derivative(f, np.array([-1.1, -0.9, 0.9, 1.1])))
    assert list(signs) == [1, -1, -1, 1]
    assert f(-1.0) == 2.0 and f(1.0) == -2.0
    # 近くのどの点よりも大きい(小さい)
    near = np.linspace(-0.2, 0.2, 41)
    assert np.all(f(-1 + near) <= f(-1.0)) and np.all(f(1 + near) >= f(1.0))


def test_zero_derivative_without_extremum_for_x_cubed():
    assert numerical_derivative(cube, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert numerical_derivative(cube, -0.1) > 0 and numerical_derivative(cube, 0.1) > 0


def test_exercise_extrema_of_x4_minus_2x2():
    # 演習問題 ex-math-deriv-extremum: x = -1, 1 で極小 -1、x = 0 で極大 0
    f = lambda x: x**4 - 2 * x**2
    assert numerical_derivative(f, np.array([-1.0, 0.0, 1.0])) == pytest.approx([0, 0, 0], abs=1e-9)
    signs = np.sign(numerical_derivative(f, np.array([-1.1, -0.9, -0.1, 0.1, 0.9, 1.1])))
    assert list(signs) == [-1, 1, 1, -1, -1, 1]
    assert (f(-1.0), f(0.0), f(1.0)) == (-1.0, 0.0, -1.0)


# ==== 指数関数と対数関数 ==================================================================

bases = st.floats(0.2, 10.0)
exponents = st.floats(-3.0, 3.0)


@SETTINGS
@given(bases, bases, exponents, exponents)
def test_exponent_laws_for_real_exponents(a, b, x, y):
    # 式 eq-math-exponent-laws(実数の指数)
    assert a**x * a**y == pytest.approx(a ** (x + y), rel=1e-12)
    assert (a**x) ** y == pytest.approx(a ** (x * y), rel=1e-12)
    assert (a * b) ** x == pytest.approx(a**x * b**x, rel=1e-12)


@SETTINGS
@given(bases, st.integers(1, 6))
def test_zero_negative_and_fractional_exponents(a, n):
    assert a**0.0 == 1.0
    assert a ** (-n) == pytest.approx(1 / a**n, rel=1e-14)
    assert (a ** (1 / n)) ** n == pytest.approx(a, rel=1e-13)


@SETTINGS
@given(bases, exponents)
def test_derivative_of_a_to_the_x_is_proportional_to_itself(a, x):
    # 式 eq-math-exp-general-derivative と eq-math-general-exponential-derivative: (a^x)' = a^x log a
    assert numerical_derivative(lambda t: a**t, x) == pytest.approx(a**x * np.log(a), rel=1e-7, abs=1e-9)


@SETTINGS
@given(bases)
def test_slope_at_zero_is_log_a(a):
    # C(a) = lim (a^h - 1)/h = log a
    assert numerical_derivative(lambda t: a**t, 0.0) == pytest.approx(np.log(a), rel=1e-7, abs=1e-10)


def test_slopes_at_zero_bracket_one_between_two_and_three():
    assert numerical_derivative(lambda t: 2.0**t, 0.0) < 1 < numerical_derivative(lambda t: 3.0**t, 0.0)


def test_bisection_on_the_slope_finds_e():
    # ページの二分法: 傾き C(a) が 1 になる底。np.e との差は 1e-10 より小さく、小数点以下 10 桁目まで同じ数字
    # (10 桁に丸めた表示では最後の桁が違う)
    lo, hi = 2.0, 3.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if numerical_derivative(lambda x: mid**x, 0.0) < 1:
            lo = mid
        else:
            hi = mid
    assert abs(lo - np.e) < 1e-10
    assert f"{lo:.17f}"[:12] == f"{np.e:.17f}"[:12]
    assert f"{lo:.10f}" != f"{np.e:.10f}"


@SETTINGS
@given(st.floats(-2.0, 2.0))
def test_slope_of_two_to_the_c_is_c_times_the_slope_of_two(c):
    # ページの議論: (2^c)^x = 2^{cx} と連鎖律から C(2^c) = c C(2)
    C = lambda a: numerical_derivative(lambda x: a**x, 0.0)
    assert C(2.0**c) == pytest.approx(c * C(2.0), abs=1e-9)


def test_e_is_two_to_the_one_over_c2():
    # C(2^c) = 1 となる c はただ 1 つ c = 1/C(2)、つまり e = 2^{1/C(2)}(数値微分の C(2) で差は 1e-11 程度)
    c2 = numerical_derivative(lambda x: 2.0**x, 0.0)
    assert abs(2.0 ** (1 / c2) - np.e) < 1e-10


@SETTINGS
@given(st.floats(-5.0, 5.0))
def test_derivative_of_exp_is_exp(x):
    # 式 eq-math-exp-derivative と、連鎖律による (e^{-x})' = -e^{-x}
    assert numerical_derivative(np.exp, x) == pytest.approx(np.exp(x), rel=1e-8)
    assert numerical_derivative(lambda t: np.exp(-t), x) == pytest.approx(-np.exp(-x), rel=1e-8)


@SETTINGS
@given(st.floats(-3.0, 3.0), st.floats(-2.0, 2.0))
def test_derivative_of_exp_cx(c, x):
    assert numerical_derivative(lambda t: np.exp(c * t), x) == pytest.approx(c * np.exp(c * x), rel=1e-7, abs=1e-9)


def napier(n):
    return (1 + 1 / n) ** n  # 式 eq-math-napier-limit の n 項目


def test_napier_sequence_approaches_e_from_below_with_error_e_over_2n():
    values = [napier(10.0**k) for k in range(1, 8)]
    assert values == sorted(values) and values[-1] < np.e
    for n in (1e3, 1e4, 1e5, 1e6):
        assert n * (np.e - napier(n)) == pytest.approx(np.e / 2, rel=2e-3)
    # 演習問題 ex-math-explog-napier-error の近似: log(1 + t) ≈ t - t^2/2、残りは t^3/3 程度
    for t in (1e-1, 1e-2, 1e-3):
        assert abs(np.log1p(t) - (t - t**2 / 2)) == pytest.approx(t**3 / 3, rel=0.1)


def test_napier_sequence_is_spoiled_by_rounding_for_huge_n():
    ns = np.logspace(0, 18, 73)  # ページの図と同じ格子
    diff = np.abs((1 + 1 / ns) ** ns - np.e)
    best = np.argmin(diff)
    assert 1e7 <= ns[best] <= 1e9 and diff[best] < 1e-7
    assert 1 < ns[best] * np.sqrt(EPS) < 3  # 底の目安 1/√ε の 3 倍ほど以内(ページの文: 2.6 倍)
    assert abs(napier(1e15) - np.e) > 0.1  # 見当違いの値
    assert napier(1e16) == 1.0 and 1 + 1 / 1e16 == 1.0  # 1 + 1/n が 1 に丸められる
    assert 1 + 1 / 1e15 != 1.0


def test_series_for_e_reaches_float64_precision():
    # 演習問題 ex-math-explog-series: Σ 1/i! は i = 17 の項まで足すと np.e と丸め誤差の範囲で一致する
    total = sum(1 / math.factorial(i) for i in range(18))
    assert abs(total - np.e) <= 2 * EPS * np.e


@SETTINGS
@given(st.floats(1e-3, 1e3), st.floats(-5.0, 5.0))
def test_log_is_the_inverse_of_exp(x, y):
    # 式 eq-math-log-definition
    assert np.exp(np.log(x)) == pytest.approx(x, rel=1e-13)
    assert np.log(np.exp(y)) == pytest.approx(y, rel=1e-13, abs=1e-14)


@SETTINGS
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3), st.floats(-3.0, 3.0))
def test_log_laws(a, b, r):
    # 式 eq-math-log-laws と演習問題 ex-math-explog-log-laws
    assert np.log(a * b) == pytest.approx(np.log(a) + np.log(b), abs=1e-12)
    assert np.log(a**r) == pytest.approx(r * np.log(a), abs=1e-12)
    assert np.log(1 / a) == pytest.approx(-np.log(a), abs=1e-13)
    assert np.log(a / b) == pytest.approx(np.log(a) - np.log(b), abs=1e-12)
    assert np.log(np.sqrt(a)) == pytest.approx(np.log(a) / 2, abs=1e-13)


@SETTINGS
@given(bases, exponents)
def test_general_exponential_is_e_to_the_x_log_a(a, x):
    # 式 eq-math-general-exponential
    assert a**x == pytest.approx(np.exp(x * np.log(a)), rel=1e-12)


@SETTINGS
@given(st.floats(0.05, 20.0))
def test_derivative_of_log_is_one_over_x(x):
    # 式 eq-math-log-derivative
    assert numerical_derivative(np.log, x) == pytest.approx(1 / x, rel=1e-7)


@SETTINGS
@given(st.floats(0.05, 0.95))
def test_derivative_of_log_one_minus_x(x):
    # 連鎖律: (log(1 - x))' = -1/(1 - x)、一般に (log g)' = g'/g
    assert numerical_derivative(lambda t: np.log(1 - t), x) == pytest.approx(-1 / (1 - x), rel=1e-7)
    g, dg = (lambda t: t**2 + 1), (lambda t: 2 * t)
    assert numerical_derivative(lambda t: np.log(g(t)), x) == pytest.approx(dg(x) / g(x), rel=1e-7)


def test_sqrt_has_no_derivative_at_zero():
    # ページの文: x = 0 での平均変化率 (√h - √0)/h = 1/√h は h → 0 でいくらでも大きくなる
    rates = [(np.sqrt(h) - np.sqrt(0.0)) / h for h in (1e-2, 1e-4, 1e-8)]
    np.testing.assert_allclose(rates, [1e1, 1e2, 1e4])


def test_derivative_of_log_is_not_log():
    assert numerical_derivative(np.log, 4.0) != pytest.approx(np.log(4.0), rel=1e-3)


@SETTINGS
@given(st.floats(0.3, 3.0))
def test_exercise_x_to_the_x(x):
    # 演習問題 ex-math-explog-x-to-x: (x^x)' = x^x (log x + 1)
    assert numerical_derivative(lambda t: t**t, x) == pytest.approx(x**x * (np.log(x) + 1), rel=1e-7, abs=1e-9)


@SETTINGS
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=30))
def test_log_of_a_product_is_the_sum_of_logs(p):
    # 式 eq-math-log-product
    assert np.log(np.prod(p)) == pytest.approx(np.sum(np.log(p)), abs=1e-9)


def test_product_of_many_probabilities_underflows_but_the_log_sum_does_not():
    # ページの例と同じ乱数: 2000 個の確率の積は 0.0、対数の和は有限
    rng = np.random.default_rng(0)
    p = rng.uniform(0.2, 1.0, size=2000)
    assert np.prod(p) == 0.0
    log_sum = np.sum(np.log(p))
    assert np.isfinite(log_sum) and -1300 < log_sum < -1100
    # 積が 0 になるのは、本当の値(対数の累積和)が float64 の最小の正の数を下回ったところ
    running, cumulative_log = np.cumprod(p), np.cumsum(np.log(p))
    first_zero = int(np.argmax(running == 0))
    smallest = np.log(np.nextafter(0.0, 1.0))
    assert cumulative_log[first_zero] < smallest
    assert running[first_zero - 1] > 0 and cumulative_log[first_zero - 1] > smallest - np.log(2)


# --- シグモイド関数とソフトマックス関数 -------------------------------------------------------


@SETTINGS
@given(st.floats(-20.0, 20.0))
def test_sigmoid_derivative_is_sigma_times_one_minus_sigma(u):
    # 式 eq-math-sigmoid-derivative を、ページと同じ dlmath の sigmoid で
    s = sigmoid(u)
    assert numerical_derivative(sigmoid, u) == pytest.approx(s * (1 - s), abs=1e-10)
    assert sigmoid_derivative(u) == pytest.approx(s * (1 - s), abs=1e-15)


@SETTINGS
@given(st.floats(-30.0, 30.0))
def test_sigmoid_matches_its_definition_and_is_symmetric(u):
    # 式 eq-math-sigmoid と演習問題 ex-math-explog-sigmoid-symmetry
    assert sigmoid(u) == pytest.approx(1 / (1 + np.exp(-u)), rel=1e-12, abs=1e-300)
    assert sigmoid(-u) == pytest.approx(1 - sigmoid(u), abs=1e-15)
    assert numerical_derivative(sigmoid, -u) == pytest.approx(numerical_derivative(sigmoid, u), abs=1e-10)


def test_sigmoid_derivative_peaks_at_a_quarter_and_sigmoid_survives_large_inputs():
    us = np.linspace(-8, 8, 1601)
    d = numerical_derivative(sigmoid, us)
    assert us[np.argmax(d)] == pytest.approx(0.0, abs=1e-12) and d.max() == pytest.approx(0.25, abs=1e-10)
    with np.errstate(over="raise", invalid="raise"):  # 桁あふれも 0/0 も起きない(exp の 0 への丸めは正常)
        np.testing.assert_allclose(sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])


@SETTINGS
@given(st.lists(st.floats(-10.0, 10.0), min_size=2, max_size=6), st.floats(-1000.0, 1000.0))
def test_softmax_is_positive_sums_to_one_and_ignores_a_common_shift(u, c):
    # 式 eq-math-softmax と、指数法則による e^{u - c} = e^u e^{-c}
    u = np.array(u)
    y = softmax(u)
    assert np.all(y > 0) and y.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(y, np.exp(u) / np.exp(u).sum(), rtol=1e-10)
    np.testing.assert_allclose(softmax(u + c), y, rtol=1e-9, atol=1e-15)


@SETTINGS
@given(st.floats(-30.0, 30.0))
def test_softmax_of_two_scores_is_the_sigmoid(u):
    # ページの予告: 点数 (u_0, u_1) = (0, u) のクラス 1 の確率 f_1 = e^u / (1 + e^u) がシグモイド関数 f(u)
    assert softmax(np.array([0.0, u]))[1] == pytest.approx(sigmoid(u), rel=1e-12, abs=1e-300)
    assert softmax(np.array([0.0, u]))[1] == pytest.approx(np.exp(u) / (1 + np.exp(u)), rel=1e-12, abs=1e-300)


@SETTINGS
@given(st.lists(st.floats(-20.0, 20.0), min_size=1, max_size=6))
def test_log_sum_exp_with_the_max_shift(u):
    # 演習問題 ex-math-explog-logsumexp: log Σ e^{u_k} = c + log Σ e^{u_k - c}
    u = np.array(u)
    c = u.max()
    assert c + np.log(np.sum(np.exp(u - c))) == pytest.approx(np.log(np.sum(np.exp(u))), rel=1e-12, abs=1e-12)


def test_log_sum_exp_of_the_exercise():
    u = np.array([1000.0, 1001.0, 1002.0])
    c = u.max()
    assert c + np.log(np.sum(np.exp(u - c))) == pytest.approx(1002 + np.log(np.exp(-2) + np.exp(-1) + 1), rel=1e-15)


# ==== ビルド済みのページ ====================================================================

DERIV = "book/math-derivatives"
EXPLOG = "book/math-exp-log"

PAGES = {
    DERIV: {
        "labels": [
            "sec-math-derivatives", "sec-math-derivative-limit", "sec-math-numerical-diff", "sec-math-diff-rules",
            "sec-math-chain-rule", "sec-math-extrema",
        ],
        "equations": [
            "eq-math-average-rate", "eq-math-derivative-definition", "eq-math-linear-approximation",
            "eq-math-forward-difference", "eq-math-central-difference", "eq-math-taylor",
            "eq-math-forward-difference-error", "eq-math-central-difference-error",
            "eq-math-numerical-diff-total-error", "eq-math-linearity", "eq-math-power-rule", "eq-math-product-rule",
            "eq-math-reciprocal-rule", "eq-math-quotient-rule", "eq-math-chain-rule", "eq-math-chain-rule-three",
            "eq-math-extrema-example",
        ],
        "figures": ["fig-math-deriv-secant", "fig-math-deriv-error-loglog", "fig-math-deriv-extrema"],
        "exercise_prefix": "ex-math-deriv-",
        "source": ['def numerical_derivative(f, x, h=1e-5, scheme="central")'],
    },
    EXPLOG: {
        "labels": [
            "sec-math-explog", "sec-math-exponent-laws", "sec-math-exp-derivative", "sec-math-log-derivative",
            "sec-math-log-product", "sec-math-sigmoid-softmax-preview",
        ],
        "equations": [
            "eq-math-exponent-laws", "eq-math-exp-general-derivative", "eq-math-exp-derivative",
            "eq-math-napier-limit", "eq-math-log-definition", "eq-math-log-laws", "eq-math-general-exponential",
            "eq-math-log-derivative", "eq-math-general-exponential-derivative", "eq-math-log-product",
            "eq-math-sigmoid", "eq-math-sigmoid-derivative", "eq-math-softmax", "eq-math-real-power-rule",
        ],
        "figures": [
            "fig-math-explog-slopes", "fig-math-explog-napier", "fig-math-explog-inverse", "fig-math-explog-sigmoid",
        ],
        "exercise_prefix": "ex-math-explog-",
        "source": ["def sigmoid(u)", "def softmax(u)"],
    },
}


@pytest.fixture(scope="module", params=list(PAGES))
def page(request, site):
    return request.param, PAGES[request.param], built_page(site, request.param), site


def test_stub_section_labels_are_kept(page):
    _, spec, soup, _ = page
    for label in spec["labels"]:
        assert soup.find(id=label) is not None, f"{label} missing"


def test_equations_are_labelled_tex(page):
    _, spec, soup, _ = page
    for label in spec["equations"]:
        math = soup.find(id=f"equation-{label}")
        assert math is not None, f"equation {label} missing"
        assert "math" in math.get("class", []) and "\\" in math.get_text(), f"{label} holds no TeX"


def test_equation_references_resolve(page):
    _, _, soup, _ = page
    assert not dangling_equation_references(soup)


def test_figures_have_image_alt_and_caption(page):
    _, spec, soup, site = page
    for name in spec["figures"]:
        check_figure(site, soup, name)


def test_package_source_is_shown_and_glue_is_filled(page):
    _, spec, soup, _ = page
    text = soup.get_text()
    assert "{glue" not in text
    for signature in spec["source"]:
        assert signature in text, f"{signature} not shown"


def test_exercises_have_collapsed_solutions(page):
    check_exercises(page[2], page[1]["exercise_prefix"], 4)


def test_derivatives_page_reports_the_v_shape_numbers(site):
    soup = built_page(site, DERIV)
    text = soup.get_text()
    # 実験の結果(誤差が最小になる h と最小の誤差)が本文に差し込まれている
    assert "1.0e-08で誤差4.0e-09" in text
    assert "3.2e-06で誤差5.0e-12" in text
    # 最小点では丸め誤差が打ち切り誤差と逆の符号: その h での打ち切り誤差と丸め誤差の部分
    assert "= 3.0e-08" in text and "= 1.0e-11" in text and "-2.6e-08" in text and "-5.0e-12" in text
    assert "その約2倍" in text and "打ち消し合ってそれより小さく" not in text
    assert "2倍前後小さい" in text and "1.72" in text and "2.41" in text
    assert "範囲の端でない" in text  # 極値と f'(a) = 0 は範囲の端でない点について
    # 丸め誤差の目安には入力 x + h の丸めも入れ、図の点がその目安の下にあることを数で示す
    assert "前進差分の32個のうち32個、中心差分の42個のうち42個が灰色の破線より下" in text
    assert "前進差分ではV字の底より左側の32個の点のうち15個がその線より上" in text
    assert "左半分" not in text and "右半分" not in text
    # x = -1 の積の微分の数値微分は中心差分の打ち切り誤差 9h^2(丸め誤差ではない)
    assert "8.88e-10という小さな値になっています。これは中心差分の打ち切り誤差です" in text
    assert "では9.00e-10です" in text
    assert "10h^2" in text  # 演習問題 ex-math-deriv-rules の x = 0.5 も打ち切り誤差
    # 道ごとの和を使う章へのリンク(第4章の sec-bridge-backprop、第6章、第7章)
    hrefs = [a["href"] for a in soup.select("article a[href]")]
    for target in ("towards-deep-learning.html#sec-bridge-backprop", "multiclass-classification.html#sec-multiclass",
                   "deep-learning.html#sec-deep", "math-partial-derivatives.html"):
        assert any(h.endswith(target) for h in hrefs), f"no link to {target}"
    # eq-central-difference は第3章のもの: ここで定義し直さず、第3章へリンクする
    assert soup.find(id="equation-eq-central-difference") is None
    assert soup.select_one('a[href$="linear-regression.html#equation-eq-central-difference"]') is not None
    assert soup.select_one('a[href$="linear-regression.html#sec-linreg-gradient"]') is not None


def test_explog_page_reports_underflow_and_links_forward(site):
    soup = built_page(site, EXPLOG)
    text = soup.get_text()
    hrefs = [a["href"] for a in soup.select("article a[href]")]
    assert "2000個の確率の積は0.0になりました" in text
    assert "2000件のデータ" in text and "その半分以下の数は0に丸められます" in text
    # ソフトマックス関数の予告: 点数 (0, u) のクラス 1 の確率がシグモイド関数(第 4 章・第 6 章と同じ読み方)
    assert "(u_0, u_1) = (0, u)" in text and "(u_0, u_1) = (u, 0)" not in text
    assert "この2.6倍で、3倍ほどの違いで合います" in text
    assert "1277個目" in text
    # 二分法で見つけた底と np.e: 差と、同じ数字が並ぶ桁数(表示の最後の桁が違う理由)
    assert "差は5.7e-11で、小数点以下10桁目までは同じ数字が並びます" in text
    assert "表示した桁まで一致" not in text
    assert "差は6.7e-12です" in text  # e = 2^(1/C(2))
    assert any(h.endswith("notation.html#sec-notation") for h in hrefs), "no link to sec-notation"
    assert any(h.endswith("towards-deep-learning.html#sec-bridge-logistic-gradient") for h in hrefs)
    assert any(h.endswith("logistic-regression.html#sec-logistic") for h in hrefs), "no link to sec-logistic"
    assert any(h.endswith("multiclass-classification.html#sec-multiclass") for h in hrefs), "no link to sec-multiclass"
