"""第8章「実用的なディープラーニングに向けて」のビルド済みページを、読者の側から確かめる。"""

import re

import pytest

from conftest import built_page, cell_outputs, check_equation, check_exercises, check_figure, dangling_equation_references

PAGE = "book/practical-deep-learning"

# dlmath の docstring が引用するラベルと、ページが自分で定義して参照するラベル
EQUATIONS = [
    "eq-practical-relative-error", "eq-practical-numerical-cost", "eq-practical-sgd", "eq-practical-valley",
    "eq-practical-valley-factor", "eq-practical-momentum", "eq-practical-rmsprop", "eq-practical-ema",
    "eq-practical-adam", "eq-practical-adam-bias", "eq-practical-l2", "eq-practical-weight-decay",
    "eq-practical-dropout",
]
SECTIONS = [
    "sec-practical", "sec-practical-data", "sec-practical-gradient-check", "sec-practical-optimizers",
    "sec-practical-valley", "sec-practical-adam-bias", "sec-practical-batch-lr", "sec-practical-overfitting",
    "sec-practical-weight-decay", "sec-practical-dropout", "sec-practical-early-stopping",
    "sec-practical-validation", "sec-practical-frameworks", "sec-practical-exercises",
]
FIGURES = [
    "fig-practical-timing", "fig-practical-valley", "fig-practical-optimizers", "fig-practical-batch",
    "fig-practical-lr", "fig-practical-overfitting", "fig-practical-remedies",
]
EXERCISES = [
    "ex-practical-momentum-step", "ex-practical-adam-first-step", "ex-practical-check-l2",
    "ex-practical-dropout-rate", "ex-practical-patience",
]


@pytest.fixture(scope="module")
def soup(site):
    return built_page(site, PAGE)


@pytest.fixture(scope="module")
def outputs(soup):
    return cell_outputs(soup)


@pytest.fixture(scope="module")
def prose(soup):
    return soup.select_one("article").get_text()


def numbers_after(label, text):
    """text の中で label の直後に現れる数(指数表記も可)をすべて float で返す。"""
    return [float(v) for v in re.findall(re.escape(label) + r"\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)", text)]


@pytest.mark.parametrize("label", EQUATIONS)
def test_equations_are_labelled_math_numbered_in_chapter_8(soup, label):
    check_equation(soup, label, chapter=8)


@pytest.mark.parametrize("label", SECTIONS + EXERCISES)
def test_section_and_exercise_labels_exist(soup, label):
    assert soup.find(id=label) is not None, f"{label} missing"


def test_equation_references_resolve_on_the_page(soup):
    assert len(soup.select('a[href^="#equation-eq-practical-"]')) >= 12, "too few equation references"
    assert not dangling_equation_references(soup)


def test_links_back_to_chapter_7_and_the_mathematics_part(soup):
    hrefs = [a.get("href", "") for a in soup.select("article a")]
    assert any("deep-learning.html#sec-deep" in h for h in hrefs), "no link to chapter 7"
    for label in ("sec-math-chain-rule", "sec-math-expectation", "sec-math-gradient-descent", "sec-math-numerical-diff"):
        assert any(h.endswith(f"#{label}") for h in hrefs), f"no link to {label}"


@pytest.mark.parametrize("name", FIGURES)
def test_figures_have_image_alt_and_caption(site, soup, name):
    check_figure(site, soup, name)


def test_autodiff_diagram_has_alt_and_caption(site, soup):
    check_figure(site, soup, "fig-practical-autodiff-graph", min_bytes=2_000)


def test_optimisers_and_package_functions_are_shown(soup):
    code = soup.get_text()
    for signature in (
        "class SGD:", "class Momentum:", "class RMSProp:", "class Adam:", "def gradient_check(",
        "def _forward(x, weights, f, dropout=0.0, rng=None)",
    ):
        assert signature in code, f"{signature} not shown"


def test_gradient_check_agrees_per_weight_matrix(outputs):
    errors = numbers_after("相対誤差", outputs)
    assert len(errors) >= 2 and all(e < 1e-6 for e in errors[:2]), errors
    assert numbers_after("微分を取り違えた V の勾配: 相対誤差", outputs)[0] > 1e-2
    assert max(numbers_after("λ = 0.01 での相対誤差", outputs)) < 1e-6


def test_numerical_gradient_needs_two_forward_passes_per_weight(outputs):
    match = re.search(r"重みの数 P = (\d+)、数値微分で呼んだ順伝播 (\d+) 回", outputs)
    assert match, "the forward-pass count is not printed"
    assert int(match.group(2)) == 2 * int(match.group(1))


