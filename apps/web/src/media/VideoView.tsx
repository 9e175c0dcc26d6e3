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
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (stream) void video.play().catch(() => {});
  }, [stream]);
  return <video ref={ref} className={[className, mirror && "mirror"].filter(Boolean).join(" ")} autoPlay playsInline muted={muted} data-testid={testId} />;
}
