// The phone layouts' stylesheet comes with the hook that picks them.
import "./phone.css";
import { useEffect, useState } from "react";

/** Which classroom layout the screen asks for: a phone held upright, a phone on its side, or the desktop one. */
export type PhoneLayout = "portrait" | "landscape" | null;

const PORTRAIT = "(max-width: 720px) and (orientation: portrait)";
const LANDSCAPE = "(max-height: 500px) and (orientation: landscape)";

function current(): PhoneLayout {
  if (typeof window === "undefined" || !window.matchMedia) return null;
  if (window.matchMedia(PORTRAIT).matches) return "portrait";
  if (window.matchMedia(LANDSCAPE).matches) return "landscape";
  return null;
}

/** The phone layout, following rotation and resizing (media queries, as the stylesheet sees them). */
export function usePhoneLayout(): PhoneLayout {
  const [layout, setLayout] = useState<PhoneLayout>(current);
  useEffect(() => {
    if (!window.matchMedia) return;
    const queries = [window.matchMedia(PORTRAIT), window.matchMedia(LANDSCAPE)];
    const update = () => setLayout(current());
    for (const query of queries) query.addEventListener("change", update);
    update();
    return () => {
      for (const query of queries) query.removeEventListener("change", update);
    };
  }, []);
  return layout;
}
