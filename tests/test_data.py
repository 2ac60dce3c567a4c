"""dlmath.data と dlmath.preprocess。"""

import numpy as np
import pytest

from dlmath.data import IRIS_CLASSES, IRIS_FEATURES, load_digits, load_height_weight, load_iris
from dlmath.numdiff import numerical_gradient
from dlmath.preprocess import add_dummy, center, one_hot, standardize, train_test_split


def test_talk_data_and_means():
    data = load_height_weight()
    assert data.shape == (5, 2)
    np.testing.assert_allclose(data[:, 0], [166, 176, 171, 173, 169])
    np.testing.assert_allclose(data[:, 1], [58.7, 75.7, 62.1, 70.4, 60.1])
    np.testing.assert_allclose(data.mean(axis=0), [171.0, 65.4])


def test_load_returns_a_fresh_copy():
    load_height_weight()[0, 0] = -1.0
    assert load_height_weight()[0, 0] == 166.0


def test_center_subtracts_column_means():
    centered, mean = center(load_height_weight())
    np.testing.assert_allclose(mean, [171.0, 65.4])
    np.testing.assert_allclose(centered.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(centered[:, 0], [-5, 5, 0, 2, -2], atol=1e-12)
    np.testing.assert_allclose(centered[:, 1], [-6.7, 10.3, -3.3, 5.0, -5.3], atol=1e-12)


def test_add_dummy_puts_ones_first():
    x = add_dummy(np.array([[3.0], [4.0]]))
    np.testing.assert_array_equal(x, [[1.0, 3.0], [1.0, 4.0]])


@pytest.mark.parametrize(
    ("function", "value", "match"),
    [
        (center, np.arange(4.0), r"data は 2 次元の配列にしてください。.*data\.reshape\(-1, 1\)"),
        (center, np.empty((0, 2)), "data は空でない配列にしてください。"),
        (center, [[1.0, np.nan]], r"data に NaN か inf が 1 個あります\(最初は data\[0, 1\]\)"),
        (add_dummy, np.arange(4.0), r"x は 2 次元の配列にしてください。受け取ったのは形 \(4,\) の 1 次元の配列です。"
                                    r"特徴量が 1 つなら、x\.reshape\(-1, 1\) か data\[:, 0:1\] で形 \(M, 1\) にします。"),
    ],
)
def test_preprocess_rejects_bad_input(function, value, match):
    with pytest.raises(ValueError, match=match):
        function(value)


@pytest.mark.parametrize("h", [0, -1e-6, np.nan])
def test_numerical_gradient_rejects_bad_step(h):
    with pytest.raises(ValueError, match="h は正の有限の数にしてください。"):
        numerical_gradient(np.sum, np.zeros(2), h=h)


def test_one_hot_puts_a_single_one_in_the_label_column():
    np.testing.assert_array_equal(one_hot([2, 0, 1, 2], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    "labels, N, match",
    [([0, 3], 3, r"labels は 0 から 2 までの整数\(N=3 個のクラスの番号\)にしてください。受け取った値には \[3\.0\] があります。"
                 r"クラスが 4 個以上あるなら、N を大きくしてください。"),
     ([0, -1], 3, r"labels は 0 から 2 までの整数.*\[-1\.0\] があります。$"),
     ([0.5], 3, r"labels は 0 から 2 までの整数.*\[0\.5\] があります。$"),
     ([[0, 1]], 3, "labels は 1 次元の配列にしてください。"), ([0], 0, "N は正の整数にしてください。受け取ったのは 0 です。")],
)
def test_one_hot_rejects_bad_labels(labels, N, match):
    with pytest.raises(ValueError, match=match):
        one_hot(labels, N)


def test_train_test_split_is_a_seeded_partition():
    x = np.arange(20.0).reshape(10, 2)
    yt = np.arange(10.0)
    x_train, x_test, yt_train, yt_test = train_test_split(x, yt, 3, seed=1)
    assert x_train.shape == (7, 2) and x_test.shape == (3, 2)
    np.testing.assert_array_equal(np.sort(np.r_[yt_train, yt_test]), yt)  # 重複も欠けもない
    np.testing.assert_array_equal(x_test[:, 0] / 2, yt_test)  # 行と正解値の対応が保たれる
    again = train_test_split(x, yt, 3, seed=1)
    np.testing.assert_array_equal(again[3], yt_test)
    assert not np.array_equal(train_test_split(x, yt, 3, seed=2)[3], yt_test)
    one_hot_split = train_test_split(x, one_hot(np.arange(10) % 3, 3), 3, seed=1)
    assert one_hot_split[3].shape == (3, 3)


@pytest.mark.parametrize(
    "yt, test_size, match",
    [(np.zeros(9), 3, r"x と yt の行の数\(サンプルの件数 M\)をそろえてください。"),
     (np.zeros(10), 10, r"test_size は 1 以上 9 以下の整数にしてください\(サンプルの件数 M=10 より小さく\)。受け取ったのは 10 です。"),
     (np.zeros(10), 0, r"test_size は 1 以上 9 以下の整数にしてください")],
)
def test_train_test_split_rejects_bad_arguments(yt, test_size, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(np.zeros((10, 2)), yt, test_size, seed=0)


def test_standardize_gives_zero_mean_and_unit_deviation():
    data = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
    scaled, mean, std = standardize(data)
    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(scaled.std(axis=0), 1)
    np.testing.assert_allclose(scaled * std + mean, data)
    with pytest.raises(ValueError, match=r"data の列 \[1\] は値がすべて同じ\(標準偏差 0\)なので、標準化できません。"):
        standardize(np.array([[1.0, 5.0], [2.0, 5.0]]))


def test_load_iris_selects_classes_and_features_and_relabels():
    x, labels = load_iris((1, 2), (0, 2))
    assert x.shape == (100, 2)
    np.testing.assert_array_equal(np.bincount(labels), [50, 50])
    np.testing.assert_allclose(x[0], [7.0, 4.7])  # versicolor の最初の花(scikit-learn の同梱データの 51 行目)
    x_all, labels_all = load_iris()
    assert x_all.shape == (150, 4) and set(labels_all) == {0, 1, 2}
    _, reversed_labels = load_iris((2, 1), (0,))
    np.testing.assert_array_equal(reversed_labels, 1 - labels)  # 並べた順の位置に付け直す
    assert len(IRIS_FEATURES) == 4 and IRIS_CLASSES[0] == "setosa"


@pytest.mark.parametrize("kwargs", [{"classes": (0, 3)}, {"classes": (1, 1)}, {"features": ()}, {"features": (4,)}])
def test_load_iris_rejects_bad_selection(kwargs):
    with pytest.raises(ValueError, match="は 0 から 2 までの異なる整数の並びにしてください。|は 0 から 3 までの異なる整数の並びにしてください。"):
        load_iris(**kwargs)


def test_load_digits_returns_the_bundled_images():
    x, labels = load_digits()
    assert x.shape == (1797, 64) and labels.shape == (1797,)
    assert x.min() == 0.0 and x.max() == 16.0
    np.testing.assert_array_equal(np.unique(labels), np.arange(10))
    assert labels[0] == 0 and x[0].reshape(8, 8)[3, 3] == 0.0  # 最初の画像は 0(中央は空いている)
