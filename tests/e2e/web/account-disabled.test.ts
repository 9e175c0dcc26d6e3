import { describe, expect, it } from "vitest";
import { chromiumMissing, joinClassUi, shot, startClassUi, verifiedUser, webE2E } from "./harness";

const skip = chromiumMissing();
if (skip) console.warn(skip);

const ADMIN = { email: "admin-disables@example.org", password: "admin password 123" };

describe.skipIf(Boolean(skip))("web: an account disabled during a class", () => {
  const web = webE2E({ VTP_ADMIN_EMAIL: ADMIN.email, VTP_ADMIN_PASSWORD: ADMIN.password });

  it("the student's class ends at once with words saying why, and there is no Try again", async () => {
    const [teacher, student] = await Promise.all([verifiedUser(web.server, "teacher", "Ida Teacher"), verifiedUser(web.server, "student", "Eli Student")]);
    const { code, ctx: tctx } = await startClassUi(web.browser, web.server, teacher, { title: "Disabled mid-class" });
    const { page: sp, ctx: sctx } = await joinClassUi(web.browser, web.server, student, code);
    await sp.getByTestId("classroom").waitFor();

    const api = (path: string, init: RequestInit & { token?: string } = {}) =>
      fetch(`${web.server.url}/api/v1${path}`, {
        ...init,
        headers: { "content-type": "application/json", ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      });
    const { accessToken } = await (await api("/auth/login", { method: "POST", body: JSON.stringify(ADMIN) })).json();
    const { users } = await (await api(`/admin/users?query=${encodeURIComponent(student.email)}`, { token: accessToken })).json();
    expect(users).toHaveLength(1);
    const patched = await api(`/admin/users/${users[0].id}`, { method: "PATCH", token: accessToken, body: JSON.stringify({ disabled: true }) });
    expect(patched.status, await patched.clone().text()).toBe(200);

    await sp.getByTestId("room-end-screen").waitFor({ timeout: 30_000 });
    await expect(sp.getByTestId("room-end-title").textContent()).resolves.toBe("Your account has been disabled");
    await expect(sp.getByTestId("room-end-text").textContent()).resolves.toMatch(/disabled/i);
    expect(await sp.getByTestId("rejoin").count()).toBe(0);
    await shot(sp, "classroom-account-disabled");
    await Promise.all([tctx.close(), sctx.close()]);
  }, 180_000);
});
