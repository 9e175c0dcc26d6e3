import { useEffect, useRef, type ReactNode, type TouchEvent } from "react";

/** The least horizontal travel (CSS px) that counts as a swipe, and how much more than the vertical one. */
const MIN_SWIPE = 60;
const DOMINANCE = 1.5;

/**
 * The phone's panel area below the stage: a horizontal swipe moves to the next (leftwards) or the
 * previous (rightwards) tab. A touch that starts on the board or in a text field is not a swipe
 * (it draws, or selects text); the tabs above are the visible, keyboard-usable way to move. A
 * sideways move is kept from the browser (whose edge swipe would go "back", out of the class).
 */
export function SwipePane({
  enabled,
  tab,
  onSwipe,
  children,
}: {
  /** Off (not a phone held upright, or no panel open): the children as they are. */
  enabled: boolean;
  /** The open tab (phone/PhoneTabs), which labels the pane. */
  tab: string | null;
  onSwipe: (direction: 1 | -1) => void;
  children: ReactNode;
}) {
  const start = useRef<{ x: number; y: number } | null>(null);
  const pane = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = pane.current;
    if (!enabled || !element) return;
    const onMove = (event: globalThis.TouchEvent) => {
      const from = start.current;
      const touch = event.touches[0];
      if (from && touch && event.cancelable && Math.abs(touch.clientX - from.x) > Math.abs(touch.clientY - from.y)) event.preventDefault();
    };
    // Not passive: a passive listener may not keep the move from the browser.
    element.addEventListener("touchmove", onMove, { passive: false });
    return () => element.removeEventListener("touchmove", onMove);
  }, [enabled]);
  const onTouchStart = (event: TouchEvent<HTMLDivElement>) => {
    const touch = event.touches[0];
    const target = event.target as HTMLElement;
    start.current = event.touches.length === 1 && touch && !target.closest(".board, textarea, input, select") ? { x: touch.clientX, y: touch.clientY } : null;
  };
  const onTouchEnd = (event: TouchEvent<HTMLDivElement>) => {
    const from = start.current;
    start.current = null;
    const touch = event.changedTouches[0];
    if (!from || !touch) return;
    const dx = touch.clientX - from.x;
    const dy = touch.clientY - from.y;
    if (Math.abs(dx) >= MIN_SWIPE && Math.abs(dx) > DOMINANCE * Math.abs(dy)) onSwipe(dx < 0 ? 1 : -1);
  };
  if (!enabled) return <>{children}</>;
  return (
    <div
      ref={pane}
      className="phone-pane"
      role="tabpanel"
      aria-labelledby={tab ? `phone-tab-${tab}` : undefined}
      data-testid="phone-pane"
      onTouchStart={onTouchStart}
      onTouchEnd={onTouchEnd}
      onTouchCancel={() => {
        start.current = null;
      }}
    >
      {children}
    </div>
  );
}
