import { Link, useLocation } from "../router/router";

const tabs = [
  { to: "/admin/users", label: "People" },
  { to: "/admin/rooms", label: "Classes" },
  { to: "/admin/status", label: "System status" },
  { to: "/admin/overview", label: "Overview" },
];

export function AdminTabs() {
  const { pathname } = useLocation();
  return (
    <nav className="tabs" aria-label="Administration">
      {tabs.map((tab) => (
        <Link key={tab.to} to={tab.to} aria-current={pathname === tab.to ? "page" : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
