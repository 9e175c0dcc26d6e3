import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { UserDto } from "@vtp/protocol";
import { api } from "../api/browser";
import { Link, navigate } from "../router/router";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";
import { navLinks } from "./Header";

/** The account menu: who is signed in, the main links (on phones), profile and sign out. */
export function UserMenu({ user }: { user: UserDto }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    root.current?.querySelector<HTMLElement>(".menu-item")?.focus();
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const items = [...(root.current?.querySelectorAll<HTMLElement>(".menu-item") ?? [])];
      const i = items.indexOf(document.activeElement as HTMLElement);
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  };

  const signOut = async () => {
    setOpen(false);
    await api.logout();
    navigate("/sign-in", { replace: true });
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: keys pressed on the menu's own button and items bubble here (Escape closes, arrows move).
    <div className="menu" ref={root} onKeyDown={onKey}>
      <button
        ref={button}
        type="button"
        className="menu-button"
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu"
      >
        <span className="avatar" style={{ background: avatarColor(user.id) }} aria-hidden="true">
          {initials(user.fullName)}
        </span>
        <span className="menu-name">{user.fullName}</span>
        <span className="sr-only">Account menu</span>
      </button>
      {open && (
        <div className="menu-list">
          <div className="who">
            <strong>{user.fullName}</strong>
            <span className="muted small">{user.email}</span>
          </div>
          <div className="nav-mobile">
            {navLinks(user.role).map((l) => (
              <Link key={l.to} className="menu-item" to={l.to} onClick={() => setOpen(false)}>
                {l.label}
              </Link>
            ))}
          </div>
          <Link className="menu-item" to="/profile" onClick={() => setOpen(false)} data-testid="menu-profile">
            Profile
          </Link>
          <button type="button" className="menu-item" onClick={signOut} data-testid="sign-out">
            <Icon name="logout" size={18} style={{ marginRight: 8 }} />
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
