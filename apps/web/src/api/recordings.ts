import type {
  RecordingChatResponse,
  RecordingDto,
  RecordingListResponse,
  RecordingMarkerDto,
  ShareRecordingResponse,
  UpdateRecordingBody,
} from "@vtp/protocol";
import { api } from "./browser";

const R = "/api/v1/recordings";
const id = (s: string) => encodeURIComponent(s);

/** The recordings endpoints (docs/RECORDING.md). Playback URLs in `RecordingDto.urls` are signed. */
export const recordings = {
  list: (roomId?: string) => api.get<RecordingListResponse>(R, { query: { roomId } }),
  get: (recId: string) => api.get<{ recording: RecordingDto }>(`${R}/${id(recId)}`),
  start: (roomId: string) => api.post<{ recording: RecordingDto }>(`${R}/start`, { roomId }),
  stop: (recId: string) => api.post<{ recording: RecordingDto }>(`${R}/${id(recId)}/stop`, {}),
  update: (recId: string, body: UpdateRecordingBody) => api.patch<{ recording: RecordingDto }>(`${R}/${id(recId)}`, body),
  remove: (recId: string) => api.delete(`${R}/${id(recId)}`),
  chat: (recId: string) => api.get<RecordingChatResponse>(`${R}/${id(recId)}/chat`),
  marker: (roomId: string, label: string) => api.post<{ marker: RecordingMarkerDto }>(`/api/v1/rooms/${id(roomId)}/recording/markers`, { label }),
  share: (recId: string, expiresInHours?: number) => api.post<ShareRecordingResponse>(`${R}/${id(recId)}/share`, expiresInHours ? { expiresInHours } : {}),
  unshare: (recId: string) => api.delete(`${R}/${id(recId)}/share`),
  shared: (token: string) => api.get<{ recording: RecordingDto; chat: RecordingChatResponse }>(`/api/v1/shared/recordings/${id(token)}`, { auth: false }),
};
