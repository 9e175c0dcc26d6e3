import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { UserDto } from "@vtp/protocol";
import { api } from "../api/browser";
import { Link, navigate } from "../router/router";
import { Icon } from "../ui/Icon";
import { avatarColor, initials } from "../ui/RoleBadge";
import { navLinks } from "./Header";
import { InstallMenuItem } from "../pwa/InstallMenuItem";

/** The account menu: who is signed in, the main links (on phones), profile and sign out. */
export function UserMenu({ user }: { user: UserDto }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    root.current?.querySelector<HTMLElement>(".menu-item")?.focus();
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const items = [...(root.current?.querySelectorAll<HTMLElement>(".menu-item") ?? [])];
      const focused = items.indexOf(document.activeElement as HTMLElement);
      items[(focused + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
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
        onClick={() => setOpen((wasOpen) => !wasOpen)}
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
            {navLinks(user.role).map((link) => (
              <Link key={link.to} className="menu-item" to={link.to} onClick={() => setOpen(false)}>
                {link.label}
              </Link>
            ))}
          </div>
          <Link className="menu-item" to="/profile" onClick={() => setOpen(false)} data-testid="menu-profile">
            Profile
          </Link>
          <InstallMenuItem onDone={() => setOpen(false)} />
          <button type="button" className="menu-item" onClick={signOut} data-testid="sign-out">
            <Icon name="logout" size={18} style={{ marginRight: 8 }} />
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
