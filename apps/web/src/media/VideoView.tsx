import { useEffect, useRef } from "react";

/** Plays a MediaStream in a <video>; muted for one's own stream. */
export function VideoView({
  stream,
  muted = false,
  mirror = false,
  className,
  testId,
}: {
  stream: MediaStream | null;
  muted?: boolean;
  mirror?: boolean;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    if (v.srcObject !== stream) v.srcObject = stream;
    if (stream) void v.play().catch(() => {});
  }, [stream]);
  return <video ref={ref} className={[className, mirror && "mirror"].filter(Boolean).join(" ")} autoPlay playsInline muted={muted} data-testid={testId} />;
}
