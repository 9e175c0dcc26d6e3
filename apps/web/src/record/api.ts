import type { AdminOverviewResponse, ClassRecordResponse, MyRecordResponse, TeachingRecordResponse } from "@vtp/protocol";
import { api } from "../api/browser";

const id = (segment: string) => encodeURIComponent(segment);

/** A file the server sends as an attachment, with the name it gives. */
async function downloadOf(path: string, query: Record<string, string>, fallback: string): Promise<{ blob: Blob; filename: string }> {
  const res = await api.request<Response>("GET", path, { query, raw: true });
  const disposition = res.headers.get("content-disposition") ?? "";
  return { blob: await res.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback };
}

/** The class record endpoints (docs/PROTOCOL.md, "Class record"). */
export const records = {
  ofClass: (roomId: string) => api.get<ClassRecordResponse>(`/api/v1/rooms/${id(roomId)}/record`),
  /** The table as CSV, times in this browser's time zone with their offset (like the attendance CSV). */
  csv: (roomId: string) =>
    downloadOf(`/api/v1/rooms/${id(roomId)}/record`, { format: "csv", tz: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" }, "class-record.csv"),
  json: (roomId: string) => downloadOf(`/api/v1/rooms/${id(roomId)}/record`, { format: "json" }, "class-record.json"),
  mine: () => api.get<MyRecordResponse>("/api/v1/me/record"),
  teaching: () => api.get<TeachingRecordResponse>("/api/v1/teaching/record"),
  overview: (days: number) => api.get<AdminOverviewResponse>("/api/v1/admin/overview", { query: { days } }),
};

/** Saves a downloaded file through a temporary link. */
export function saveFile({ blob, filename }: { blob: Blob; filename: string }) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
