"""dlmath.data と dlmath.preprocess。"""

import numpy as np
import pytest

from dlmath.data import load_height_weight
from dlmath.numdiff import numerical_gradient
from dlmath.preprocess import add_dummy, center


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
        (center, np.arange(4.0), "data must be 2-D"),
        (center, np.empty((0, 2)), "data is empty"),
        (center, [[1.0, np.nan]], "data contains 1 NaN"),
        (add_dummy, np.arange(4.0), r"x must be 2-D.*reshape\(-1, 1\)"),
    ],
)
def test_preprocess_rejects_bad_input(function, value, match):
    with pytest.raises(ValueError, match=match):
        function(value)


@pytest.mark.parametrize("h", [0, -1e-6, np.nan])
def test_numerical_gradient_rejects_bad_step(h):
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(np.sum, np.zeros(2), h=h)
