"""第8章「実用的なディープラーニングに向けて」のビルド済みページを、読者の側から確かめる。"""

import math
import re

import pytest

from conftest import check_equation, check_exercises, check_figure, dangling_equation_references

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
def prose(soup):
    return soup.select_one("article").get_text()


def table_after(header, text, end=None):
    """text の中で header の行から end(省略時は空行)までの部分。表の行を、ほかの出力と取り違えないために使う。"""
    start = text.index(header)
    stop = text.index(end, start) if end else text.find("\n\n", start)
    return text[start:stop if stop >= 0 else None]


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


def test_timing_table_lists_the_five_network_sizes(outputs, prose):
    # 時間そのものは計る機械と混み具合で変わるので、値は確かめない(速さは benchmarks/)。
    # 数値微分の手間が重みの数に比例することは、順伝播の回数 2P のテストで確かめている。
    # ここで確かめるのは、本文が述べる、混み具合に左右されにくい大小関係だけ。
    table = table_after(" H       P   数値微分 (秒)", outputs)
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s*$", table, re.M)
    assert len(rows) == 5, rows
    weights = [int(r[1]) for r in rows]
    assert weights == sorted(weights)
    # 本文: 比はどの大きさでも回数からの見積もり P より大きい。図の説明: 何桁も短い
    assert all(int(ratio) > int(P) for _, P, _, _, ratio in rows), rows
    assert int(rows[-1][4]) >= 100, rows
    # 本文: 数値微分の損失 1 回あたりの時間は、誤差逆伝播法の勾配 1 回全体より長い
    per_call = re.search(r"損失1回あたりの時間は([\d.]+)マイクロ秒で、\s*誤差逆伝播法で勾配を1回求める時間全体\(([\d.]+)マイクロ秒\)より長い", prose)
    assert per_call and float(per_call.group(1)) > float(per_call.group(2)), per_call
    # 本文: 当てはめた傾きは、どちらも理論の値(数値微分 2、誤差逆伝播法 1)より小さい
    slopes = re.search(r"傾きは、数値微分が(-?[\d.]+)、誤差逆伝播法が(-?[\d.]+)で、どちらも理論の値より小さく", prose)
    assert slopes and float(slopes.group(1)) < 2 and float(slopes.group(2)) < 1, slopes
    # 本文と図の説明: 誤差逆伝播法の時間は、この大きさではゆるやかにしか増えない
    growth = re.search(r"重みの数が(\d+)倍に増えても、どの大きさでも(\d+)〜(\d+)マイクロ秒の範囲に収まって", prose)
    assert growth and float(growth.group(3)) < float(growth.group(2)) * float(growth.group(1)) / 3, growth


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


def test_optimizer_wording_and_units(soup, prose):
    # RMSProp の展開で重みが付くのは勾配の 2 乗、Adam の補正は β1^t と β2^t、3.16α は ρ = 0.9 のとき
    assert r"勾配の2乗\(g_{t-j}^2\)" in prose
    assert r"\(\beta_1^t\)も\(\beta_2^t\)も0に近づく" in prose
    assert re.search(r"\\rho = 0\.9\\\)[^。]*3\.16", prose)
    # 最適化手法の図の右は、もう 1 つの正解率の図と同じく % で描く
    code = soup.get_text()
    assert "100 * history.test_accuracy" in code and 'set_ylabel("テストデータの正解率 (%)")' in code


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
    # Sphinx は表のセルも <p> で包むので、表の外の段落だけを数える
    note = " ".join(p.get_text() for p in [p for p in table.find_all_next("p") if table not in p.parents][:3])
    for phrase in ("RMSpropのalphaは学習率ではなく", "AdamW", "1 - lr * weight_decay", "0.01",
                   "decoupled_weight_decay=True", "最近の版", "パラメータグループ"):
        assert phrase in note, phrase


def test_momentum_step_approaches_alpha_over_one_minus_beta(outputs):
    match = re.search(r"t = 50: 歩幅 ([\d.]+)、式の値 ([\d.]+)", outputs)
    assert match and abs(float(match.group(1)) - float(match.group(2))) < 1e-6 and float(match.group(1)) > 0.09


