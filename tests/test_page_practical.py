"""第8章「実用的なディープラーニングに向けて」のビルド済みページを、読者の側から確かめる。"""

import math
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
    for label in ("sec-math-chain-rule", "sec-math-prob-linearity", "sec-math-gradient-descent", "sec-math-numerical-diff"):
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
    accuracies = {name: float(accuracy) for name, _, accuracy in rows}
    assert len(losses) == 4, rows
    assert losses["モメンタム (α = 0.01, β = 0.9)"] < losses["SGD (α = 0.01)"] / 3
    assert all(a > 0.8 for a in accuracies.values()), rows
    # 本文: モメンタム・RMSProp・Adam の正解率の差は数枚分(テスト画像 360 枚)
    adaptive = [a for name, a in accuracies.items() if not name.startswith("SGD")]
    assert round((max(adaptive) - min(adaptive)) * 360) <= 5, adaptive
    # 演習の解答: モメンタム (α = 0.01) の損失は、学習率 0.01 の SGD より学習率 0.1 の SGD にずっと近い
    sgd = {float(a): float(loss) for a, loss in re.findall(r"^α = +([\d.]+): 損失 ([\d.]+)、テストデータの正解率", outputs, re.M)}
    momentum = losses["モメンタム (α = 0.01, β = 0.9)"]
    assert abs(momentum - sgd[0.1]) < abs(momentum - sgd[0.01]) / 5, (momentum, sgd)


def test_adam_bias_correction_makes_the_first_step_alpha(outputs, prose):
    steps = numbers_after("補正したときの歩幅", outputs)
    assert len(steps) == 3 and all(abs(s - 0.001) < 1e-6 for s in steps), steps
    # ε によるずれは α の 1e-5 倍程度以下(本文: 表示した桁には現れない)
    deviations = numbers_after("α とのずれ", outputs)
    assert len(deviations) == 3 and all(abs(d) <= 1.1e-5 for d in deviations), deviations
    # 補正しないときの歩幅は adam.m, adam.s から計算し、α のおよそ (1 - β1)/√(1 - β2) ≈ 3.16 倍
    ratios = [float(r) for r in re.findall(r"\(α の ([\d.]+) 倍\)", outputs)]
    assert len(ratios) == 3 and all(abs(r - 0.1 / 0.001 ** 0.5) < 0.01 for r in ratios), ratios
    assert ratios[0] < ratios[1] == ratios[2], ratios  # 本文: g = 0.001 の行だけ ε のために最後の桁が小さい
    assert "ごくわずかな違いは" not in prose


def test_momentum_step_wording_is_one_over_one_minus_beta_times_sgd(prose):
    # 歩幅は SGD の歩幅 α|g| の 1/(1 - β) 倍(「α/(1 - β) 倍」ではない)
    assert r"\alpha/(1 - \beta)\)倍" not in prose and r"1/(1 - \beta)\)倍" in prose


def test_pytorch_table_and_weight_decay_note(soup):
    # 対応表: 学習率は lr、RMSProp の ρ は RMSprop の alpha、Adam の β1, β2 は betas、lam は weight_decay
    table = next(t for t in soup.select("article table") if "torch.optim" in t.get_text())
    rows = {tr.select("td")[0].get_text().strip(): tr.select("td")[1].get_text().strip() for tr in table.select("tbody tr")}
    def row(start):
        return next(v for k, v in rows.items() if k.startswith(start))
    assert row("学習率") == "lr"
    assert "RMSprop" in row("RMSPropの") and "alpha" in row("RMSPropの") and "0.99" in row("RMSPropの")
    assert "betas" in row("Adamの")
    assert "momentum" in row("モメンタムの")
    assert "weight_decay" in row("lam")
    # 表の後の注意: alpha と lr の名前、AdamW の縮め方と既定値、decoupled_weight_decay、切片のパラメータグループ
    note = " ".join(p.get_text() for p in table.find_all_next("p", limit=3))
    for phrase in ("RMSpropのalphaは学習率ではなく", "AdamW", "1 - lr * weight_decay", "0.01",
                   "decoupled_weight_decay=True", "最近の版", "パラメータグループ"):
        assert phrase in note, phrase


def test_momentum_step_approaches_alpha_over_one_minus_beta(outputs):
    match = re.search(r"t = 50: 歩幅 ([\d.]+)、式の値 ([\d.]+)", outputs)
    assert match and abs(float(match.group(1)) - float(match.group(2))) < 1e-6 and float(match.group(1)) > 0.09


