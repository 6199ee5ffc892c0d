"""Learning-rate schedules: small callables mapping an optimiser step (0, 1, 2, ...) to a rate.

Use: `optimizer.lr = schedule(step)` before each `optimizer.step(model)`. Steps past the end
of a schedule keep its final rate.
"""

import math


def cosine_between(start, end, fraction):
    """Half a cosine from `start` (fraction 0) to `end` (fraction 1); flat at both ends."""
    fraction = min(max(fraction, 0.0), 1.0)
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * fraction))


class StepDecay:
    """base_lr * gamma ** (step // step_size): drop by `gamma` every `step_size` steps."""

    def __init__(self, base_lr, step_size, gamma=0.1):
        if step_size < 1:
            raise ValueError(f"step_size must be >= 1, got {step_size}")
        self.base_lr, self.step_size, self.gamma = base_lr, int(step_size), gamma

    def __call__(self, step):
        return self.base_lr * self.gamma ** (step // self.step_size)


class Cosine:
    """Linear warm-up to `base_lr` over `warmup_steps` (rate base_lr * (step + 1) / warmup, so the
    first step is not wasted at 0), then cosine decay to `min_lr` at step `total_steps`."""

    def __init__(self, base_lr, total_steps, warmup_steps=0, min_lr=0.0):
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"need 0 <= warmup_steps < total_steps, got {warmup_steps}, {total_steps}")
        self.base_lr, self.total_steps = base_lr, int(total_steps)
        self.warmup_steps, self.min_lr = int(warmup_steps), min_lr

    def __call__(self, step):
        if step < self.warmup_steps:
            return self.base_lr * (step + 1) / self.warmup_steps
        fraction = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        return cosine_between(self.base_lr, self.min_lr, fraction)


class OneCycle:
    """One-cycle policy (Smith & Topin 2019), cosine-shaped as in PyTorch's OneCycleLR:
    from max_lr / div_factor up to max_lr over the first `pct_start` of the steps, then down to
    max_lr / (div_factor * final_div_factor) at the last step (`total_steps - 1`)."""

    def __init__(self, max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
        if total_steps < 2 or not 0.0 < pct_start < 1.0:
            raise ValueError("OneCycle needs total_steps >= 2 and 0 < pct_start < 1")
        self.max_lr, self.total_steps, self.pct_start = max_lr, int(total_steps), pct_start
        self.initial_lr = max_lr / div_factor
        self.final_lr = self.initial_lr / final_div_factor
        # The peak step; at least 1 so the rise exists, at most total-2 so the fall does.
        last = self.total_steps - 1
        self.peak_step = min(max(1, round(pct_start * last)), last - 1)

    def __call__(self, step):
        if step <= self.peak_step:
            return cosine_between(self.initial_lr, self.max_lr, step / self.peak_step)
        fraction = (step - self.peak_step) / (self.total_steps - 1 - self.peak_step)
        return cosine_between(self.max_lr, self.final_lr, fraction)
