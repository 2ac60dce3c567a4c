"""本で使うデータ。ネットワークからは何も取得しません。"""

import numpy as np

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
