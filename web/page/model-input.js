// The 28x28 image the model reads, drawn pixel for pixel (CSS scales it up, pixelated):
// white ink on black, as in MNIST.

export class ModelInput {
  constructor(canvas) {
    this.ctx = canvas.getContext("2d");
    this.image = this.ctx.createImageData(28, 28);
    this.clear();
  }

  show(values) {
    const data = this.image.data;
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, values[i] || 0)));
      data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
      data[4 * i + 3] = 255;
    }
    this.ctx.putImageData(this.image, 0, 0);
  }

  clear() { this.show(new Float32Array(784)); }
}
