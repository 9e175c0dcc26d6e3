import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { chromiumMissing, DESKTOP, linkFromOutbox, newContext, PHONE, shot, uniqueEmail, webE2E } from "./harness";

const skip = chromiumMissing();
if (skip) console.warn(skip);

const ADMIN = { email: "admin@example.org", password: "admin password 123" };

describe.skipIf(Boolean(skip))("web: accounts in real Chromium", () => {
  const web = webE2E({ VTP_ADMIN_EMAIL: ADMIN.email, VTP_ADMIN_PASSWORD: ADMIN.password });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto("/sign-in");
    await page.getByTestId("signin-email").fill(email);
    await page.getByTestId("signin-password").fill(password);
    await page.getByTestId("signin-submit").click();
  }

  it("a teacher signs up, verifies by mail, signs in and sees the dashboard", async () => {
    const ctx = await newContext(web.browser, web.server.url);
    const page = await ctx.newPage();
    const email = uniqueEmail("teacher");
    await page.goto("/");
    await shot(page, "landing-desktop");
    await page.getByTestId("landing-sign-up").click();
    await page.waitForURL("**/sign-up");

    // Validation happens before anything is sent.
    await page.getByTestId("signup-submit").click();
    await page.getByText("Enter your name.").waitFor();
    expect(await page.getByText("Enter your name.").isVisible()).toBe(true);
    expect(await page.getByText("Enter a password.").isVisible()).toBe(true);

    await page.getByTestId("signup-role-teacher").check({ force: true });
    await page.getByTestId("signup-name").fill("Tess Teacher");
    await page.getByTestId("signup-email").fill(email);
    await page.getByTestId("signup-password").fill("short");
    await page.getByTestId("signup-submit").click();
    expect(await page.getByText("Use at least 10 characters.").isVisible()).toBe(true);
    await page.getByTestId("signup-password").fill("a long enough password");
    await shot(page, "signup-desktop");
    await page.getByTestId("signup-submit").click();

    await page.waitForURL("**/check-email?**");
    expect(await page.getByTestId("check-email-address").textContent()).toBe(email);
    await shot(page, "check-email-desktop");

    // Signing in before verifying explains what to do.
    await signIn(page, email, "a long enough password");
    await page.getByTestId("signin-error").waitFor();
    expect(await page.getByTestId("signin-error").textContent()).toContain("verify your email");

    const link = await linkFromOutbox(web.server, email, "/verify-email");
    await page.goto(link);
    await page.getByTestId("verify-success").waitFor();
    await shot(page, "verify-email-desktop");
    await page.getByTestId("verify-continue").click();
    await page.waitForURL("**/sign-in?email=**");
    expect(await page.getByTestId("signin-email").inputValue()).toBe(email);

    await page.getByTestId("signin-password").fill("a wrong password here");
    await page.getByTestId("signin-submit").click();
    await page.getByTestId("signin-error").waitFor();
    expect(await page.getByTestId("signin-error").textContent()).toContain("email or password is not correct");

    await page.getByTestId("signin-password").fill("a long enough password");
    await page.getByTestId("signin-submit").click();
    await page.waitForURL("**/dashboard");
    await page.getByRole("heading", { name: "Welcome, Tess" }).waitFor();
    await shot(page, "dashboard-teacher-desktop");

    // The session survives a reload (refresh cookie, token only in memory).
    await page.reload();
    await page.getByRole("heading", { name: "Welcome, Tess" }).waitFor();
    expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toMatch(/ey[A-Za-z0-9_-]{10,}\./);

    // Profile: change the name; the header follows.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("menu-profile").click();
    await page.waitForURL("**/profile");
    await page.getByTestId("profile-name").fill("Tess T. Teacher");
    await page.getByTestId("profile-save").click();
    await page.getByText("Your name has been saved.").waitFor();
    expect(await page.getByTestId("user-menu").textContent()).toContain("Tess T. Teacher");

    // Change password: wrong current password is reported on the field.
    await page.getByTestId("password-current").fill("not my password");
    await page.getByTestId("password-new").fill("another good password");
    await page.getByTestId("password-confirm").fill("another good password");
    await page.getByTestId("password-save").click();
    await page.getByText("Your current password is not correct.").waitFor();
    await page.getByTestId("password-current").fill("a long enough password");
    await page.getByTestId("password-save").click();
    await page.getByText("Your password has been changed.").waitFor();
    await shot(page, "profile-desktop");

    // Sign out: protected pages send you to sign in and back.
    await page.getByTestId("user-menu").click();
    await page.getByTestId("sign-out").click();
    await page.waitForURL("**/sign-in");
    await page.goto("/profile");
    await page.waitForURL("**/sign-in?next=%2Fprofile");
    await page.getByTestId("signin-email").fill(email);
    await page.getByTestId("signin-password").fill("another good password");
    await page.getByTestId("signin-submit").click();
    await page.waitForURL("**/profile");
    await ctx.close();
  }, 240_000);

  it("forgot and reset password through the mailed link", async () => {
    const email = uniqueEmail("student");
    const res = await fetch(`${web.server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "first password 1", fullName: "Sam Student", role: "student" }),
    });
    expect(res.status).toBe(201);
    await fetch(`${web.server.url}/api/v1/auth/verify-email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: new URL(await linkFromOutbox(web.server, email, "/verify-email")).searchParams.get("token") }),
    });

    const ctx = await newContext(web.browser, web.server.url, PHONE);
    const page = await ctx.newPage();
    await page.goto("/sign-in");
    await shot(page, "signin-phone");
    await page.getByText("Forgot your password?").click();
    await page.getByTestId("forgot-email").fill(email);
    await page.getByTestId("forgot-submit").click();
    await page.getByTestId("forgot-sent").waitFor();
    const link = await linkFromOutbox(web.server, email, "/reset-password");
    await page.goto(link);
    await page.getByTestId("reset-password").fill("second password 2");
    await page.getByTestId("reset-confirm").fill("second password X");
    await page.getByTestId("reset-submit").click();
    await page.getByText("The passwords do not match.").waitFor();
    await page.getByTestId("reset-confirm").fill("second password 2");
    await shot(page, "reset-phone");
    await page.getByTestId("reset-submit").click();
    await page.getByTestId("reset-continue").click();
    await signIn(page, email, "second password 2");
    await page.waitForURL("**/dashboard");
    await shot(page, "dashboard-student-phone");

    // The used link now explains itself.
    await page.goto(link);
    await page.getByTestId("reset-password").fill("third password 33");
    await page.getByTestId("reset-confirm").fill("third password 33");
    await page.getByTestId("reset-submit").click();
    await page.getByTestId("reset-error").waitFor();
    expect(await page.getByTestId("reset-error").textContent()).toMatch(/invalid|already been used|expired/);
    await ctx.close();
  }, 240_000);

  it("an admin searches people, changes a role, disables an account and sees the system status", async () => {
    const email = uniqueEmail("victim");
    await fetch(`${web.server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "victim password 1", fullName: "Vic Tim", role: "student" }),
    });
    const ctx = await newContext(web.browser, web.server.url, DESKTOP);
    const page = await ctx.newPage();
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.waitForURL("**/dashboard");
    await page.goto("/admin/users");
    await page.getByTestId("admin-users-table").waitFor();
    await page.getByTestId("admin-user-search").fill(email);
    const row = page.locator('[data-testid="admin-user-row"]', { hasText: email });
    await row.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="admin-user-row"]').length === 1);
    await row.getByTestId("admin-user-role").selectOption("teacher");
    await page.getByText("Vic Tim is now a teacher.").waitFor();
    await row.getByTestId("admin-user-toggle").click();
    await page.getByText("Vic Tim has been disabled and signed out.").waitFor();
    expect(await row.textContent()).toContain("Disabled");
    await shot(page, "admin-users-desktop");
    await page.setViewportSize(PHONE);
    await shot(page, "admin-users-phone");
    await page.setViewportSize(DESKTOP);

    await page.goto("/admin/rooms");
    await page.getByTestId("admin-live-rooms").waitFor();
    await page.getByTestId("admin-rooms-live").click();
    await shot(page, "admin-rooms-desktop");

    await page.goto("/admin/status");
    await page.getByTestId("status-overall").waitFor();
    expect(await page.getByTestId("status-overall").textContent()).toBe("Healthy");
    expect(await page.getByTestId("status-servers").textContent()).toBe("One app server");
    await page.getByTestId("status-media").waitFor();
    expect(await page.getByTestId("status-recordings").textContent()).toContain("0 recording");
    await shot(page, "admin-status-desktop");

    // The disabled person cannot sign in and is told why.
    const other = await newContext(web.browser, web.server.url);
    const p2 = await other.newPage();
    await signIn(p2, email, "victim password 1");
    await p2.getByTestId("signin-error").waitFor();
    expect(await p2.getByTestId("signin-error").textContent()).toContain("disabled");
    await other.close();
    await ctx.close();
  }, 240_000);
});
