import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import type { ProducerInfo, ProducerSource } from "@vtp/protocol";
import { api } from "../api/browser";
import type { RoomConnection } from "../classroom/connection";
import { useBackgroundTrack, useNoiseSuppressedTrack } from "./effects";
import { loudest, MediaSession, type MediaSignal, type RemoteMedia } from "./session";
import { retryWhileBusy } from "./busyRetry";
import { storedPositiveInt } from "../lib/storedOverride";

let iceServers: Promise<RTCIceServer[]> | null = null;
function loadIceServers(): Promise<RTCIceServer[]> {
  iceServers ??= api.get<{ iceServers?: RTCIceServer[] }>("/api/v1/rtc/ice-servers").then(
    (response) => response.iceServers ?? [],
    () => [],
  );
  return iceServers;
}

/**
 * How long a media request may go unanswered. The server may take long for good reasons: the
 * first set-up on a server starts its media workers (18 s was seen on a loaded machine), a set-up
 * can wait at the worker's admission gate; the classroom says "connecting in a moment" meanwhile.
 * `localStorage.vtpMediaTimeoutMs` shortens it (tests of a lost answer).
 */
function mediaTimeoutMs(): number {
  return storedPositiveInt("vtpMediaTimeoutMs", 60_000);
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
  onLocalClosed: (source: ProducerSource) => void,
  onError: (err: unknown) => void,
  /** The media room my media is in (a breakout group's id; the class's by default): media events of other rooms are not mine. */
  mediaRoomId: string = roomId,
) {
  const [remote, setRemote] = useState<Map<string, RemoteMedia>>(new Map());
  const [speaking, setSpeaking] = useState<string | null>(null);
  const [session, setSession] = useState<MediaSession | null>(null);
  const closedCb = useRef(onLocalClosed);
  closedCb.current = onLocalClosed;
  const errCb = useRef(onError);
  errCb.current = onError;
  const mediaRoom = useRef(mediaRoomId);
  mediaRoom.current = mediaRoomId;
  // Starting the media over (the server lost it, or a connection failed): at most every 3 s.
  const [resetSeq, setResetSeq] = useState(0);
  /** Between a reset request and the new session being up: the classroom shows it. */
  const [resetting, setResetting] = useState(false);
  const resetAt = useRef(0);
  /** The resetSeq the session was last built for: a rebuild for another reason (reconnect) is not a reset. */
  const builtFor = useRef(0);
  const resetTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** A set-up waits at the media worker's admission gate (MEDIA_BUSY retries, or no answer for 2 s): the classroom says so. */
  const [queued, setQueued] = useState(false);
  const requestReset = useCallback(() => {
    setResetting(true);
    if (resetTimer.current) return;
    const wait = Math.max(0, resetAt.current + 3000 - Date.now());
    resetTimer.current = setTimeout(() => {
      resetTimer.current = null;
      resetAt.current = Date.now();
      setResetSeq((seq) => seq + 1);
    }, wait);
  }, []);
  useEffect(() => () => void (resetTimer.current && clearTimeout(resetTimer.current)), []);

  useEffect(() => {
    const connection = conn.current;
    if (!connection || !participantId || !joinSeq) return;
    let alive = true;
    // MEDIA_BUSY (a join storm on the media worker): the same request again shortly (busyRetry.ts).
    const timeoutMs = mediaTimeoutMs();
    const signal: MediaSignal = {
      request: retryWhileBusy((event, payload) => connection.send(event, { ...payload, roomId }, timeoutMs), {
        onBusy: () => alive && setQueued(true),
        onIdle: () => alive && setQueued(false),
      }),
    };
    let mediaSession: MediaSession | null = null;
    // Producers announced before the session is up are consumed once it is.
    const early: ProducerInfo[] = [];
    const mine = (event: { roomId?: string }) => !event.roomId || event.roomId === mediaRoom.current;
    const onNew = (event: { roomId?: string; producer: ProducerInfo }) =>
      mine(event) && (mediaSession ? mediaSession.consume(event.producer) : early.push(event.producer));
    const onClosed = (event: { producerId: string; peerId?: unknown; reason?: unknown }) => {
      // My producers closed with my transports (a move between media rooms, a lost connection): the
      // media starts over and publishes them again, so the camera and microphone stay on.
      if (event.peerId === participantId && (event.reason === "peer-left" || event.reason === "transport-closed" || event.reason === "room-closed")) return;
      mediaSession?.producerClosed(event.producerId, typeof event.peerId === "string" ? event.peerId : undefined);
    };
    const onConsumerClosed = (event: { consumerId?: string }) => event.consumerId && mediaSession?.consumerClosed(event.consumerId);
    connection.socket.on("new-producer", onNew);
    connection.socket.on("producer-closed", onClosed);
    connection.socket.on("consumer-closed", onConsumerClosed);
    const onReset = (event: { roomId?: string }) => mine(event) && requestReset();
    connection.socket.on("media-reset", onReset);
    // After a reset, drop what the server may still hold of my media before building it again.
    const afterReset = resetSeq !== builtFor.current;
    builtFor.current = resetSeq;
    const cleared = afterReset ? signal.request("leave-media", {}).catch(() => undefined) : Promise.resolve();
    void Promise.all([loadIceServers(), cleared]).then(([ice]) => {
      if (!alive) return;
      mediaSession = new MediaSession(
        signal,
        participantId,
        ice,
        (grouped) => alive && setRemote(grouped),
        (src) => closedCb.current(src),
        (err) => errCb.current(err),
        requestReset,
      );
      setSession(mediaSession);
      const session = mediaSession;
      session.start().then(
        () => {
          if (alive) setResetting(false);
          for (const p of early) session.consume(p);
        },
        (err) => {
          if (!alive) return;
          // A first start that failed (an answer lost or too late, no media node up yet) is tried
          // again like a reset, or this person would see and hear no one for the rest of the class;
          // starting over that failed too is tried again quietly.
          if (!afterReset) errCb.current(err);
          requestReset();
        },
      );
    });
    const tick = setInterval(() => {
      if (!mediaSession) return;
      setSpeaking(loudest(mediaSession.levels()));
    }, 300);
    return () => {
      alive = false;
      clearInterval(tick);
      connection.socket.off("new-producer", onNew);
      connection.socket.off("producer-closed", onClosed);
      connection.socket.off("consumer-closed", onConsumerClosed);
      connection.socket.off("media-reset", onReset);
      mediaSession?.close();
      setQueued(false);
      setSession(null);
      setRemote(new Map());
    };
  }, [conn, roomId, participantId, joinSeq, resetSeq, requestReset]);

  // The camera and microphone as processed by the effects (background, noise suppression; media/effects).
  const camera = useBackgroundTrack(publish.camera);
  const mic = useNoiseSuppressedTrack(publish.mic);
  /** My own tile shows the camera as it is sent (null: as it comes). */
  const localView = useMemo(() => (camera && camera !== publish.camera ? new MediaStream([camera]) : null), [camera, publish.camera]);

  // Publish exactly what is wanted.
  useEffect(() => {
    if (!session) return;
    const want: [ProducerSource, MediaStreamTrack | null][] = [
      ["microphone", mic],
      ["camera", camera],
      ["screen", publish.screen],
    ];
    for (const [source, track] of want) {
      if (track) session.publish(track, source).catch((err) => errCb.current(err));
      else void session.unpublish(source);
    }
  }, [session, mic, camera, publish.screen]);

  return { remote, speaking, mediaResetting: resetting, mediaQueued: queued, localView, session };
}