def test_learning_rate_three_kills_relu_and_a_huge_rate_diverges(outputs, prose):
    # 本文: α = 3 の損失は 1 エポック目から最後まで log 10 の近くの狭い範囲にとどまる(下がらない)
    flat = re.search(r"損失は1エポック目から最後まで([\d.]+)から([\d.]+)のあいだにとどまり、下がりません", prose)
    assert flat, "the flat loss at α = 3 is not stated"
    low, high = map(float, flat.groups())
    assert high - low < 0.1 and abs(low - math.log(10)) < 0.1 and abs(high - math.log(10)) < 0.1, (low, high)
    dead = {float(a): float(p) for a, p in re.findall(r"α = +([\d.]+): 出力が常に 0 の隠れ層のノード (\d+)%", outputs)}
    # 本文: α = 3 ではすべてのノードが死に、出力層には定数しか届かない
    assert dead[3.0] == 100 and dead[0.1] < dead[3.0], dead
    # 本文: α = 3 の損失は log 10 の近くで、正解率は当て推量と変わらない
    loss, accuracy = map(float, re.search(r"^α = +3: 損失 ([\d.]+)、テストデータの正解率 ([\d.]+)", outputs, re.M).groups())
    assert abs(loss - math.log(10)) < 0.1 and accuracy < 0.2, (loss, accuracy)
    # 本文: α = 30 の損失は、どのエポックの終わりでも学習前より大きいまま
    assert re.search(r"α = 30: 最後まで学習しました。\s*各エポックの終わりの損失は [\d.]+〜[\d.]+ で、すべてはじめより大きい", outputs)
    assert "α = 100: 損失がはじめの" in outputs and "発散とみなして止めました" in outputs


def test_overfitting_test_loss_has_its_minimum_before_the_end(prose):
    # 本文: テストデータの損失は途中のエポックで最小になり、最後はそれより大きい
    match = re.search(r"テストデータの損失は(\d+)エポック目の([\d.]+)が最小で、\s*その後は上下しながら上がっていき、最後は([\d.]+)になりました", prose)
    assert match, "the test-loss minimum is not stated"
    epoch, minimum, final = int(match.group(1)), float(match.group(2)), float(match.group(3))
    assert epoch < 100 and final > minimum


def test_early_stopping_stops_patience_epochs_after_the_best(outputs):
    # 本文: 検証データの損失は best エポック目が最小で、その後 10 エポック更新されなかったので止まった(100 エポックより前)
    match = re.search(r"検証データの損失が最小だったエポック: (\d+)、止めたエポック: (\d+)", outputs)
    assert match, "the early-stopping epochs are not printed"
    best, stop = map(int, match.groups())
    assert stop == best + 10 and stop < 100, (best, stop)


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


def paired_differences(outputs):
    """同じ種どうしの正解した枚数の差(対策 − 対策なし)を、対策の名前ごとに種の順で返す。"""
    rows = re.findall(r"^(重み減衰|ドロップアウト|早期終了) − 対策なし\(正解した枚数\): (.+)$", outputs, re.M)
    return {name: [int(v) for v in re.findall(r"種\d ([+-]\d+)", values)] for name, values in rows}


