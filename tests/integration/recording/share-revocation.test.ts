import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, makeAdmin, signUp, type TestApp } from "../../helpers/app.js";
import { s3ServerCommand, startLocalS3, type LocalS3 } from "../../helpers/s3.js";
import { liveRoom } from "../../helpers/rooms.js";
import { RecordingsRepo } from "../../../apps/server/src/recording/repo.js";

/**
 * Signed playback URLs (`?…&exp&sig`) live and die with the grant that issued them: a share
 * link (revoked, expired) or the signed-in viewer (disabled, lost access). A signed request
 * never hands out URLs that outlive its own. The recording's files are written to storage
 * directly (what processing leaves), so no FFmpeg is needed.
 */
const hasS3 = s3ServerCommand() !== undefined;
if (!hasS3 && process.env.CI === "true") throw new Error("moto_server (pip install 'moto[server]') is needed for the S3 share test in CI");

const MP4 = Buffer.from("a whole class, as an MP4");
const SEGMENT = Buffer.from("one HLS segment");

for (const mode of ["local", "s3"] as const) {
  describe.skipIf(mode === "s3" && !hasS3)(`signed playback URLs die with their grant (${mode} storage)`, () => {
    let s3: LocalS3 | undefined;
    let testApp: TestApp;
    let teacher: Awaited<ReturnType<typeof signUp>>;
    let recordingId: string;

    const get = (url: string, headers: Record<string, string> = {}) => testApp.app.inject({ method: "GET", url, headers });
    const uris = (playlist: string) => playlist.split("\n").filter((l) => l && !l.startsWith("#"));
    const expOf = (url: string) => Number(new URL(url, "http://x").searchParams.get("exp"));
    const signedQuery = (url: string) => new URL(url, "http://x").search;
    const db = () => testApp.app.ctx.db as unknown as Kysely<Record<string, Record<string, unknown>>>;

    /** Everything a viewer of the shared link reaches: master, variant playlist, segment, MP4, thumbnail. */
    async function sharedUrls(apiUrl: string) {
      const page = await get(apiUrl);
      expect(page.statusCode, page.body).toBe(200);
      const master = await get(`${apiUrl}/stream`);
      expect(master.statusCode, master.body).toBe(200);
      const variant = uris(master.body)[0]!;
      const variantBody = await get(variant);
      expect(variantBody.statusCode, variantBody.body).toBe(200);
      const segment = uris(variantBody.body)[0]!;
      const { download, thumbnail, stream } = page.json().recording.urls as Record<string, string>;
      const streamAgain = `/api/v1/recordings/${recordingId}/stream${signedQuery(variant)}`;
      return { variant, segment, download, thumbnail, stream, streamAgain };
    }

    async function expectAllWork(urls: Record<string, string>) {
      for (const [name, url] of Object.entries(urls)) expect((await get(url)).statusCode, `${name}: ${url}`).toBe(200);
      expect((await get(urls.download!)).rawPayload.equals(MP4)).toBe(true);
      expect((await get(urls.segment!)).rawPayload.equals(SEGMENT)).toBe(true);
    }

    async function expectAllRefused(urls: Record<string, string>) {
      for (const [name, url] of Object.entries(urls)) {
        const res = await get(url);
        expect(res.statusCode, `${name}: ${url} answered ${res.body.slice(0, 100)}`).toBe(403);
        expect(res.json().error.code).toBe("FORBIDDEN");
      }
    }

    beforeAll(async () => {
      s3 = mode === "s3" ? await startLocalS3(`vtp-share-${Date.now().toString(36)}`) : undefined;
      testApp = await createTestApp(s3?.env ?? {});
      teacher = await signUp(testApp, { role: "teacher" });
      const roomId = await liveRoom(testApp, teacher.user.id, "Chemistry");
      const repo = new RecordingsRepo(testApp.app.ctx.db);
      const row = await repo.insert({ roomId, startedBy: teacher.user.id, title: "Chemistry", nodeId: "test" });
      recordingId = row!.id;
      await repo.update(recordingId, { status: "ready", stopped_at: new Date(), duration_seconds: 4, progress: 100 });
      const storage = testApp.app.recording.storage;
      await storage.put(`rec/${recordingId}/out/recording.mp4`, MP4);
      await storage.put(`rec/${recordingId}/out/thumbnail.jpg`, Buffer.from("jpeg"));
      await storage.put(`rec/${recordingId}/out/hls/master.m3u8`, Buffer.from("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\n720p/index.m3u8\n"));
      await storage.put(`rec/${recordingId}/out/hls/720p/index.m3u8`, Buffer.from("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg0.ts\n#EXT-X-ENDLIST\n"));
      await storage.put(`rec/${recordingId}/out/hls/720p/seg0.ts`, SEGMENT);
    });
    afterAll(async () => {
      await testApp?.close();
      await s3?.stop();
    });

    it("revoking a share link kills every URL it handed out, and the owner's own URLs keep working", async () => {
      const share = (await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth, payload: {} })).json();
      const urls = await sharedUrls(share.apiUrl);
      await expectAllWork(urls);

      expect((await testApp.app.inject({ method: "DELETE", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth })).statusCode).toBe(204);
      expect((await get(share.apiUrl)).statusCode).toBe(404);
      await expectAllRefused(urls);

      const own = (await get(`/api/v1/recordings/${recordingId}`, teacher.auth)).json().recording.urls as Record<string, string>;
      for (const url of Object.values(own)) expect((await get(url)).statusCode, url).toBe(200);
    });

    it("an expired share link kills its URLs, which never outlived it anyway", async () => {
      const share = (
        await testApp.app.inject({ method: "POST", url: `/api/v1/recordings/${recordingId}/share`, headers: teacher.auth, payload: { expiresInHours: 1 } })
      ).json();
      const urls = await sharedUrls(share.apiUrl);
      const shareEnds = Math.floor(new Date(share.expiresAt).getTime() / 1000);
      for (const url of Object.values(urls)) expect(expOf(url), url).toBeLessThanOrEqual(shareEnds);
      await expectAllWork(urls);

      // The link's hour is over (the database's clock decides).
      await sql`update recording_shares set expires_at = now() - interval '1 second' where recording_id = ${recordingId}`.execute(db());
      expect((await get(share.apiUrl)).statusCode).toBe(404);
      await expectAllRefused(urls);
    });

    it("a signed request never hands out URLs that live longer than its own", async () => {
      // URLs of the teacher's that end in a minute: everything they lead to ends then too.
      const exp = Math.floor(Date.now() / 1000) + 60;
      const query = testApp.app.recording.service.playbackQuery(recordingId, { grant: { kind: "user", id: teacher.user.id }, exp });
      const master = await get(`/api/v1/recordings/${recordingId}/stream?${query}`);
      expect(master.statusCode, master.body).toBe(200);
      const variant = uris(master.body)[0]!;
      expect(expOf(variant)).toBeLessThanOrEqual(exp);
      const nested = await get(variant);
      expect(nested.statusCode).toBe(200);
      for (const url of uris(nested.body)) expect(expOf(url), url).toBeLessThanOrEqual(exp);

      // Past its end a signed URL is refused.
      const over = testApp.app.recording.service.playbackQuery(recordingId, {
        grant: { kind: "user", id: teacher.user.id },
        exp: Math.floor(Date.now() / 1000) - 1,
      });
      expect((await get(`/api/v1/recordings/${recordingId}/download?${over}`)).statusCode).toBe(403);
    });

    it("a viewer's signed URLs stop working when the viewer loses access (account disabled)", async () => {
      const admin = await makeAdmin(testApp);
      const viaAdmin = (await get(`/api/v1/recordings/${recordingId}`, admin.auth)).json().recording.urls as Record<string, string>;
      const master = await get(viaAdmin.stream!);
      expect(master.statusCode).toBe(200);
      const urls = { ...viaAdmin, variant: uris(master.body)[0]! };
      for (const url of Object.values(urls)) expect((await get(url)).statusCode, url).toBe(200);

      await sql`update users set disabled = true where id = ${admin.user.id}`.execute(db());
      await expectAllRefused(urls);
    });
  });
}
