import { useEffect, useRef, type ReactNode } from "react";
import { SessionProvider } from "./auth/session";
import { matchPath, type Params } from "./router/match";
import { useLocation } from "./router/router";
import { GuestOnly, RequireUser } from "./shell/Guards";
import { Header } from "./shell/Header";
import { AdminRoomsPage } from "./admin/AdminRooms";
import { AdminStatusPage } from "./admin/AdminStatus";
import { ClassDetailsPage } from "./pages/ClassDetails";
import { AdminOverviewPage } from "./record/AdminOverviewPage";
import { ClassRecordPage } from "./record/ClassRecordPage";
import { MyRecordPage } from "./record/MyRecordPage";
import { JoinCodePage } from "./pages/JoinCode";
import { RecordingsPage } from "./recordings/RecordingsPage";
import { RecordingPage } from "./recordings/RecordingPage";
import { SharedRecordingPage } from "./recordings/SharedRecordingPage";
import { LivePage } from "./live";
import { RoomPage } from "./pages/Room";
import { AdminUsersPage } from "./admin/AdminUsers";
import { CheckEmailPage } from "./pages/CheckEmail";
import { DashboardPage } from "./pages/Dashboard";
import { ForgotPasswordPage } from "./pages/ForgotPassword";
import { LandingPage } from "./pages/Landing";
import { NotFoundPage } from "./pages/NotFound";
import { ProfilePage } from "./pages/Profile";
import { ResetPasswordPage } from "./pages/ResetPassword";
import { SignInPage } from "./pages/SignIn";
import { SignUpPage } from "./pages/SignUp";
import { VerifyEmailPage } from "./pages/VerifyEmail";

interface Route {
  path: string;
  render: (params: Params) => ReactNode;
  /** Full-screen pages (the classroom) hide the app header. */
  bare?: boolean;
}

const routes: Route[] = [
  {
    path: "/",
    render: () => (
      <GuestOnly>
        <LandingPage />
      </GuestOnly>
    ),
  },
  {
    path: "/sign-up",
    render: () => (
      <GuestOnly>
        <SignUpPage />
      </GuestOnly>
    ),
  },
  {
    path: "/sign-in",
    render: () => (
      <GuestOnly>
        <SignInPage />
      </GuestOnly>
    ),
  },
  { path: "/check-email", render: () => <CheckEmailPage /> },
  { path: "/verify-email", render: () => <VerifyEmailPage /> },
  { path: "/forgot-password", render: () => <ForgotPasswordPage /> },
  { path: "/reset-password", render: () => <ResetPasswordPage /> },
  {
    path: "/profile",
    render: () => (
      <RequireUser>
        <ProfilePage />
      </RequireUser>
    ),
  },
  {
    path: "/dashboard",
    render: () => (
      <RequireUser>
        <DashboardPage />
      </RequireUser>
    ),
  },
  {
    path: "/admin",
    render: () => (
      <RequireUser roles={["admin"]}>
        <AdminUsersPage />
      </RequireUser>
    ),
  },
  {
    path: "/admin/users",
    render: () => (
      <RequireUser roles={["admin"]}>
        <AdminUsersPage />
      </RequireUser>
    ),
  },
  {
    path: "/room/:id",
    bare: true,
    render: (params) => (
      <RequireUser>
        <RoomPage id={params.id} />
      </RequireUser>
    ),
  },
  {
    path: "/join/:code",
    render: (params) => (
      <RequireUser>
        <JoinCodePage code={params.code} />
      </RequireUser>
    ),
  },
  {
    path: "/recordings",
    render: () => (
      <RequireUser>
        <RecordingsPage />
      </RequireUser>
    ),
  },
  {
    path: "/recordings/:id",
    render: (params) => (
      <RequireUser>
        <RecordingPage id={params.id} />
      </RequireUser>
    ),
  },
  { path: "/shared/recordings/:token", render: (params) => <SharedRecordingPage token={params.token} /> },
  { path: "/live/s/:token", render: (params) => <LivePage token={params.token} /> },
  {
    path: "/live/:roomId",
    render: (params) => (
      <RequireUser>
        <LivePage roomId={params.roomId} />
      </RequireUser>
    ),
  },
  {
    path: "/classes/:id",
    render: (params) => (
      // Students too: the page shows them the class's quizzes (ClassDetailsPage).
      <RequireUser>
        <ClassDetailsPage id={params.id} />
      </RequireUser>
    ),
  },
  {
    path: "/classes/:id/record",
    render: (params) => (
      <RequireUser>
        <ClassRecordPage id={params.id} />
      </RequireUser>
    ),
  },
  {
    path: "/my-record",
    render: () => (
      <RequireUser>
        <MyRecordPage />
      </RequireUser>
    ),
  },
  {
    path: "/admin/overview",
    render: () => (
      <RequireUser roles={["admin"]}>
        <AdminOverviewPage />
      </RequireUser>
    ),
  },
  {
    path: "/admin/rooms",
    render: () => (
      <RequireUser roles={["admin"]}>
        <AdminRoomsPage />
      </RequireUser>
    ),
  },
  {
    path: "/admin/status",
    render: () => (
      <RequireUser roles={["admin"]}>
        <AdminStatusPage />
      </RequireUser>
    ),
  },
];

function resolve(pathname: string): { route: Route | null; params: Params } {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return { route: null, params: {} };
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { pathname } = useLocation();
  const { route, params } = resolve(pathname);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (pathname is the trigger, not an input).
  useEffect(() => {
    // Move focus to the new page so keyboard and screen reader users start at its top.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [pathname]);
  if (route?.bare) return <>{route.render(params)}</>;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="main" ref={main} tabIndex={-1}>
        {route ? route.render(params) : <NotFoundPage />}
      </main>
    </div>
  );
}
