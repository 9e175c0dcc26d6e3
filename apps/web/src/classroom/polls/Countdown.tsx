import { useEffect, useState } from "react";
import { formatCountdown } from "./pollState";

/** The time left of a timed poll, ticking every half second; the server closes the poll itself. */
export function Countdown({ closesAt }: { closesAt: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const left = new Date(closesAt).getTime() - now;
  return (
    <span className="poll-countdown" data-testid="poll-countdown" role="timer" aria-label={`Time left ${formatCountdown(left)}`}>
      {left > 0 ? formatCountdown(left) : "Closing…"}
    </span>
  );
}
