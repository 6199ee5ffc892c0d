"""inkling.reading.occlusion: the "Why" of a model that is only a predict_proba (a Lab script's)."""

import numpy as np
from shapes import glyph

from inkling.reading import explain, occlusion, second_look


def seven():
    return glyph(np.zeros((28, 28)), "7", 6, 4, 16, 20, 2.5).astype(np.float32)


def looks_at(top: float, bottom: float = 0.0):
    """A model that reads a 1 the surer the more ink lies in the top 10 rows (weight `top`) and in
    the bottom 14 (weight `bottom`, < 0: ink there speaks against a 1), else a 0. Shares are of the
    batch's fullest image, so blanking ink in one place leaves the other's share as it was."""

    def predict_proba(images):
        images = np.asarray(images, np.float32)
        whole = max(1.0, float(images.sum(axis=(1, 2)).max()))
        share = top * images[:, :10].sum(axis=(1, 2)) + bottom * images[:, 14:].sum(axis=(1, 2))
        p = np.zeros((len(images), 10), np.float32)
        p[:, 1] = np.clip(0.55 + 0.4 * share / whole, 0, 1)
        p[:, 0] = 1 - p[:, 1]
        return p

    return predict_proba


def test_the_map_is_red_where_the_model_looks_and_nothing_where_there_is_no_ink():
    x = seven()
    p, sal = occlusion.occlusion(looks_at(top=1.0), x)
    assert sal.shape == (28, 28) and sal.dtype == np.float32
    assert int(np.argmax(p)) == 1
    assert np.all(sal[x == 0] == 0), "blanking no ink changes nothing"
    assert sal[:8].min() >= 0 and sal[:8].max() == sal.max() > 0, "the ink the model counts on is red"
    assert np.abs(sal[16:]).max() < 1e-6, "ink far from where it looks does not matter"


def test_ink_that_makes_the_model_less_sure_is_blue():
    x = seven()
    p, sal = occlusion.occlusion(looks_at(top=1.0, bottom=-0.5), x)
    assert int(np.argmax(p)) == 1
    assert sal[:8].max() > 0 and sal[:8].min() >= 0
    assert sal[16:].min() < 0 and sal[16:].max() <= 0, "the stem's ink speaks against a 1"


def test_explain_gives_the_keys_the_page_shows():
    x = seven()
    why = occlusion.explain(type("M", (), {"predict_proba": staticmethod(looks_at(top=1.0))}), x)
    shipped_keys = {"digit", "probabilities", "saliency", "activations", "top", "top_p", "unsure", "reason"}
    assert set(why) == shipped_keys
    assert why["digit"] == 1 and why["top"][0] == 1 and why["top"].dtype == np.int32 and len(why["top"]) == explain.TOP
    assert why["activations"] == [{"label": "output", "values": why["activations"][0]["values"]}]
    assert np.allclose(why["activations"][0]["values"], why["probabilities"])
    assert why["saliency"].shape == (28, 28)


def test_one_batch_of_the_input_and_one_blanked_copy_per_inked_square():
    calls = []

    def counting(images):
        calls.append(len(images))
        return np.full((len(images), 10), 0.1, np.float32)

    x = np.zeros((28, 28), np.float32)
    x[13, 13] = 1.0  # one pixel: covered by 2 x 2 squares of 4 every 2
    _, sal = occlusion.occlusion(counting, x)
    assert calls == [1 + 4]
    assert not sal.any(), "a model that never changes its mind: nothing matters"
    occlusion.occlusion(counting, seven())
    assert calls[-1] <= 1 + 13 * 13


def test_the_why_explains_the_reading_after_a_second_look():
    model = type("M", (), {"predict_proba": staticmethod(looks_at(top=0.2, bottom=-0.5))})
    x = seven()
    first, _ = occlusion.occlusion(model.predict_proba, x)
    assert first.max() < second_look.SECOND_LOOK
    why = occlusion.explain(model, x)
    np.testing.assert_allclose(why["probabilities"], second_look.predict(model, x[None])[0], rtol=1e-6)
    np.testing.assert_allclose(why["saliency"], occlusion.occlusion(model.predict_proba, x, why["digit"])[1])