def test_learning_rate_three_kills_relu_and_a_huge_rate_diverges(outputs):
    dead = {float(a): float(p) for a, p in re.findall(r"α = +([\d.]+): 出力が常に 0 の隠れ層のノード (\d+)%", outputs)}
    # 本文: α = 3 ではすべてのノードが死に、出力層には定数しか届かない
    assert dead[3.0] == 100 and dead[0.1] < dead[3.0], dead
    # 本文: α = 3 の損失は log 10 の近くで、正解率は当て推量と変わらない
    loss, accuracy = map(float, re.search(r"^α = +3: 損失 ([\d.]+)、テストデータの正解率 ([\d.]+)", outputs, re.M).groups())
    assert abs(loss - math.log(10)) < 0.1 and accuracy < 0.2, (loss, accuracy)
    # 本文: α = 30 の損失は、どのエポックの終わりでも学習前より大きいまま
    assert re.search(r"α = 30: 最後まで学習しました。各エポックの終わりの損失は [\d.]+〜[\d.]+ で、すべてはじめより大きい", outputs)
    assert "α = 100: 損失がはじめの" in outputs and "発散とみなして止めました" in outputs


def test_overfitting_test_loss_has_its_minimum_before_the_end(prose):
    # 本文: テストデータの損失は途中のエポックで最小になり、最後はそれより大きい
    match = re.search(r"テストデータの損失は(\d+)エポック目の([\d.]+)が最小で、\s*その後は上下しながら上がっていき、最後は([\d.]+)になりました", prose)
    assert match, "the test-loss minimum is not stated"
    epoch, minimum, final = int(match.group(1)), float(match.group(2)), float(match.group(3))
    assert epoch < 100 and final > minimum


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


PLAIN, DECAY, DROPOUT, EARLY = range(4)


def seed_table(outputs):
    """種ごとの (対策なし, 重み減衰, ドロップアウト, 早期終了) の (テストデータの正解率, 損失)。"""
    pair = r"([\d.]+) / ([\d.]+)"
    rows = re.findall(rf"^\s*(\d)\s+{pair}\s+{pair}\s+{pair}\s+{pair}$", outputs, re.M)
    return {int(seed): [(float(values[i]), float(values[i + 1])) for i in (0, 2, 4, 6)] for seed, *values in rows}


def test_remedy_differences_in_accuracy_are_within_the_seed_noise(outputs):
    table = seed_table(outputs)
    assert sorted(table) == [0, 1, 2, 3, 4], table
    plain_accuracies = [table[seed][PLAIN][0] for seed in table]
    spread = max(plain_accuracies) - min(plain_accuracies)
    # 本文: 種 0 での対策による正解率の差は、対策なしを種だけ変えたときの揺れと同じ程度(以内)
    for remedy in (DECAY, DROPOUT, EARLY):
        assert abs(table[0][remedy][0] - table[0][PLAIN][0]) <= spread + 1e-9
    # 本文: どの対策も平均では正解率が対策なしより低く(上げた対策はない)、重み減衰は 5 つの種のうち 4 回以上低い。
    # その差は平均で、対策なしの種による揺れより小さい
    change = {r: [table[seed][r][0] - table[seed][PLAIN][0] for seed in table] for r in (DECAY, DROPOUT, EARLY)}
    assert all(sum(c) < 0 for c in change.values()), change
    assert sum(c < 0 for c in change[DECAY]) >= 4, change[DECAY]
    assert -sum(change[DECAY]) / len(table) < spread, change[DECAY]
    assert all(c <= 1e-9 for c in change[EARLY]), change[EARLY]  # 本文: 早期終了は低いか同じ枚数
    # 本文: テストデータの損失は、どの種でも重み減衰と早期終了のほうが小さく、ドロップアウトは多くて 1 回しか小さくならない
    assert all(table[seed][DECAY][1] < table[seed][PLAIN][1] and table[seed][EARLY][1] < table[seed][PLAIN][1]
               for seed in table)
    assert table[0][DROPOUT][1] > table[0][PLAIN][1]
    assert sum(table[seed][DROPOUT][1] < table[seed][PLAIN][1] for seed in table) <= 1


