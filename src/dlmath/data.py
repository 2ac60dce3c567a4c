"""本で使うデータ。ネットワークからは何も取得しません。"""

import numpy as np

from dlmath._validation import check_indices

# 講演の 5 人分の身長 (cm) と体重 (kg)
_HEIGHT_WEIGHT = (
    (166.0, 58.7),
    (176.0, 75.7),
    (171.0, 62.1),
    (173.0, 70.4),
    (169.0, 60.1),
)


def load_height_weight():
    """講演の身長・体重データを返す(節 sec-linreg-data)。

    Returns
    -------
    data : ndarray of shape (5, 2)
        1 列目が身長 (cm)、2 列目が体重 (kg)。呼ぶたびに新しい配列を返します。
    """
    return np.array(_HEIGHT_WEIGHT)


# アヤメ(Iris)の 4 つの特徴量。列の順は scikit-learn の load_iris と同じ。
IRIS_FEATURES = ("がく片の長さ (cm)", "がく片の幅 (cm)", "花びらの長さ (cm)", "花びらの幅 (cm)")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")


def load_iris(classes=(0, 1, 2), features=(0, 1, 2, 3)):
    """scikit-learn 同梱のアヤメのデータから、指定したクラスと特徴量を取り出す
    (節 sec-logistic-data)。

    Parameters
    ----------
    classes : sequence of int
        使うクラスの番号(IRIS_CLASSES の位置)。返すラベルはこの並びでの
        位置 0, 1, ... に付け直します。
        NumPy の整数(np.arange(2) など)も使えます。
    features : sequence of int
        使う特徴量の番号(IRIS_FEATURES の位置)。

    Returns
    -------
    x : ndarray of shape (M, len(features))
        特徴量(cm)。ダミー変数の列はまだ入っていません。
    labels : ndarray of shape (M,)
        0 から len(classes) - 1 までのクラス番号。
    """
    # 同梱のファイルを読むだけで通信しない
    from sklearn.datasets import load_iris as _sklearn_load_iris

    classes = check_indices("classes", classes, len(IRIS_CLASSES))
    features = check_indices("features", features, len(IRIS_FEATURES))
    iris = _sklearn_load_iris()
    keep = np.isin(iris.target, classes)
    labels = np.array([classes.index(target)
                       for target in iris.target[keep]])
    return iris.data[keep][:, features], labels


def load_digits():
    """scikit-learn 同梱の手書き数字(8×8 画素、10 クラス)を返す(節 sec-deep-data)。

    Returns
    -------
    x : ndarray of shape (1797, 64)
        各画素の濃さ(0 から 16 の整数)。行が 1 枚の画像で、8×8 を 1 列に並べたもの。
    labels : ndarray of shape (1797,)
        書かれている数字 0 から 9。
    """
    # 同梱のファイルを読むだけで通信しない
    from sklearn.datasets import load_digits as _sklearn_load_digits

    digits = _sklearn_load_digits()
    return digits.data.astype(np.float64), digits.target.copy()


# 糖尿病のデータの 10 個の特徴量。列の順は scikit-learn の load_diabetes と同じ
# (age, sex, bmi, bp, s1, ..., s6)。
DIABETES_FEATURES = ("年齢 (歳)", "性別 (1 か 2)", "BMI (kg/m²)", "平均血圧 (mmHg)",
                     "総コレステロール", "LDL コレステロール", "HDL コレステロール",
                     "総コレステロール/HDL", "中性脂肪 (対数)", "血糖値")


def load_diabetes(features=tuple(range(10))):
    """scikit-learn 同梱の糖尿病のデータ(442 人)から、指定した特徴量と
    1 年後の病気の進み具合を返す(節 sec-multireg-diabetes)。

    Parameters
    ----------
    features : sequence of int
        使う特徴量の番号(DIABETES_FEATURES の位置)。

    Returns
    -------
    x : ndarray of shape (442, len(features))
        特徴量。scikit-learn の既定と違い、元の尺度のまま(scaled=False)です。
        ダミー変数の列はまだ入っていません。
    yt : ndarray of shape (442,)
        1 年後の病気の進み具合を表す数値。
    """
    # 同梱のファイルを読むだけで通信しない
    from sklearn.datasets import load_diabetes as _sklearn_load_diabetes

    features = check_indices("features", features, len(DIABETES_FEATURES))
    diabetes = _sklearn_load_diabetes(scaled=False)
    x = diabetes.data[:, features].astype(np.float64)
    return x, diabetes.target.astype(np.float64)
