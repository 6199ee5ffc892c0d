# A two-layer neural network from scratch, in plain NumPy: 784 pixels -> 128 ReLU units -> 10 digits.
# Run it (Run, or Ctrl+Enter), watch the loss fall, then press "Use for the pad" and draw a digit.
import time

import numpy as np

from inkling import lab
from inkling.nn.ops import matmul, use_wasm_kernel

# NumPy in the browser has no BLAS, so `a @ b` is slow there; Inkling's WebAssembly kernel does
# the same product fast. matmul(a, b) is a @ b in both places (it uses BLAS where there is one).
use_wasm_kernel()

# 1. Data: 60,000 training and 10,000 test images, float32 [N, 28, 28] in [0, 1], labels 0-9.
x_train, y_train, x_test, y_test = lab.load_mnist()
x_train = x_train.reshape(len(x_train), 784)  # the MLP sees a flat vector of 784 pixels
x_test = x_test.reshape(len(x_test), 784)
print(f"train {x_train.shape}, test {x_test.shape}")

# 2. Parameters. He initialisation (std = sqrt(2 / fan_in)) keeps ReLU activations from
# shrinking or exploding layer after layer; biases start at zero.
rng = np.random.default_rng(0)
W1 = (rng.standard_normal((784, 128)) * np.sqrt(2 / 784)).astype(np.float32)
b1 = np.zeros(128, np.float32)
W2 = (rng.standard_normal((128, 10)) * np.sqrt(2 / 128)).astype(np.float32)
b2 = np.zeros(10, np.float32)
params = [W1, b1, W2, b2]
velocity = [np.zeros_like(p) for p in params]  # momentum: a running average of gradients


def forward(x):
    """Logits [N, 10] and what backprop needs to remember."""
    h = np.maximum(matmul(x, W1) + b1, 0)  # hidden layer: ReLU(x W1 + b1)
    return matmul(h, W2) + b2, h


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)  # subtracting the max avoids overflow in exp
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# 3. Training: mini-batch SGD with momentum on the softmax cross-entropy loss.
lr, momentum, batch, epochs = 0.1, 0.9, 64, 3
start = time.time()
for epoch in range(epochs):
    order = rng.permutation(len(x_train))  # a new shuffle every epoch
    for step, i in enumerate(range(0, len(order), batch)):
        idx = order[i : i + batch]
        x, y = x_train[idx], y_train[idx]
        logits, h = forward(x)
        p = softmax(logits)
        loss = -np.log(p[np.arange(len(y)), y] + 1e-9).mean()
        # Backward pass: the chain rule, layer by layer, from the loss back to each parameter.
        d_logits = p
        d_logits[np.arange(len(y)), y] -= 1  # d loss / d logits = softmax - one_hot
        d_logits /= len(y)
        dW2, db2 = matmul(h.T, d_logits), d_logits.sum(axis=0)
        dh = matmul(d_logits, W2.T) * (h > 0)  # ReLU passes the gradient only where it was on
        dW1, db1 = matmul(x.T, dh), dh.sum(axis=0)
        for param, grad, v in zip(params, [dW1, db1, dW2, db2], velocity):
            v *= momentum
            v -= lr * grad
            param += v  # in place: W1, b1, ... change too
        if step % 100 == 0:
            lab.chart("loss", epoch + i / len(order), float(loss))
    accuracy = (forward(x_test)[0].argmax(axis=1) == y_test).mean()
    lab.chart("test accuracy", epoch + 1, float(accuracy))
    print(f"epoch {epoch + 1}: loss {loss:.3f}, test accuracy {100 * accuracy:.2f} %, {time.time() - start:.0f} s")


# 4. What the pad calls: images float32 [N, 28, 28] -> probabilities [N, 10].
def predict_proba(images):
    return softmax(forward(images.reshape(len(images), 784))[0])
