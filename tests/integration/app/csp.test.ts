import { describe, expect, it } from "vitest";
import { createTestApp } from "../../helpers/app.js";

async function csp(publicUrl: string): Promise<string> {
  const testApp = await createTestApp({ PUBLIC_URL: publicUrl });
  try {
    const res = await testApp.app.inject({ url: "/api/v1/health" });
    return String(res.headers["content-security-policy"]);
  } finally {
    await testApp.close();
  }
}

describe("Content-Security-Policy", () => {
  it("does not ask browsers to upgrade to https when the server is plain http (a LAN server)", async () => {
    const header = await csp("http://school-server:8080");
    expect(header).toContain("default-src 'self'");
    expect(header).not.toContain("upgrade-insecure-requests");
  });

  it("asks browsers to upgrade to https when PUBLIC_URL is https", async () => {
    expect(await csp("https://vtp.school.example")).toContain("upgrade-insecure-requests");
  });
});
