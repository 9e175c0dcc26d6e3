import { MATERIAL_CONTENT_TYPES, type MaterialListResponse, type MaterialResult } from "@vtp/protocol";
import { api } from "../../api/browser";
import { ApiError, humanMessage } from "../../api/errors";

const id = (segment: string) => encodeURIComponent(segment);
const base = (roomId: string) => `/api/v1/rooms/${id(roomId)}/materials`;

/** The file's Content-Type for the upload: the browser's, or guessed from the extension (some systems give none for pptx/odp). */
export function uploadType(file: File): string | null {
  if (file.type && MATERIAL_CONTENT_TYPES[file.type]) return file.type;
  const ext = file.name.toLowerCase().split(".").pop() ?? "";
  const byExt = Object.entries(MATERIAL_CONTENT_TYPES).find(([, kind]) => kind === ext);
  return byExt ? byExt[0] : null;
}

/** What to tell the teacher about a failed upload, by the server's error code. */
export function uploadErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return humanMessage(undefined);
  switch (err.code) {
    case "UNSUPPORTED_MATERIAL_TYPE":
      // The server says how to enable office documents when it is the converter that is missing.
      return /soffice|libreoffice/i.test(err.message)
        ? `Office documents cannot be converted on this server: ${err.message}. Meanwhile, save the file as PDF and upload that.`
        : humanMessage(err.code, err.message);
    case "MATERIAL_TOO_LARGE":
    case "MATERIAL_TOO_MANY_PAGES":
    case "CONVERSION_FAILED":
      return `${humanMessage(err.code)} ${err.message && !humanMessage(err.code).includes(err.message) ? `(${err.message})` : ""}`.trim();
    default:
      return humanMessage(err.code, err.message);
  }
}

/** The class's materials (REST, docs/PROTOCOL.md "Materials"). */
export const materialsApi = {
  list: (roomId: string) => api.get<MaterialListResponse>(base(roomId)),
  remove: (roomId: string, materialId: string) => api.delete(`${base(roomId)}/${id(materialId)}`),
  clearDrawings: (roomId: string) => api.delete(`/api/v1/rooms/${id(roomId)}/board/drawings`),
  /** The material's PDF bytes (for pdf.js). */
  async file(roomId: string, materialId: string): Promise<ArrayBuffer> {
    const res = await api.request<Response>("GET", `${base(roomId)}/${id(materialId)}/file`, { raw: true });
    return res.arrayBuffer();
  },
  /** The PDF with the class's drawings, saved by the browser. */
  async downloadAnnotated(roomId: string, materialId: string, title: string): Promise<void> {
    const res = await api.request<Response>("GET", `${base(roomId)}/${id(materialId)}/annotated.pdf`, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `${title.replace(/[\\/:*?"<>|]+/g, "_") || "slides"} (annotated).pdf`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
  /**
   * Uploads a file as the raw body (XMLHttpRequest, for its upload progress). `onProgress` gets
   * 0..1. Resolves with the stored material; rejects with an ApiError carrying the server's code.
   */
  async upload(roomId: string, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<MaterialResult> {
    const type = uploadType(file);
    if (!type) throw new ApiError(415, "UNSUPPORTED_MATERIAL_TYPE", "Upload a PDF, pptx, odp or docx file.");
    const token = await api.token();
    return new Promise<MaterialResult>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", base(roomId));
      xhr.setRequestHeader("content-type", type);
      xhr.setRequestHeader("x-file-name", encodeURIComponent(file.name));
      xhr.setRequestHeader("accept", "application/json");
      if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
      xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
      xhr.onerror = () => reject(new ApiError(0, "NETWORK", "The server could not be reached"));
      xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body as MaterialResult);
        const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
        reject(new ApiError(xhr.status, error?.code ?? (xhr.status === 413 ? "MATERIAL_TOO_LARGE" : `HTTP_${xhr.status}`), error?.message ?? xhr.statusText));
      };
      signal?.addEventListener("abort", () => xhr.abort());
      xhr.send(file);
    });
  },
};
