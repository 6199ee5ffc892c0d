"""inkling.lab: load_mnist's arrays and chart's points (what a Lab script or a notebook calls)."""

import numpy as np

from inkling import lab


def test_load_mnist_gives_float_images_in_0_1_and_integer_labels():
    x_train, y_train, x_test, y_test = lab.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.float32 and x_train.min() >= 0.0 and x_train.max() == 1.0
    assert y_train.shape == (60000,) and np.issubdtype(y_test.dtype, np.integer)
    assert set(np.unique(y_test)) == set(range(10))
    x_train[:] = 0  # a script may change its copy...
    assert lab.load_mnist()[0].max() == 1.0  # ...not the next one's


def test_chart_keeps_points_and_hands_them_to_the_sink():
    got = []
    lab.reset_charts()
    lab.set_sink(lambda *point: got.append(point))
    try:
        lab.chart("loss", 1, np.float32(0.5))
        lab.chart("loss", 2, 0.25)
    finally:
        lab.set_sink(None)
    assert lab.CHARTS == {"loss": [(1.0, 0.5), (2.0, 0.25)]}
    assert got == [("loss", 1.0, 0.5), ("loss", 2.0, 0.25)]
    lab.reset_charts()
    assert lab.CHARTS == {}