def test_timing_table_lists_the_five_network_sizes(outputs):
    # 時間そのものは計る機械と混み具合で変わるので確かめない(テストは正しさだけ、速さは benchmarks/)。
    # 数値微分の手間が重みの数に比例することは、順伝播の回数 2P のテストで確かめている。
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s*$", outputs, re.M)
    assert len(rows) == 5, rows
    weights = [int(r[1]) for r in rows]
    assert weights == sorted(weights)


def test_optimisers_learn_and_momentum_beats_plain_sgd_at_the_same_rate(outputs):
    names = r"SGD \(α = 0\.01\)|モメンタム \(α = 0\.01, β = 0\.9\)|RMSProp \(α = 0\.001\)|Adam \(α = 0\.001\)"
    rows = re.findall(rf"^({names}): 損失 ([\d.]+)、テストデータの正解率 ([\d.]+)", outputs, re.M)
    losses = {name: float(loss) for name, loss, _ in rows}
    assert len(losses) == 4, rows
    assert losses["モメンタム (α = 0.01, β = 0.9)"] < losses["SGD (α = 0.01)"] / 3
    assert all(float(accuracy) > 0.8 for *_, accuracy in rows), rows


def test_adam_bias_correction_makes_the_first_step_alpha(outputs):
    steps = numbers_after("補正したときの歩幅", outputs)
    assert len(steps) == 3 and all(abs(s - 0.001) < 1e-6 for s in steps), steps


def test_momentum_step_wording_is_one_over_one_minus_beta_times_sgd(prose):
    # 歩幅は SGD の歩幅 α|g| の 1/(1 - β) 倍(「α/(1 - β) 倍」ではない)
    assert r"\alpha/(1 - \beta)\)倍" not in prose and r"1/(1 - \beta)\)倍" in prose


def test_weight_decay_table_names_adamw_and_bias_groups(prose):
    assert "AdamW" in prose and "パラメータグループ" in prose


def test_momentum_step_approaches_alpha_over_one_minus_beta(outputs):
    match = re.search(r"t = 50: 歩幅 ([\d.]+)、式の値 ([\d.]+)", outputs)
    assert match and abs(float(match.group(1)) - float(match.group(2))) < 1e-6 and float(match.group(1)) > 0.09


def test_learning_rate_three_kills_relu_and_a_huge_rate_diverges(outputs):
    dead = {float(a): float(p) for a, p in re.findall(r"α = +([\d.]+): 出力が常に 0 の隠れ層のノード (\d+)%", outputs)}
    assert dead[3.0] > 50 and dead[0.1] < dead[3.0], dead
    assert "α = 100: 損失がはじめの" in outputs and "発散とみなして止めました" in outputs


def test_overfitting_gap_and_remedies(outputs, prose):
    match = re.search(r"学習データ: 損失 ([\d.]+)、正解率 ([\d.]+)\nテストデータ: 損失 ([\d.]+)、正解率 ([\d.]+)", outputs)
    assert match, "the small-data run is not printed"
    train_loss, train_accuracy, test_loss, test_accuracy = map(float, match.groups())
    assert train_accuracy == 1.0 and test_accuracy < 0.95 and test_loss > 10 * train_loss
    rows = {name: tuple(map(float, values)) for name, *values in
            re.findall(r"^(.+?): ([\d.]+) / ([\d.]+) / ([\d.]+)$", outputs, re.M)}
    assert len(rows) == 5, rows
    plain, early = rows["対策なし"], rows["早期終了"]
    decay = next(v for k, v in rows.items() if k.startswith("重み減衰"))
    dropout = next(v for k, v in rows.items() if k.startswith("ドロップアウト"))
    more = next(v for k, v in rows.items() if k.startswith("学習データ"))
    # 本文の主張: 損失は重み減衰と早期終了で下がり、ドロップアウトでは下がらない
    assert decay[2] < plain[2] and early[2] < plain[2] and dropout[2] >= plain[2]
    assert more[1] > plain[1] + 0.05  # データを増やすのが最も効く
    assert f"{100 * plain[1]:.1f}%" in prose and f"{100 * more[1]:.1f}%" in prose
    assert "はっきり効いた" not in prose  # 正解率が下がった対策を「はっきり効いた」と書かない


def seed_table(outputs):
    """種ごとの (対策なし, 重み減衰, 早期終了) の (テストデータの正解率, 損失)。"""
    rows = re.findall(r"^\s*(\d)\s+([\d.]+) / ([\d.]+)\s+([\d.]+) / ([\d.]+)\s+([\d.]+) / ([\d.]+)$", outputs, re.M)
    return {int(seed): [(float(values[i]), float(values[i + 1])) for i in (0, 2, 4)] for seed, *values in rows}


