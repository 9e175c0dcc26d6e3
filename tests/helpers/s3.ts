import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "./process.js";

/**
 * A local S3-compatible server for tests: moto's standalone server (`moto_server`, from the
 * Python package moto, present on this workplace's machines). Returns undefined when it is
 * not installed, so callers can skip with a message.
 */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export function s3ServerCommand(): string | undefined {
  const bin = process.env.MOTO_SERVER ?? "moto_server";
  const probe = spawnSync(bin, ["--help"], { stdio: "ignore" });
  return probe.status === 0 ? bin : undefined;
}

export async function startLocalS3(bucket = "vtp-test"): Promise<LocalS3 | undefined> {
  const bin = s3ServerCommand();
  if (!bin) return undefined;
  const port = await freePort();
  const proc: ChildProcess = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(endpoint);
      break;
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error("moto_server did not start");
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  const env = {
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: "test",
    S3_SECRET_ACCESS_KEY: "test",
    S3_FORCE_PATH_STYLE: "true",
  };
  const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    env,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
