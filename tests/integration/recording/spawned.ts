import { expect } from "vitest";
import { callApi, type VtpProcess } from "../../helpers/process.js";
import { waitFor } from "../../helpers/wait.js";
import { TestClient } from "../rooms/helpers.js";
import { SocketPublisher } from "./socket-publisher.js";

/** The administrator a spawned `vtp start` creates from VTP_ADMIN_EMAIL / VTP_ADMIN_PASSWORD. */
export interface Admin {
  email: string;
  password: string;
}

export const signIn = async (server: VtpProcess, admin: Admin): Promise<string> =>
  (await callApi(server, "POST", "/api/v1/auth/login", admin)).body.accessToken;

interface RecordingTrackDto {
  parts: { offsetMs: number }[];
}
interface RecordingDto {
  id: string;
  status: string;
  startedAt: string;
  tracks: RecordingTrackDto[];
}

/**
 * On a spawned `vtp start`, the admin opens a class, joins it, publishes a camera and a microphone
 * (werift peer, FFmpeg test sources) and records it. Returns once both tracks have been captured
 * for `capturedMs` from their first packet (as the server reports the parts), so a slow start of
 * media on a loaded machine still gives a recording of that length.
 */
export async function recordAClass(server: VtpProcess, admin: Admin, opts: { title: string; capturedMs: number; cleanups: Array<() => Promise<unknown>> }) {
  const token = await signIn(server, admin);
  const room = await callApi(server, "POST", "/api/v1/rooms", { title: opts.title }, token);
  expect(room.status, JSON.stringify(room.body)).toBe(201);
  const roomId: string = room.body.room.id;
  const host = await TestClient.connect(server.url, token, "host");
  opts.cleanups.push(async () => host.close());
  expect((await host.emit("join-room", { roomId })).ok).toBe(true);
  const pub = new SocketPublisher(host);
  opts.cleanups.push(() => pub.close());
  await pub.publish(["camera", "microphone"]);

  const start = await callApi(server, "POST", "/api/v1/recordings/start", { roomId }, token);
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const recording: RecordingDto = start.body.recording;
  await host.waitFor("recording-started", (event) => event.recordingId === recording.id);
  const startedAt = Date.parse(recording.startedAt);
  await waitFor(
    `both tracks captured for ${opts.capturedMs} ms`,
    async () => {
      const current: RecordingDto = (await callApi(server, "GET", `/api/v1/recordings/${recording.id}`, undefined, token)).body.recording;
      const firstPackets = current.tracks.map((t) => t.parts.find((p) => p.offsetMs >= 0)?.offsetMs);
      return current.tracks.length === 2 && firstPackets.every((at) => at !== undefined && Date.now() - startedAt - at >= opts.capturedMs);
    },
    { timeoutMs: opts.capturedMs + 60_000, intervalMs: 500 },
  );
  return { token, roomId, recordingId: recording.id, startedAt, host, pub };
}

/** Polls a spawned server until the recording is processed (`ready` or `failed`) and returns it. */
export async function processedOn(server: VtpProcess, token: string, recordingId: string) {
  return waitFor(
    `recording ${recordingId} to be processed`,
    async () => {
      const rec = (await callApi(server, "GET", `/api/v1/recordings/${recordingId}`, undefined, token)).body.recording;
      return (rec.status === "ready" || rec.status === "failed") && rec;
    },
    { timeoutMs: 180_000, intervalMs: 300 },
  );
}