def test_remedy_differences_in_accuracy_are_within_the_seed_noise(outputs, prose):
    table = seed_table(outputs)
    assert sorted(table) == [0, 1, 2, 3, 4], table
    # 表の最後の 3 行は、同じ種どうしの正解した枚数の差(正解率 × 360 枚の差)
    paired = paired_differences(outputs)
    for name, remedy in (("重み減衰", DECAY), ("ドロップアウト", DROPOUT), ("早期終了", EARLY)):
        expected = [round(table[seed][remedy][0] * 360) - round(table[seed][PLAIN][0] * 360) for seed in sorted(table)]
        assert paired.get(name) == expected, (name, paired.get(name), expected)
    # 本文: どの対策も平均では正解率が対策なしより低く(上げた対策はない)、重み減衰は 5 つの種のうち 4 回以上低い
    assert all(sum(c) < 0 for c in paired.values()), paired
    decay = paired["重み減衰"]
    assert sum(c < 0 for c in decay) >= 4, decay
    assert all(c <= 0 for c in paired["早期終了"]), paired  # 本文: 早期終了は低いか同じ枚数
    # 本文(M1): 重み減衰の種ごとの差は min 枚から max 枚までばらつき、逆向きの種があり、
    # 標準偏差(平均からの差の 2 乗の平均の平方根)は平均の大きさに劣らない
    match = re.search(r"種ごとの差は([+-]\d+)枚から([+-]\d+)枚までばらつき、\s*(\d+)つの種では逆向き", prose)
    assert match and (int(match.group(1)), int(match.group(2))) == (min(decay), max(decay)), match
    assert int(match.group(3)) == sum(c > 0 for c in decay) >= 1, decay
    mean = sum(decay) / len(decay)
    sd = math.sqrt(sum((c - mean) ** 2 for c in decay) / len(decay))
    assert sd >= abs(mean), (sd, mean)
    # 本文(M2): テストデータ 360 枚の選び方による正解率の標準偏差 √(p(1 - p)/n)(p は種 0 の対策なし)
    p = table[0][PLAIN][0]
    sampling = re.search(r"約([\d.]+)ポイント、約(\d+)枚分で", prose)
    assert sampling, "the test-set sampling noise is not stated"
    assert abs(float(sampling.group(1)) - 100 * math.sqrt(p * (1 - p) / 360)) < 0.1, sampling.group(1)
    assert abs(int(sampling.group(2)) - 360 * math.sqrt(p * (1 - p) / 360)) <= 1, sampling.group(2)
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


def test_hyperparameters_are_chosen_on_validation_data_and_tested_once(soup, outputs, prose):
    # 本文: 12 通りの学習ではテストデータを test=None として渡さない
    grid_cell = next(c for c in soup.select(".cell_input") if "grid[lam_c, p_c]" in c.get_text())
    assert "test=None" in grid_cell.get_text(), grid_cell.get_text()
    rows = re.findall(r"^\s*([\d.e-]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", outputs, re.M)
    grid = {(float(lam), float(p)): (float(loss), float(acc)) for lam, p, loss, acc in rows
            if float(p) in (0.0, 0.2, 0.5) and float(lam) in (0.0, 1e-4, 1e-3, 1e-2)}
    assert len(grid) == 12, rows
    chosen = re.search(r"選んだ組: λ = ([\d.e-]+)、p = ([\d.]+)", outputs)
    assert chosen, "the chosen setting is not printed"
    best = min(grid, key=lambda key: grid[key][0])
    assert (float(chosen.group(1)), float(chosen.group(2))) == best  # 検証データの損失が最小の組を選んでいる
    assert best != (0.0, 0.0), best  # 本文は、正則化した組が選ばれたものとして書いている
    # 本文(E3): 上位 3 つの検証データの損失は事実上並んでいる
    ranked = sorted(grid.values())
    top = re.search(r"2番目と3番目の組の損失も([\d.]+)と([\d.]+)で、一番との差はわずか", prose)
    assert top and (float(top.group(1)), float(top.group(2))) == (round(ranked[1][0], 3), round(ranked[2][0], 3)), top
    assert ranked[2][0] - ranked[0][0] < 0.03, ranked[:3]
    # テストデータの正解率と損失は、選んだ組について一度だけ出力する
    tested = re.findall(r"^λ = [\d.e-]+、p = [\d.]+: テストデータの正解率 ([\d.]+)、損失 ([\d.]+)$", outputs, re.M)
    assert len(tested) == 1, tested
    accuracy, loss = map(float, tested[0])
    table = seed_table(outputs)
    # 本文(E2): 対策なし(種 0)との正解した枚数の差は、同じ種どうしの重み減衰の差が動いた幅に収まる
    difference = round(accuracy * 360) - round(table[0][PLAIN][0] * 360)
    stated = re.search(r"との差は(-?\d+)枚です", prose)
    assert stated and int(stated.group(1)) == difference, (stated, difference)
    decay = paired_differences(outputs)["重み減衰"]
    assert min(decay) <= difference <= max(decay), (difference, decay)
    assert f"{100 * accuracy:.1f}%" in prose
    # 本文(E1): 選んだ組のテストデータの損失は、対策なし(種 0)より小さい
    assert loss < table[0][PLAIN][1], (loss, table[0][PLAIN][1])
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
            re.findall(r"^p = ([\d.]+): 学習データの損失 ([\d.]+)、正解率 [\d.]+、\n\s*検証データの損失 ([\d.]+)、", outputs, re.M)}
    assert sorted(runs) == [0.2, 0.5, 0.8], runs
    assert runs[0.8][0] > 10 * max(runs[0.2][0], runs[0.5][0])
    assert max(runs[0.2][0], runs[0.5][0]) < 0.01  # 本文: 0.2 と 0.5 はどちらも 0 に近く、ほとんど差がない
    assert runs[0.8][1] > max(runs[0.2][1], runs[0.5][1]) and runs[0.2][1] < runs[0.5][1]
    # patience: 3 で返した重みの検証データの損失は、10 のときより大きい
    returned = {int(p): float(v) for p, v in re.findall(r"^patience = +(\d+): .*\n\s*返した重みでの検証データの損失 ([\d.]+)$", outputs, re.M)}
    assert sorted(returned) == [3, 10, 30] and returned[3] > returned[10], returned


