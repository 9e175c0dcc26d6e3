import type { FastifyInstance } from "fastify";
import { Registry, collectDefaultMetrics } from "prom-client";
import { VERSION } from "../version.js";
import { buildInfo, registerHttpMetrics } from "./http.js";
import { MediaMetrics, type ShardStats } from "./media.js";
import { MediaSpreadMetrics, mediaSpreadOf } from "./mediaSpread.js";

/**
 * The metrics of a `vtp media` node: its workers (labelled w0, w1…), its HTTP API and the
 * process. Register before the node's routes.
 */
export function nodeMetrics(app: FastifyInstance, media: { statsByShard(): Promise<ShardStats[]> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerHttpMetrics(app, registry);
  buildInfo(registry, VERSION);
  const mediaMetrics = new MediaMetrics(registry);
  const spreadMetrics = new MediaSpreadMetrics(registry);
  return {
    contentType: registry.contentType,
    async read(): Promise<string> {
      mediaMetrics.update(await media.statsByShard());
      spreadMetrics.update(await mediaSpreadOf(media));
      return registry.metrics();
    },
  };
}
