import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Fake-device inputs for the effects test and benchmark, made with FFmpeg: a "person" (a
 * skin-coloured head and a dark shirt) in front of a sharp 16-pixel grey checkerboard, as a Y4M
 * file Chromium's fake camera loops; and white noise as a 48 kHz WAV for its fake microphone.
 */
export function cameraFixture(dir: string, width = 640, height = 360, fps = 15): string {
  const file = path.join(dir, `person-${width}x${height}-${fps}.y4m`);
  const scale = width / 640;
  const head = `lte(pow((X-W/2)/${70 * scale},2)+pow((Y-${150 * scale})/${90 * scale},2),1)`;
  const body = `gte(Y,${235 * scale})*lte(abs(X-W/2),${160 * scale})`;
  const checker = `(30+200*mod(floor(X/${16 * scale})+floor(Y/${16 * scale}),2))`;
  const channel = (skin: number, shirt: number) => `if(${head},${skin},if(${body},${shirt},${checker}))`;
  execFileSync("ffmpeg", [
    ...["-loglevel", "error", "-y", "-f", "lavfi"],
    ...["-i", `color=c=white:s=${width}x${height}:r=${fps}:d=2,format=rgb24,geq=r='${channel(224, 40)}':g='${channel(172, 60)}':b='${channel(138, 140)}'`],
    ...["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", file],
  ]);
  return file;
}

export function noiseFixture(dir: string): string {
  const file = path.join(dir, "white-noise.wav");
  execFileSync("ffmpeg", [
    ...["-loglevel", "error", "-y", "-f", "lavfi", "-i", "anoisesrc=color=white:amplitude=0.25:duration=20:seed=7"],
    ...["-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", file],
  ]);
  return file;
}
