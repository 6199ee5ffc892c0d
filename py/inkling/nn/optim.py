"""Optimisers: SGD (momentum, Nesterov), Adam, AdamW.

Each `step(model)` updates the arrays of `model.params()` in place from `model.grads()` and keeps
its own per-array state (velocities, moments) by the same names. `lr` is a plain attribute, so a
schedule sets it before each step: `opt.lr = schedule(step); opt.step(model)`.

Weight decay applies to weight matrices and kernels only (arrays with ndim >= 2), not to biases
or BatchNorm's gamma/beta: shrinking those towards 0 only fights the normalisation.
"""

import math

import numpy as np


def decays(param):
    """Whether weight decay applies to this array (weights yes; biases, gamma, beta no)."""
    return param.ndim >= 2


class Optimizer:
    def __init__(self, lr, weight_decay=0.0):
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.state = {}  # name -> dict of arrays, created on first step
        self.steps = 0  # completed step() calls

    def step(self, model):
        params, grads = model.params(), model.grads()
        self.steps += 1
        for name, param in params.items():
            self._update(name, param, grads[name])

    def _update(self, name, param, grad):
        raise NotImplementedError

    def _slots(self, name, param, *slot_names):
        """This array's state arrays (zeros at first), in the parameter's dtype."""
        slots = self.state.setdefault(name, {})
        return [slots.setdefault(slot, np.zeros_like(param)) for slot in slot_names]


class SGD(Optimizer):
    """v = momentum * v + g;  p -= lr * (g + momentum * v if nesterov else v)
    with g = grad + weight_decay * p (L2 regularisation folded into the gradient)."""

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        if nesterov and momentum <= 0.0:
            raise ValueError("Nesterov momentum needs momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _update(self, name, param, grad):
        if self.weight_decay and decays(param):
            grad = grad + self.weight_decay * param
        if self.momentum:
            (velocity,) = self._slots(name, param, "velocity")
            velocity *= self.momentum
            velocity += grad
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        param -= self.lr * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias-corrected moments:
    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * m_hat / (sqrt(v_hat) + eps).
    `weight_decay` here is L2 (added to g, as in the paper); AdamW decouples it."""

    decoupled = False

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.eps = float(eps)

    def _update(self, name, param, grad):
        if self.weight_decay and decays(param):
            if self.decoupled:
                param -= (self.lr * self.weight_decay) * param
            else:
                grad = grad + self.weight_decay * param
        mean, sq_mean = self._slots(name, param, "m", "v")
        mean *= self.beta1
        mean += (1.0 - self.beta1) * grad
        sq_mean *= self.beta2
        sq_mean += (1.0 - self.beta2) * (grad * grad)
        # Both bias corrections folded into one step size (same result, fewer temporaries).
        correction1 = 1.0 - self.beta1**self.steps
        correction2 = 1.0 - self.beta2**self.steps
        # Python floats (math, not np.float64 scalars) so float32 arrays stay float32 (NEP 50).
        step_size = self.lr * math.sqrt(correction2) / correction1
        param -= step_size * mean / (np.sqrt(sq_mean) + self.eps * math.sqrt(correction2))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): p -= lr * wd * p, apart
    from the adaptive step, so decay strength does not depend on the gradient's scale."""

    decoupled = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(lr, betas, eps, weight_decay)
