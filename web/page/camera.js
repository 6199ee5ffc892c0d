// The camera: a live preview over the pad, a capture button, and a switch between cameras when
// there are two or more (phones: front and back). getUserMedia needs a secure context
// (https or localhost) and the user's permission; every way it can fail becomes a message:
// refused, no camera, camera busy, or the camera going away while open (its track's "ended").

import { fitted, pixels } from "./image-decode.js";

const REASONS = {
  NotAllowedError: "Camera access was refused. Allow the camera for this page in the browser's site settings, or upload a picture instead.",
  SecurityError: "Camera access was refused. Allow the camera for this page in the browser's site settings, or upload a picture instead.",
  NotFoundError: "No camera was found on this device. You can upload a picture instead.",
  OverconstrainedError: "No camera was found on this device. You can upload a picture instead.",
  NotReadableError: "The camera is in use by another app, or could not be started.",
  AbortError: "The camera could not be started.",
};

export class Camera {
  constructor(root, { openButton, onCapture, onProblem, onOpen }) {
    this.root = root;                                   // the panel: video + its buttons
    this.video = root.querySelector("video");
    this.captureButton = root.querySelector("[data-testid=camera-capture]");
    this.switchButton = root.querySelector(".camera-switch");
    this.onCapture = onCapture;                         // ({rgba, width, height, bitmap, name}) => ...
    this.onProblem = onProblem;                         // (text, tone)
    this.onOpen = onOpen;                               // called when the preview shows
    this.stream = null;
    this.devices = [];                                  // video inputs, known after permission
    this.deviceIndex = 0;
    openButton.addEventListener("click", () => this.open());
    this.captureButton.addEventListener("click", () => this.capture());
    this.switchButton.addEventListener("click", () => this.switch());
    root.querySelector(".camera-close").addEventListener("click", () => this.close());
  }

  get isOpen() { return this.stream !== null; }

  async open(deviceId = null) {
    if (!navigator.mediaDevices?.getUserMedia) {
      return this.onProblem("This browser can't use a camera here (it needs a secure https page).", "error");
    }
    this.stop();
    const video = deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: "environment" } };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (error) {
      return this.onProblem(REASONS[error.name] ?? `The camera could not be started (${error.message || error.name}).`, "error");
    }
    this.stream = stream;
    const track = stream.getVideoTracks()[0];
    track?.addEventListener("ended", () => this.lost(stream));
    this.video.srcObject = stream;
    this.root.hidden = false;
    this.onOpen?.();
    try { await this.video.play(); } catch { /* autoplay of a muted preview is allowed; ignore */ }
    await this.findDevices(track);
  }

  async findDevices(track) {
    try {
      this.devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
    } catch {
      this.devices = [];
    }
    const current = track?.getSettings?.().deviceId;
    this.deviceIndex = Math.max(0, this.devices.findIndex((d) => d.deviceId === current));
    this.switchButton.hidden = this.devices.length < 2;
  }

  switch() {
    if (this.devices.length < 2) return;
    this.deviceIndex = (this.deviceIndex + 1) % this.devices.length;
    this.open(this.devices[this.deviceIndex].deviceId);
  }

  // The camera went away while open (unplugged, taken by another app, permission revoked).
  lost(stream) {
    if (stream !== this.stream) return;
    this.close();
    this.onProblem("The camera stopped (it was disconnected or taken by another app). Open it again to retry.", "error");
  }

  async capture() {
    const { video } = this;
    const track = this.stream?.getVideoTracks()[0];
    if (!track || track.readyState !== "live" || !video.videoWidth) {
      return this.onProblem("The camera has no picture yet: wait a moment, then capture again.", "warning");
    }
    const size = fitted(video.videoWidth, video.videoHeight);
    const frame = pixels(video, size.width, size.height);
    const bitmap = await createImageBitmap(video, { resizeWidth: size.width, resizeHeight: size.height });
    this.close();
    await this.onCapture({ ...frame, bitmap, name: "the camera picture", format: "camera", note: "" });
  }

  stop() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  close() {
    this.stop();
    this.root.hidden = true;
  }
}