def test_valley_momentum_and_rmsprop_beat_plain_sgd(outputs):
    losses = dict(re.findall(r"^(SGD|モメンタム|RMSProp|Adam) \(α = [\d.]+(?:, β = [\d.]+)?\): 40 回後の損失 ([\d.e+-]+)$",
                             outputs, re.M))
    assert len(losses) == 4, losses
    assert float(losses["モメンタム"]) < float(losses["SGD"]) and float(losses["RMSProp"]) < float(losses["SGD"])
    assert float(losses["Adam"]) > float(losses["SGD"])  # 本文: この学習率の Adam は 40 回後の損失が SGD より大きい
    # 本文: モメンタムと RMSProp は SGD より「何桁も」小さい
    assert float(losses["モメンタム"]) < float(losses["SGD"]) / 100 and float(losses["RMSProp"]) < float(losses["SGD"]) / 100


def test_batch_size_table_and_the_noise_of_single_samples(outputs, prose):
    table = table_after("   B  1エポックの更新回数", outputs, end="B = 1 の 1 エポック目の終わり")
    rows = {int(b): (int(u), float(seconds), float(loss)) for b, u, seconds, loss in
            re.findall(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+$", table, re.M)}
    assert sorted(rows) == [1, 16, 128, 1437], rows
    assert rows[1][2] < rows[16][2] < rows[128][2] < rows[1437][2]  # エポックで比べると小さな B ほど進む
    first = float(re.search(r"B = 1 の 1 エポック目の終わり\((\d+) 回更新\): 損失 ([\d.]+)", outputs).group(2))
    assert first > rows[16][2]  # 更新の回数が多くても、1 枚ずつの勾配は効率が悪い
    # 本文: B = 1 の 1 エポックは B = 16 よりずっと長くかかる(2 つの秒数は同じ桁数で書く)
    assert rows[1][1] > 2 * rows[16][1], rows
    seconds = re.search(r"1エポックに([\d.]+)秒かかり、.{0,30}?の([\d.]+)秒より", prose)
    assert seconds and len(seconds.group(1).split(".")[1]) == len(seconds.group(2).split(".")[1]), seconds
    # 本文と図の説明: 更新の回数で比べると B = 16、128、全部の 3 本がほぼ 1 本につながる
    ends = re.search(r"全部を使った(\d+)回目の損失は([\d.]+)、.{0,30}?の(\d+)回目は([\d.]+)です", prose)
    assert ends, "the losses where the full-batch and B = 128 curves meet are not stated"
    assert abs(math.log(float(ends.group(2)) / float(ends.group(4)))) < 0.1, ends.groups()
    overlap = re.search(r"の(\d+)回目の([\d.]+)は、.{0,30}?の(\d+)回目の([\d.]+)と(\d+)回目の([\d.]+)のあいだにあります", prose)
    assert overlap, "the overlap of the B = 16 and B = 128 curves is not stated"
    u16, l16, u_before, l_before, u_after, l_after = (float(v) for v in overlap.groups())
    assert u_before <= u16 <= u_after and l_after <= l16 <= l_before, overlap.groups()
