import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { ProducerInfo, ProducerSource } from "@vtp/protocol";
import { api } from "../api/browser";
import type { RoomConnection } from "../classroom/connection";
import { loudest, MediaSession, type MediaSignal, type RemoteMedia } from "./session";

let iceServers: Promise<RTCIceServer[]> | null = null;
function loadIceServers(): Promise<RTCIceServer[]> {
  iceServers ??= api.get<{ iceServers?: RTCIceServer[] }>("/api/v1/rtc/ice-servers").then(
    (r) => r.iceServers ?? [],
    () => [],
  );
  return iceServers;
}

export interface Publish {
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
}

/**
 * The classroom's media: one MediaSession per connection (`joinSeq` changes after a reconnect,
 * when the server has dropped the old transports), publishing exactly the tracks in `publish`.
 */
export function useMedia(
  conn: RefObject<RoomConnection | null>,
  roomId: string,
  participantId: string | null,
  joinSeq: number,
  publish: Publish,
  onLocalClosed: (s: ProducerSource) => void,
  onError: (err: unknown) => void,
) {
  const [remote, setRemote] = useState<Map<string, RemoteMedia>>(new Map());
  const [speaking, setSpeaking] = useState<string | null>(null);
  const [session, setSession] = useState<MediaSession | null>(null);
  const closedCb = useRef(onLocalClosed);
  closedCb.current = onLocalClosed;
  const errCb = useRef(onError);
  errCb.current = onError;
  // Starting the media over (the server lost it, or a connection failed): at most every 3 s.
  const [resetSeq, setResetSeq] = useState(0);
  /** Between a reset request and the new session being up: the classroom shows it. */
  const [resetting, setResetting] = useState(false);
  const resetAt = useRef(0);
  /** The resetSeq the session was last built for: a rebuild for another reason (reconnect) is not a reset. */
  const builtFor = useRef(0);
  const resetTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const requestReset = useCallback(() => {
    setResetting(true);
    if (resetTimer.current) return;
    const wait = Math.max(0, resetAt.current + 3000 - Date.now());
    resetTimer.current = setTimeout(() => {
      resetTimer.current = null;
      resetAt.current = Date.now();
      setResetSeq((n) => n + 1);
    }, wait);
  }, []);
  useEffect(() => () => void (resetTimer.current && clearTimeout(resetTimer.current)), []);

  useEffect(() => {
    const c = conn.current;
    if (!c || !participantId || !joinSeq) return;
    let alive = true;
    const signal: MediaSignal = { request: (event, payload) => c.send(event, { ...payload, roomId }) };
    let s: MediaSession | null = null;
    // Producers announced before the session is up are consumed once it is.
    const early: ProducerInfo[] = [];
    const onNew = (e: { producer: ProducerInfo }) => (s ? s.consume(e.producer) : early.push(e.producer));
    const onClosed = (e: { producerId: string; peerId?: unknown }) => s?.producerClosed(e.producerId, typeof e.peerId === "string" ? e.peerId : undefined);
    const onConsumerClosed = (e: { consumerId?: string }) => e.consumerId && s?.consumerClosed(e.consumerId);
    c.socket.on("new-producer", onNew);
    c.socket.on("producer-closed", onClosed);
    c.socket.on("consumer-closed", onConsumerClosed);
    const onReset = (e: { roomId?: string }) => (!e.roomId || e.roomId === roomId) && requestReset();
    c.socket.on("media-reset", onReset);
    // After a reset, drop what the server may still hold of my media before building it again.
    const afterReset = resetSeq !== builtFor.current;
    builtFor.current = resetSeq;
    const cleared = afterReset ? signal.request("leave-media", {}).catch(() => undefined) : Promise.resolve();
    void Promise.all([loadIceServers(), cleared]).then(([ice]) => {
      if (!alive) return;
      s = new MediaSession(
        signal,
        participantId,
        ice,
        (m) => alive && setRemote(m),
        (src) => closedCb.current(src),
        (err) => errCb.current(err),
        requestReset,
      );
      setSession(s);
      const session = s;
      session.start().then(
        () => {
          if (alive) setResetting(false);
          for (const p of early) session.consume(p);
        },
        (err) => {
          // Starting over failed too (no media node up yet, say): try again in a moment, quietly.
          if (alive && afterReset) requestReset();
          else errCb.current(err);
        },
      );
    });
    const tick = setInterval(() => {
      if (!s) return;
      setSpeaking(loudest(s.levels()));
    }, 300);
    return () => {
      alive = false;
      clearInterval(tick);
      c.socket.off("new-producer", onNew);
      c.socket.off("producer-closed", onClosed);
      c.socket.off("consumer-closed", onConsumerClosed);
      c.socket.off("media-reset", onReset);
      s?.close();
      setSession(null);
      setRemote(new Map());
    };
  }, [conn, roomId, participantId, joinSeq, resetSeq, requestReset]);

  // Publish exactly what is wanted.
  useEffect(() => {
    if (!session) return;
    const want: [ProducerSource, MediaStreamTrack | null][] = [
      ["microphone", publish.mic],
      ["camera", publish.camera],
      ["screen", publish.screen],
    ];
    for (const [source, track] of want) {
      if (track) session.publish(track, source).catch((err) => errCb.current(err));
      else void session.unpublish(source);
    }
  }, [session, publish.mic, publish.camera, publish.screen]);

  return { remote, speaking, mediaResetting: resetting };
}