def test_wrong_images_get_less_extreme_losses_with_weight_decay_and_early_stopping(outputs):
    # 本文: 3 つとも外した画像での損失と重みの 2 乗の和は、重み減衰と早期終了で対策なしより小さい
    rows = {name: (float(loss), float(size)) for name, loss, size in
            re.findall(r"^(対策なし|重み減衰|早期終了): 3 つとも外した画像での損失 ([\d.]+)、重みの 2 乗の和 (\d+)$", outputs, re.M)}
    assert len(rows) == 3, rows
    for remedy in ("重み減衰", "早期終了"):
        assert rows[remedy][0] < rows["対策なし"][0] - 0.3 and rows[remedy][1] < rows["対策なし"][1], rows
    assert re.search(r"^外した枚数: 対策なし \d+、重み減衰 \d+、早期終了 \d+、3 つとも \d+$", outputs, re.M)


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
    plain_accuracies = [table[seed][PLAIN][0] for seed in table]
    assert abs(float(tested[0]) - table[0][PLAIN][0]) <= max(plain_accuracies) - min(plain_accuracies) + 1e-9
    assert f"{100 * float(tested[0]):.1f}%" in prose
    # 本文の主張: 検証データの正解率は 12 通りとも数枚の差に収まる
    accuracies = [acc for _, acc in grid.values()]
    assert (max(accuracies) - min(accuracies)) * 300 < 10


def test_prose_numbers_are_filled_from_the_code(prose):
    assert "{glue" not in prose
    assert "(実行していません)" in prose or "実行していません" in prose


def test_exercises_have_collapsed_solutions(soup):
    # 演習は 5 問で、どの解答もコードを実行して出力を示す(1 問でも消えたり、出力がなくなったりすると失敗する)
    assert len(soup.select("article div.exercise")) == len(EXERCISES)
    check_exercises(soup, "ex-practical-", len(EXERCISES), code_solutions=len(EXERCISES))


def test_exercise_solutions_match_their_outputs(outputs):
    # 正則化つきの勾配: 切片の行の差はちょうど 0
    intercept = numbers_after("切片の行の差の最大値", outputs)
    assert len(intercept) == 2 and all(d == 0 for d in intercept), intercept
    # ドロップアウトの割合: p = 0.8 は学習データの損失が桁違いに大きく、検証データの損失も最大。0.2 は 0.5 より小さい
    runs = {float(p): (float(train), float(valid)) for p, train, valid in
            re.findall(r"^p = ([\d.]+): 学習データの損失 ([\d.]+)、正解率 [\d.]+、検証データの損失 ([\d.]+)、", outputs, re.M)}
    assert sorted(runs) == [0.2, 0.5, 0.8], runs
    assert runs[0.8][0] > 10 * max(runs[0.2][0], runs[0.5][0])
    assert runs[0.8][1] > max(runs[0.2][1], runs[0.5][1]) and runs[0.2][1] < runs[0.5][1]
    # patience: 3 で返した重みの検証データの損失は、10 のときより大きい
    returned = {int(p): float(v) for p, v in re.findall(r"^patience = +(\d+): .*返した重みでの検証データの損失 ([\d.]+)$", outputs, re.M)}
    assert sorted(returned) == [3, 10, 30] and returned[3] > returned[10], returned


def test_valley_momentum_and_rmsprop_beat_plain_sgd(outputs):
    losses = dict(re.findall(r"^(SGD|モメンタム|RMSProp|Adam) \(α = [\d.]+(?:, β = [\d.]+)?\): 40 回後の損失 ([\d.e+-]+)$",
                             outputs, re.M))
    assert len(losses) == 4, losses
    assert float(losses["モメンタム"]) < float(losses["SGD"]) and float(losses["RMSProp"]) < float(losses["SGD"])
    assert float(losses["Adam"]) > float(losses["SGD"])  # 本文: この学習率の Adam は 40 回後の損失が SGD より大きい
    # 本文: モメンタムと RMSProp は SGD より「何桁も」小さい
    assert float(losses["モメンタム"]) < float(losses["SGD"]) / 100 and float(losses["RMSProp"]) < float(losses["SGD"]) / 100


def test_batch_size_table_and_the_noise_of_single_samples(outputs):
    rows = {int(b): (int(u), float(loss)) for b, u, loss in
            re.findall(r"^\s*(\d+)\s+(\d+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+$", outputs, re.M) if int(b) in (1, 16, 128, 1437)}
    assert sorted(rows) == [1, 16, 128, 1437], rows
    assert rows[1][1] < rows[16][1] < rows[128][1] < rows[1437][1]  # エポックで比べると小さな B ほど進む
    first = float(re.search(r"B = 1 の 1 エポック目の終わり\((\d+) 回更新\): 損失 ([\d.]+)", outputs).group(2))
    assert first > rows[16][1]  # 更新の回数が多くても、1 枚ずつの勾配は効率が悪い
