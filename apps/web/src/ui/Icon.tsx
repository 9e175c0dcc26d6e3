import type { SVGProps } from "react";

const paths: Record<string, string> = {
  logo: "M7 9l5 8 5-8",
  mail: "M4 6h16v12H4z M4 7l8 6 8-6",
  check: "M5 12.5l4.5 4.5L19 7.5",
  copy: "M9 9h10v10H9z M5 15V5h10",
  alert: "M12 8v5 M12 16.5v.5 M10.3 3.9L2.4 18a2 2 0 001.7 3h15.8a2 2 0 001.7-3L13.7 3.9a2 2 0 00-3.4 0z",
  lock: "M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 017 0v3",
  user: "M12 12a4 4 0 100-8 4 4 0 000 8z M4 20a8 8 0 0116 0",
  users: "M9 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7z M2.5 20a6.5 6.5 0 0113 0 M16 4.3a3.5 3.5 0 010 6.4 M18 14a6.5 6.5 0 013.5 6",
  video: "M3 7h12v10H3z M15 10.5l6-3.5v10l-6-3.5",
  videoOff: "M3 7h12v10H3z M15 10.5l6-3.5v10l-6-3.5 M2 3l20 18",
  mic: "M12 3a3 3 0 00-3 3v6a3 3 0 006 0V6a3 3 0 00-3-3z M5.5 11a6.5 6.5 0 0013 0 M12 17.5V21",
  micOff: "M12 3a3 3 0 00-3 3v6a3 3 0 006 0V6a3 3 0 00-3-3z M5.5 11a6.5 6.5 0 0013 0 M12 17.5V21 M3 3l18 18",
  screen: "M3 5h18v12H3z M8 21h8 M12 17v4",
  hand: "M8 13V5.5a1.5 1.5 0 013 0V12 M11 11V4.5a1.5 1.5 0 013 0V11 M14 11V6a1.5 1.5 0 013 0v7.5a7 7 0 01-7 7 6 6 0 01-5-2.8L2.8 14a1.5 1.5 0 012.4-1.8L8 15",
  chat: "M4 5h16v11H9l-5 4z",
  leave: "M15 12H4 M8 8l-4 4 4 4 M13 4h7v16h-7",
  calendar: "M4 6h16v14H4z M4 10h16 M8 3v4 M16 3v4",
  plus: "M12 5v14 M5 12h14",
  download: "M12 4v11 M7 10l5 5 5-5 M5 20h14",
  logout: "M15 12H4 M8 8l-4 4 4 4 M13 4h7v16h-7",
  shield: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
  activity: "M3 12h4l3-8 4 16 3-8h4",
  menu: "M4 6h16 M4 12h16 M4 18h16",
  close: "M6 6l12 12 M18 6L6 18",
  link: "M10 14a4 4 0 005.7 0l3-3a4 4 0 00-5.7-5.7l-1 1 M14 10a4 4 0 00-5.7 0l-3 3a4 4 0 005.7 5.7l1-1",
  play: "M7 5l12 7-12 7z",
  stop: "M6 6h12v12H6z",
  settings:
    "M12 15a3 3 0 100-6 3 3 0 000 6z M19 12a7 7 0 00-.1-1.2l2-1.6-2-3.4-2.4 1a7 7 0 00-2-1.2L14 3h-4l-.5 2.6a7 7 0 00-2 1.2l-2.4-1-2 3.4 2 1.6A7 7 0 005 12c0 .4 0 .8.1 1.2l-2 1.6 2 3.4 2.4-1a7 7 0 002 1.2L10 21h4l.5-2.6a7 7 0 002-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z",
  more: "M5 12h.01 M12 12h.01 M19 12h.01",
  trash: "M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13",
  wifiOff: "M2 2l20 20 M8.5 16.5a5 5 0 017 0 M5 12.9a10 10 0 015.2-2.8 M19 12.9a10 10 0 00-2.6-1.8 M2 8.8a15 15 0 014.2-2.6 M22 8.8A15 15 0 0011 5",
  flag: "M5 21V4 M5 4h12l-2.5 4.5L17 13H5",
  record: "M12 12m-5 0a5 5 0 1010 0 5 5 0 10-10 0",
  arrowLeft: "M19 12H5 M11 6l-6 6 6 6",
  switchCamera: "M3 8h4l2-2.5h6L17 8h4v11H3z M9 13.5a3 3 0 015.2-2 M15 13.5a3 3 0 01-5.2 2 M14.5 9.5v2h-2 M9.5 17.5v-2h2",
};

export type IconName = keyof typeof paths;

/** A small stroke icon; decorative unless given a title. */
export function Icon({ name, size = 20, title, ...rest }: { name: IconName; size?: number; title?: string } & SVGProps<SVGSVGElement>) {
  return (
    // biome-ignore lint/a11y/noSvgWithoutTitle: decorative (aria-hidden) without a title; with one, it is role="img" and has its <title>.
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : true}
      role={title ? "img" : undefined}
      focusable="false"
      {...rest}
    >
      {title && <title>{title}</title>}
      <path d={paths[name]} />
    </svg>
  );
}
