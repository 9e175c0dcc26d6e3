import { useEffect, useRef, useState } from "react";
import { backgroundImage, specOf } from "./backgrounds";
import { BackgroundEffect } from "./backgroundEffect";
import { NoiseSuppression } from "./noiseSuppression";
import { setEffectsStatus, useEffectsSettings } from "./settings";

/** For the benchmark and diagnostics: the running effects of this page. */
const running = { background: null as BackgroundEffect | null, noise: null as NoiseSuppression | null };
(globalThis as unknown as { __vtpEffects?: typeof running }).__vtpEffects = running;

/**
 * The camera with the chosen background (blur or image), or the camera itself when the effect is
 * off or cannot run (then the status says why). While the effect starts, its own (still empty)
 * track is shown: the real background never goes out by accident.
 */
export function useBackgroundTrack(camera: MediaStreamTrack | null): MediaStreamTrack | null {
  const { settings } = useEffectsSettings();
  const choice = settings.background;
  const spec = specOf(choice);
  const [effect, setEffect] = useState<BackgroundEffect | null>(null);
  const [failedFor, setFailedFor] = useState<MediaStreamTrack | null>(null);
  const effectRef = useRef<BackgroundEffect | null>(null);
  const wanted = !!spec && !!camera && failedFor !== camera;

  // Start or stop the effect (a new camera track starts it anew).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the background itself is sent by the next effect; only "on or off" restarts.
  useEffect(() => {
    if (!wanted || !camera || !spec) return;
    let alive = true;
    let started: BackgroundEffect;
    try {
      started = new BackgroundEffect(camera, spec, null);
    } catch (err) {
      setEffectsStatus({ backgroundError: `Background effects are off: ${(err as Error).message}.` });
      setFailedFor(camera);
      return;
    }
    const fail = (message: string) => {
      if (!alive) return;
      setEffectsStatus({ backgroundError: `Background effects are off: ${message}. Your camera is shown as it is.` });
      setFailedFor(camera);
    };
    started.ready.catch((err: Error) => fail(err.message));
    started.onFailure(fail);
    effectRef.current = started;
    running.background = started;
    setEffect(started);
    return () => {
      alive = false;
      started.stop();
      if (running.background === started) running.background = null;
      effectRef.current = null;
      setEffect(null);
    };
  }, [wanted, camera]);

  // The background (blur strength or image) follows the setting without a restart.
  useEffect(() => {
    const current = effect;
    const background = specOf(choice);
    if (!current || !background) return;
    let alive = true;
    void backgroundImage(choice).then(
      (image) => (alive && effectRef.current === current ? current.setBackground(background, image) : image?.close()),
      () => alive && current.setBackground(background, null),
    );
    return () => {
      alive = false;
    };
  }, [effect, choice]);

  // Choosing again after a failure tries again.
  useEffect(() => {
    if (choice) setFailedFor(null);
  }, [choice]);

  return effect && wanted ? effect.output : camera;
}

/** The microphone through RNNoise when noise suppression is on; the microphone itself until it runs or when it cannot. */
export function useNoiseSuppressedTrack(mic: MediaStreamTrack | null): MediaStreamTrack | null {
  const { noiseOn } = useEffectsSettings();
  const [processed, setProcessed] = useState<{ from: MediaStreamTrack; output: MediaStreamTrack } | null>(null);
  useEffect(() => {
    if (!noiseOn || !mic) return;
    let alive = true;
    let suppression: NoiseSuppression | null = null;
    NoiseSuppression.start(mic).then(
      (started) => {
        if (!alive) return started.stop();
        suppression = started;
        running.noise = started;
        setEffectsStatus({ noiseError: null });
        setProcessed({ from: mic, output: started.output });
      },
      (err: Error) => alive && setEffectsStatus({ noiseError: `Noise suppression is off: ${err.message}.` }),
    );
    return () => {
      alive = false;
      suppression?.stop();
      if (running.noise === suppression) running.noise = null;
      setProcessed(null);
    };
  }, [noiseOn, mic]);
  return noiseOn && processed && processed.from === mic ? processed.output : mic;
}
