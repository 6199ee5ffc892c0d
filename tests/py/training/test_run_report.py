"""run_report: the confusion matrix and the misclassified gallery of a finished run."""

import numpy as np
import pytest

from inkling.training.run_report import confusion_matrix, misclassified, report


def test_confusion_matrix_counts_true_rows_predicted_columns():
    labels = [0, 0, 1, 2, 2, 2, 9]
    predicted = [0, 1, 1, 2, 7, 2, 9]
    m = confusion_matrix(labels, predicted)
    assert m.shape == (10, 10) and m.dtype.kind == "i"
    assert m.sum() == 7 and np.trace(m) == 5
    assert m[0, 0] == 1 and m[0, 1] == 1 and m[2, 7] == 1 and m[2, 2] == 2 and m[9, 9] == 1
    assert m[1, 0] == 0


def test_confusion_matrix_matches_a_loop_on_random_data():
    rng = np.random.default_rng(3)
    labels, predicted = rng.integers(0, 10, 1000), rng.integers(0, 10, 1000)
    loop = np.zeros((10, 10), int)
    for t, p in zip(labels, predicted):
        loop[t, p] += 1
    np.testing.assert_array_equal(confusion_matrix(labels, predicted), loop)


@pytest.mark.parametrize("labels, predicted", [([0, 1], [0]), ([10], [0]), ([0], [-1])])
def test_confusion_matrix_refuses_bad_input(labels, predicted):
    with pytest.raises(ValueError):
        confusion_matrix(labels, predicted)


def make_case():
    """6 digits: #1, #3, #4 wrong (sureness 0.9, 0.6, 0.9), the others right."""
    labels = np.array([3, 5, 1, 7, 2, 0])
    predicted = np.array([3, 6, 1, 1, 8, 0])
    sure = np.array([0.8, 0.9, 0.7, 0.6, 0.9, 0.95], np.float32)
    proba = np.full((6, 10), 0.0, np.float32)
    proba[np.arange(6), predicted] = sure
    proba[np.arange(6), (predicted + 1) % 10] += 1 - sure
    images = np.random.default_rng(0).random((6, 28, 28)).astype(np.float32)
    return images, labels, proba


def test_misclassified_surest_mistakes_first_ties_by_index():
    images, labels, proba = make_case()
    g = misclassified(images, labels, proba, limit=48)
    assert g["total"] == 3
    assert g["index"].tolist() == [1, 4, 3]
    assert g["label"].tolist() == [5, 2, 7] and g["predicted"].tolist() == [6, 8, 1]
    assert all(lab != pred for lab, pred in zip(g["label"], g["predicted"]))
    assert g["proba"].dtype == np.float32 and g["proba"].shape == (30,)
    np.testing.assert_allclose(g["proba"].reshape(3, 10), proba[[1, 4, 3]])
    assert g["images"].dtype == np.uint8 and g["images"].shape == (3 * 784,)
    np.testing.assert_array_equal(g["images"].reshape(3, 28, 28)[0], np.rint(images[1] * 255))


def test_misclassified_limit_and_uint8_images_pass_through():
    images, labels, proba = make_case()
    raw = (images * 255).astype(np.uint8)
    g = misclassified(raw, labels, proba, limit=2)
    assert g["index"].tolist() == [1, 4] and g["total"] == 3
    np.testing.assert_array_equal(g["images"].reshape(2, 28, 28)[1], raw[4])
    assert misclassified(raw, labels, proba, limit=0)["index"].size == 0


def test_report_accuracy_is_the_trace_over_the_sum():
    images, labels, proba = make_case()
    r = report(images, labels, proba)
    m = r["confusion"].reshape(10, 10)
    assert r["confusion"].dtype == np.int32 and r["tested"] == 6 == m.sum()
    assert r["accuracy"] == pytest.approx(3 / 6) == np.trace(m) / m.sum()
    assert r["misclassified"]["total"] == 3
