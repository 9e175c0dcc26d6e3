import { existsSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import fastifyStatic from "@fastify/static";
import type { Config } from "../config/index.js";

/**
 * Serves the built web client (apps/web/dist) at `/`, with a history fallback so client
 * routes like /room/:id load index.html (see registerNotFound). Returns whether it serves.
 */
export async function registerWebClient(app: FastifyInstance, config: Config): Promise<boolean> {
  const dir = config.webDistDir;
  if (!existsSync(path.join(dir, "index.html"))) {
    app.log.debug({ dir }, "web client not built; serving the API only");
    return false;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: false,
    index: ["index.html"],
    cacheControl: false,
    setHeaders: (res, file) => {
      res.header("cache-control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
      // The PWA: the service worker controls the whole site and is always checked for a new version.
      if (path.resolve(file) === path.resolve(dir, "sw.js")) res.header("service-worker-allowed", "/");
      if (file.endsWith(".webmanifest")) res.header("content-type", "application/manifest+json; charset=utf-8");
    },
  });
  return true;
}
