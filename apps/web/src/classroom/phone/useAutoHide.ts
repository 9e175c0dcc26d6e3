import { useCallback, useEffect, useRef, useState } from "react";

/** How long the overlaid controls stay after the last touch. */
const HIDE_AFTER_MS = 4000;

/**
 * The landscape classroom's overlaid controls: shown on any touch, click, key or focus, hidden
 * again after a few quiet seconds — unless `hold` (a panel is open), or `enabled` is off (they are
 * always shown outside the landscape layout).
 */
export function useAutoHide(enabled: boolean, hold: boolean) {
  const [shown, setShown] = useState(true);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const poke = useCallback(() => {
    setShown(true);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setShown(false), HIDE_AFTER_MS);
  }, []);
  useEffect(() => {
    if (!enabled || hold) {
      if (timer.current) clearTimeout(timer.current);
      setShown(true);
      return;
    }
    poke();
    const events = ["pointerdown", "keydown", "focusin"] as const;
    for (const name of events) document.addEventListener(name, poke, true);
    return () => {
      for (const name of events) document.removeEventListener(name, poke, true);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [enabled, hold, poke]);
  return { shown: !enabled || hold || shown };
}
