import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, storageSettingsFromEnv, StorageNotFound, type Storage } from "../../../apps/server/src/storage/index.js";
import { startLocalS3, type LocalS3 } from "../../helpers/s3.js";

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function contract(name: string, make: () => Storage | undefined) {
  describe(name, () => {
    it("puts, stats, reads ranges, lists and deletes by prefix", async ({ skip }) => {
      const st = make();
      if (!st) return skip("moto_server is not installed");
      const small = Buffer.from("hello recording world");
      await st.put("rec/a/out/one.txt", small);
      await st.put("rec/a/out/two.bin", Readable.from([Buffer.from("ab"), Buffer.from("cd")]));
      await st.put("rec/b/x.txt", Buffer.from("other"));
      expect((await st.stat("rec/a/out/one.txt"))?.size).toBe(small.length);
      expect(await st.stat("rec/a/missing")).toBeUndefined();
      expect((await readAll(await st.get("rec/a/out/one.txt"))).toString()).toBe("hello recording world");
      expect((await readAll(await st.get("rec/a/out/one.txt", { start: 6, end: 14 }))).toString()).toBe("recording");
      expect((await readAll(await st.get("rec/a/out/two.bin"))).toString()).toBe("abcd");
      await expect(st.get("rec/zz/nothing")).rejects.toBeInstanceOf(StorageNotFound);
      expect((await st.list("rec/a/")).map((o) => o.key).sort()).toEqual(["rec/a/out/one.txt", "rec/a/out/two.bin"]);
      expect(await st.deletePrefix("rec/a/")).toBe(2);
      expect(await st.list("rec/a/")).toEqual([]);
      expect((await st.list("rec/")).map((o) => o.key)).toEqual(["rec/b/x.txt"]);
      await expect(st.stat("../etc/passwd")).rejects.toThrow();
    });

    it("streams a large file up (multipart on S3) and reads its tail back", async ({ skip }) => {
      const st = make();
      if (!st) return skip("moto_server is not installed");
      const dir = mkdtempSync(path.join(tmpdir(), "vtp-st-"));
      const file = path.join(dir, "big.bin");
      const data = randomBytes(12 * 1024 * 1024 + 123);
      writeFileSync(file, data);
      await st.putFile("rec/big/big.bin", file);
      expect((await st.stat("rec/big/big.bin"))?.size).toBe(data.length);
      const tail = await readAll(await st.get("rec/big/big.bin", { start: data.length - 1000, end: data.length - 1 }));
      expect(tail.equals(data.subarray(data.length - 1000))).toBe(true);
      await st.deletePrefix("rec/big/");
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

let localDir: string;
let s3: LocalS3 | undefined;
beforeAll(async () => {
  localDir = mkdtempSync(path.join(tmpdir(), "vtp-local-"));
  s3 = await startLocalS3();
  if (!s3) {
    if (process.env.CI === "true") throw new Error("moto_server (pip install moto[server]) is needed for the S3 storage tests in CI");
    console.warn("SKIP S3 storage tests: moto_server is not installed (pip install 'moto[server]')");
  }
});
afterAll(async () => {
  await s3?.stop();
  rmSync(localDir, { recursive: true, force: true });
});

contract("LocalStorage", () => createStorage({}, localDir));
contract("S3Storage (moto_server)", () => (s3 ? createStorage(storageSettingsFromEnv(s3.env), "/nonexistent") : undefined));
