"""Reading what people write: pictures to ink, ink to one piece per digit, pieces to a number, and
why the model read what it read (saliency, activations, alternatives, "unsure").

May import `inkling.nn` and `inkling.data`; never `inkling.training` or `inkling.worker`.
"""
