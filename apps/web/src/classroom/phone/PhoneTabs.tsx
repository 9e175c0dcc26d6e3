import type { KeyboardEvent, ReactNode } from "react";
import { Icon, type IconName } from "../../ui/Icon";
import { CountBadge } from "../../ui/CountBadge";

/** The panels a phone swipes between, in order. ("materials" is the board and the class's materials.) */
export const PHONE_TABS = ["people", "chat", "materials", "polls"] as const;
export type PhoneTab = (typeof PHONE_TABS)[number];

const TAB: Record<PhoneTab, { label: string; icon: IconName; testId: string }> = {
  people: { label: "People", icon: "users", testId: "control-participants" },
  chat: { label: "Chat", icon: "chat", testId: "control-chat" },
  materials: { label: "Board", icon: "copy", testId: "control-materials" },
  polls: { label: "Polls", icon: "activity", testId: "control-polls" },
};

/** The tab after (1) or before (-1) `tab`, or null past either end. */
export function neighbourTab(tab: string | null, direction: 1 | -1): PhoneTab | null {
  const index = PHONE_TABS.indexOf(tab as PhoneTab);
  if (index < 0) return null;
  return PHONE_TABS[index + direction] ?? null;
}

/**
 * The phone's tabs under the stage (People, Chat, Board, Polls): the visible, accessible way to move
 * between the panels a swipe also moves between. They replace the control bar's panel buttons
 * (same test ids and badges); tapping the open tab folds the panel away and gives the stage the room.
 */
export function PhoneTabs({
  active,
  onSelect,
  unread,
  waiting,
  openPolls,
}: {
  active: string | null;
  onSelect: (tab: PhoneTab | null) => void;
  unread: number;
  waiting: number;
  openPolls: number;
}) {
  const badges: Record<PhoneTab, ReactNode> = {
    people: <CountBadge className="phone-tab-badge" count={waiting} testId="waiting-badge" label="waiting" />,
    chat: active === "chat" ? null : <CountBadge className="phone-tab-badge" count={unread} testId="chat-unread" label="unread" />,
    materials: null,
    polls: <CountBadge className="phone-tab-badge" count={openPolls} testId="polls-badge" label="open" />,
  };
  const onKey = (event: KeyboardEvent<HTMLButtonElement>, tab: PhoneTab) => {
    const direction = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const next = direction ? neighbourTab(tab, direction) : null;
    if (!next) return;
    event.preventDefault();
    onSelect(next);
    document.getElementById(`phone-tab-${next}`)?.focus();
  };
  return (
    <div className="phone-tabs" role="tablist" aria-label="Class panels" data-testid="phone-tabs">
      {PHONE_TABS.map((tab) => (
        <button
          key={tab}
          id={`phone-tab-${tab}`}
          type="button"
          role="tab"
          aria-selected={active === tab}
          tabIndex={active === tab || (!PHONE_TABS.includes(active as PhoneTab) && tab === "people") ? 0 : -1}
          className={`phone-tab ${active === tab ? "active" : ""}`}
          onClick={() => onSelect(active === tab ? null : tab)}
          onKeyDown={(event) => onKey(event, tab)}
          data-testid={TAB[tab].testId}
          data-tab={tab}
        >
          <span className="phone-tab-icon">
            <Icon name={TAB[tab].icon} size={18} />
            {badges[tab]}
          </span>
          <span>{TAB[tab].label}</span>
        </button>
      ))}
    </div>
  );
}
