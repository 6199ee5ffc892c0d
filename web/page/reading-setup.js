// Builds the picture, camera, number and "Why" components from the page and ties them to one
// Reading (reading.js); main.js calls setupReading once and tells the Reading about the pad.

import { Camera } from "./camera.js";
import { Explanation } from "./explanation.js";
import { ImageInput } from "./image-input.js";
import { Message } from "./message.js";
import { NumberView } from "./number-view.js";
import { PictureView } from "./picture-view.js";
import { Reading } from "./reading.js";

const $ = (selector) => document.querySelector(selector);

// worker(model): the WorkerMessenger that reads with `model` when it is ready, else null;
// model(): the selected model;
// onWeightsFiles(files): a model's files (.zip, manifest + .npy) dropped on the page.
export function setupReading({ worker, model, pad, prediction, bars, modelInput, onWeightsFiles }) {
  const message = new Message($("[data-testid=message]"));
  const picture = new PictureView($(".picture"));
  const reading = new Reading({
    worker, model, pad, padCanvas: $("[data-testid=pad]"), prediction, bars, modelInput, message, picture,
    explanation: new Explanation($(".why"), { answer: $(".answer") }),
    number: new NumberView($(".number")), app: $("main.app"),
  });
  const problem = (text, tone) => message.show(text, tone);
  const read = async (p) => {
    try {
      await reading.readPicture(p);
    } catch (error) {
      message.error(`Couldn't read ${p.name}: ${error.message}`);
    }
  };
  const busy = (on) => document.documentElement.classList.toggle("reading-picture", on);
  new ImageInput({ input: $("[data-testid=upload]"), dropTarget: document.body, onPicture: read, onProblem: problem, onBusy: busy,
                   onWeightsFiles });
  new Camera($(".camera"), {
    openButton: $("[data-testid=camera-open]"), onCapture: read, onProblem: problem,
    onOpen: () => message.clear(),
  });
  return reading;
}
