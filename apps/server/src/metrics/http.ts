import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Label of requests that matched no route (404s, the web client's history fallback). */
export const UNMATCHED_ROUTE = "(unmatched)";
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Counts every HTTP request and times it, labelled by the route pattern (`/api/v1/rooms/:id`,
 * never the raw URL: ids would make a series per room), the method and the status code.
 * Register before the routes' plugins so their requests inherit the hook.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const labelNames = ["method", "route", "status_code"] as const;
  const requests = new Counter({ name: "vtp_http_requests_total", help: "HTTP requests answered", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "vtp_http_request_duration_seconds",
    help: "Time from receiving an HTTP request to sending its response",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook("onResponse", async (req, reply) => {
    const labels = {
      method: METHODS.has(req.method) ? req.method : "OTHER",
      route: req.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** vtp_build_info{version} 1: names the version and marks every VTP process (app server or media node). */
export function buildInfo(registry: Registry, version: string): void {
  new Gauge({ name: "vtp_build_info", help: "Always 1; the version is a label", labelNames: ["version"], registers: [registry] }).set({ version }, 1);
}
