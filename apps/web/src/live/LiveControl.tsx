import { useCallback, useEffect, useRef, useState } from "react";
import type { LiveStatusDto } from "@vtp/protocol";
import { errorText } from "../api/errors";
import { Button } from "../ui/Button";
import { liveApi } from "./api";

/**
 * The host's "Go live" control in the classroom: an optional RTMP address (a video platform's
 * ingest) and whether viewers may chat; while live, the viewer count, a stream link to hand
 * out (and revoke) and Stop. It sits in the classroom's top bar; its panel drops down below the
 * button and closes on Escape or a click elsewhere, so it never stays over other panels.
 */
export function LiveControl({ roomId }: { roomId: string }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<LiveStatusDto | null>(null);
  const [rtmpUrl, setRtmpUrl] = useState("");
  const [chat, setChat] = useState(true);
  const [cdn, setCdn] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  const refresh = useCallback(
    () =>
      liveApi.status(roomId).then(
        ({ live }) => setStatus(live),
        () => {},
      ),
    [roomId],
  );
  useEffect(() => {
    void refresh();
    const timer = setInterval(refresh, 5000);
    return () => clearInterval(timer);
  }, [refresh]);
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      await refresh();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const live = status?.live ?? false;
  return (
    <div className="live-control" data-testid="live-control" data-live={live} ref={rootRef} style={{ position: "relative", flex: "none" }}>
      <Button
        size="sm"
        variant={live ? "danger" : "secondary"}
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-haspopup="dialog"
        data-testid="control-live"
      >
        {live ? `LIVE · ${status?.viewers ?? 0} watching` : "Go live"}
      </Button>
      {open && (
        <div
          className="card"
          role="dialog"
          aria-label="Stream this class live"
          style={{
            position: "absolute",
            top: "calc(100% + 6px)",
            right: 0,
            zIndex: 30,
            padding: 12,
            width: "min(320px, calc(100vw - 24px))",
            color: "var(--text)",
            textAlign: "left",
          }}
          data-testid="live-panel"
        >
          {!live ? (
            <>
              <label>
                RTMP address (optional)
                <input
                  data-testid="live-rtmp"
                  value={rtmpUrl}
                  placeholder="rtmp://live.example.com/app/stream-key"
                  onChange={(e) => setRtmpUrl(e.target.value)}
                />
              </label>
              <label>
                <input type="checkbox" checked={chat} onChange={(e) => setChat(e.target.checked)} /> Viewers may chat
              </label>
              {status?.cdnAvailable && (
                <label title="For a large audience: viewers play the stream from the school's CDN. Anyone with the stream's address can watch it.">
                  <input type="checkbox" checked={cdn} onChange={(e) => setCdn(e.target.checked)} data-testid="live-cdn" /> Publish through the CDN (anyone with
                  the address can watch)
                </label>
              )}
              <Button
                variant="primary"
                busy={busy}
                data-testid="live-start"
                onClick={() => act(() => liveApi.start(roomId, { ...(rtmpUrl.trim() ? { rtmpUrl: rtmpUrl.trim() } : {}), chat, ...(cdn ? { cdn } : {}) }))}
              >
                Start streaming
              </Button>
            </>
          ) : (
            <>
              <p data-testid="live-rtmp-state">
                {status?.rtmp ? `RTMP: ${status.rtmp}` : "HLS only"}
                {status?.cdn ? " · through the CDN" : ""}
              </p>
              <Button busy={busy} data-testid="live-link" onClick={() => act(async () => setLink((await liveApi.createLink(roomId)).url))}>
                New stream link
              </Button>
              {link && (
                <p>
                  <a href={link} target="_blank" rel="noreferrer" data-testid="live-link-url">
                    {link}
                  </a>
                </p>
              )}
              <Button variant="danger" busy={busy} data-testid="live-stop" onClick={() => act(() => liveApi.stop(roomId))}>
                Stop streaming
              </Button>
            </>
          )}
          {status?.links
            ?.filter((item) => !item.revokedAt)
            .map((item) => (
              <Button key={item.id} size="sm" variant="ghost" onClick={() => act(() => liveApi.revokeLink(roomId, item.id))} data-testid="live-link-revoke">
                Revoke link from {new Date(item.createdAt).toLocaleTimeString()}
              </Button>
            ))}
          {problem && <p role="alert">{problem}</p>}
        </div>
      )}
    </div>
  );
}
