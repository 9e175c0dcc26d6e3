import { Link, useLocation } from "../router/router";

const tabs = [
  { to: "/admin/users", label: "People" },
  { to: "/admin/rooms", label: "Classes" },
  { to: "/admin/status", label: "System status" },
];

export function AdminTabs() {
  const { pathname } = useLocation();
  return (
    <nav className="tabs" aria-label="Administration">
      {tabs.map((t) => (
        <Link key={t.to} to={t.to} aria-current={pathname === t.to ? "page" : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
