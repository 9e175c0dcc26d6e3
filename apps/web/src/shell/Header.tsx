import { useSession } from "../auth/session";
import { Link, useLocation } from "../router/router";
import { Icon } from "../ui/Icon";
import { UserMenu } from "./UserMenu";

export function navLinks(role: string | undefined) {
  const links = [
    { to: "/dashboard", label: "Dashboard" },
    { to: "/recordings", label: "Recordings" },
    { to: "/my-record", label: "My record" },
  ];
  if (role === "admin") links.push({ to: "/admin/users", label: "Administration" });
  return links;
}

export function Header() {
  const { user, status } = useSession();
  const { pathname } = useLocation();
  return (
    <header className="app-header">
      <div className="container app-header-inner">
        <Link to={user ? "/dashboard" : "/"} className="brand" aria-label="VTP home">
          <span className="brand-mark" aria-hidden="true">
            <Icon name="logo" size={20} color="#fff" strokeWidth={3} />
          </span>
          VTP
        </Link>
        {user && (
          <nav className="nav" aria-label="Main">
            {navLinks(user.role).map((link) => (
              <Link key={link.to} to={link.to} aria-current={pathname.startsWith(link.to.split("/").slice(0, 2).join("/")) ? "page" : undefined}>
                {link.label}
              </Link>
            ))}
          </nav>
        )}
        <div className="header-end">
          {user ? (
            <UserMenu user={user} />
          ) : status === "signed-out" ? (
            <>
              <Link className="btn btn-ghost btn-sm" to="/sign-in" data-testid="header-sign-in">
                Sign in
              </Link>
              <Link className="btn btn-primary btn-sm" to="/sign-up" data-testid="header-sign-up">
                Sign up
              </Link>
            </>
          ) : null}
        </div>
      </div>
    </header>
  );
}
