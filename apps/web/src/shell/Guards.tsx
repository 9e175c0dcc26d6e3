import { useEffect, type ReactNode } from "react";
import type { UserRole } from "@vtp/protocol";
import { useSession } from "../auth/session";
import { navigate, useLocation, Link } from "../router/router";
import { Loading } from "../ui/Spinner";
import { useTitle } from "../ui/Page";

/** Only for signed-in people (optionally with one of `roles`); others are sent to sign in and brought back. */
export function RequireUser({ roles, children }: { roles?: UserRole[]; children: ReactNode }) {
  const { status, user } = useSession();
  const { href } = useLocation();
  useEffect(() => {
    if (status === "signed-out") navigate(`/sign-in?next=${encodeURIComponent(href)}`, { replace: true });
  }, [status, href]);
  if (status !== "signed-in" || !user) return <Loading />;
  if (roles && !roles.includes(user.role)) return <Forbidden />;
  return <>{children}</>;
}

/** Pages for signed-out people (sign in, sign up): a signed-in person goes to the dashboard. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const { search } = useLocation();
  useEffect(() => {
    const next = search.get("next");
    if (status === "signed-in") navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/dashboard", { replace: true });
  }, [status, search]);
  if (status === "loading") return <Loading />;
  if (status === "signed-in") return <Loading />;
  return <>{children}</>;
}

function Forbidden() {
  useTitle("Not allowed");
  return (
    <div className="container container-narrow">
      <div className="card empty" style={{ marginTop: 32 }}>
        <h1>You don't have access to this page</h1>
        <p>Your account does not have the role this page needs. Ask an administrator if you think it should.</p>
        <Link className="btn btn-primary" to="/dashboard">
          Back to your dashboard
        </Link>
      </div>
    </div>
  );
}
