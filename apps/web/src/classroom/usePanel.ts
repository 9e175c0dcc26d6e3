import { useEffect, useState, type RefObject } from "react";

/** The classroom's panels (a side panel on a desktop, a tab under the stage or a slide-over on a phone). */
export type RoomPanel = "chat" | "people" | "polls" | "materials" | "breakout";

/**
 * Which panel is open: one at a time; the server hears whether the chat is open (for the unread
 * count); Escape closes it (unless a dialog is open on top).
 */
export function usePanel(setChatOpen: (open: boolean) => void, dialog: RefObject<HTMLDialogElement | null>) {
  const [panel, setPanel] = useState<RoomPanel | null>(null);
  useEffect(() => {
    if (!panel) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !dialog.current?.open) {
        setPanel(null);
        setChatOpen(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [panel, setChatOpen, dialog]);
  /** Opens `next` (null: closes the open one). */
  const open = (next: RoomPanel | null) => {
    setPanel(next);
    setChatOpen(next === "chat");
  };
  /** Opens `name`, or closes it when it is the open one. */
  const toggle = (name: RoomPanel) => open(panel === name ? null : name);
  return { panel, setPanel, open, toggle };
}