def test_remedy_differences_in_accuracy_are_within_the_seed_noise(outputs):
    # 本文の主張: 対策による正解率の差(種 0)は、対策なしを種だけ変えたときの揺れと同じ程度(以内)で、
    # テストデータの損失はどの種でも重み減衰と早期終了のほうが小さい
    table = seed_table(outputs)
    assert sorted(table) == [0, 1, 2, 3, 4], table
    plain_accuracies = [table[seed][0][0] for seed in table]
    spread = max(plain_accuracies) - min(plain_accuracies)
    dropout = float(re.search(r"^ドロップアウト \(p = 0\.5\): [\d.]+ / ([\d.]+) / ", outputs, re.M).group(1))
    for accuracy in (table[0][1][0], table[0][2][0], dropout):  # 重み減衰、早期終了、ドロップアウト(種 0)
        assert abs(accuracy - table[0][0][0]) <= spread + 1e-9
    assert all(table[seed][1][1] < table[seed][0][1] and table[seed][2][1] < table[seed][0][1] for seed in table)


def test_hyperparameters_are_chosen_on_validation_data_and_tested_once(outputs, prose):
    rows = re.findall(r"^\s*([\d.e-]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", outputs, re.M)
    grid = {(float(lam), float(p)): (float(loss), float(acc)) for lam, p, loss, acc in rows
            if float(p) in (0.0, 0.2, 0.5) and float(lam) in (0.0, 1e-4, 1e-3, 1e-2)}
    assert len(grid) == 12, rows
    chosen = re.search(r"選んだ組: λ = ([\d.e-]+)、p = ([\d.]+)", outputs)
    assert chosen, "the chosen setting is not printed"
    best = min(grid, key=lambda key: grid[key][0])
    assert (float(chosen.group(1)), float(chosen.group(2))) == best  # 検証データの損失が最小の組を選んでいる
    # テストデータの正解率は選んだ組について一度だけ出力する
    tested = re.findall(r"^λ = [\d.e-]+、p = [\d.]+: テストデータの正解率 ([\d.]+)$", outputs, re.M)
    assert len(tested) == 1, tested
    # 本文の主張: 選んだ組の正解率と対策なしの差は、種による揺れの範囲
    table = seed_table(outputs)
    plain_accuracies = [table[seed][0][0] for seed in table]
    assert abs(float(tested[0]) - table[0][0][0]) <= max(plain_accuracies) - min(plain_accuracies) + 1e-9
    assert f"{100 * float(tested[0]):.1f}%" in prose
    # 本文の主張: 検証データの正解率は 12 通りとも数枚の差に収まる
    accuracies = [acc for _, acc in grid.values()]
    assert (max(accuracies) - min(accuracies)) * 300 < 10


def test_prose_numbers_are_filled_from_the_code(prose):
    assert "{glue" not in prose
    assert "(実行していません)" in prose or "実行していません" in prose


def test_exercises_have_collapsed_solutions(soup):
    check_exercises(soup, "ex-practical-", 4, code_solutions=3)


def test_valley_momentum_and_rmsprop_beat_plain_sgd(outputs):
    losses = dict(re.findall(r"^(SGD|モメンタム|RMSProp|Adam) \(α = [\d.]+(?:, β = [\d.]+)?\): 40 回後の損失 ([\d.e+-]+)$",
                             outputs, re.M))
    assert len(losses) == 4, losses
    assert float(losses["モメンタム"]) < float(losses["SGD"]) and float(losses["RMSProp"]) < float(losses["SGD"])
    assert float(losses["Adam"]) > float(losses["SGD"])  # 本文: この学習率の Adam は 40 回後の損失が SGD より大きい


def test_batch_size_table_and_the_noise_of_single_samples(outputs):
    rows = {int(b): (int(u), float(loss)) for b, u, loss in
            re.findall(r"^\s*(\d+)\s+(\d+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+$", outputs, re.M) if int(b) in (1, 16, 128, 1437)}
    assert sorted(rows) == [1, 16, 128, 1437], rows
    assert rows[1][1] < rows[16][1] < rows[128][1] < rows[1437][1]  # エポックで比べると小さな B ほど進む
    first = float(re.search(r"B = 1 の 1 エポック目の終わり\((\d+) 回更新\): 損失 ([\d.]+)", outputs).group(2))
    assert first > rows[16][1]  # 更新の回数が多くても、1 枚ずつの勾配は効率が悪い
