import { loadRnnoise, RnnoiseWorkletNode } from "@sapphi-red/web-noise-suppressor";
import rnnoiseWasm from "@sapphi-red/web-noise-suppressor/rnnoise.wasm?url";
import rnnoiseSimdWasm from "@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url";
import rnnoiseWorklet from "@sapphi-red/web-noise-suppressor/rnnoiseWorklet.js?url";

let wasm: Promise<ArrayBuffer> | null = null;

/**
 * The microphone through RNNoise (WebAssembly in an AudioWorklet, off the main thread): a
 * 48 kHz AudioContext, the mic → RnnoiseWorkletNode → a MediaStream destination whose track is
 * published. `stop` ends the graph (the microphone itself is the caller's).
 */
export class NoiseSuppression {
  readonly output: MediaStreamTrack;
  private constructor(
    private readonly context: AudioContext,
    private readonly node: RnnoiseWorkletNode,
    output: MediaStreamTrack,
  ) {
    this.output = output;
  }

  static async start(mic: MediaStreamTrack): Promise<NoiseSuppression> {
    if (typeof AudioWorkletNode !== "function") throw new Error("This browser has no AudioWorklet");
    const context = new AudioContext({ sampleRate: 48_000 });
    try {
      wasm ??= loadRnnoise({ url: rnnoiseWasm, simdUrl: rnnoiseSimdWasm });
      const [binary] = await Promise.all([wasm, context.audioWorklet.addModule(rnnoiseWorklet)]);
      const source = context.createMediaStreamSource(new MediaStream([mic]));
      const node = new RnnoiseWorkletNode(context, { maxChannels: 1, wasmBinary: binary });
      const destination = context.createMediaStreamDestination();
      source.connect(node).connect(destination);
      // Created after the page's first click (Join), so the context may run; resume in case.
      if (context.state === "suspended") void context.resume().catch(() => {});
      const output = destination.stream.getAudioTracks()[0];
      if (!output) throw new Error("no audio track from the noise suppressor");
      return new NoiseSuppression(context, node, output);
    } catch (err) {
      wasm = null;
      void context.close().catch(() => {});
      throw err;
    }
  }

  stop() {
    this.node.destroy();
    this.output.stop();
    void this.context.close().catch(() => {});
  }
}
