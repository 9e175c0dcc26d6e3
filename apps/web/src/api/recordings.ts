import type {
  RecordingChatResponse,
  RecordingDto,
  RecordingListResponse,
  RecordingMarkerDto,
  RecordingPollsResponse,
  ShareRecordingResponse,
  UpdateRecordingBody,
} from "@vtp/protocol";
import { api } from "./browser";

const RECORDINGS_BASE = "/api/v1/recordings";
const id = (segment: string) => encodeURIComponent(segment);

/** The recordings endpoints (docs/RECORDING.md). Playback URLs in `RecordingDto.urls` are signed. */
export const recordings = {
  list: (roomId?: string) => api.get<RecordingListResponse>(RECORDINGS_BASE, { query: { roomId } }),
  get: (recId: string) => api.get<{ recording: RecordingDto }>(`${RECORDINGS_BASE}/${id(recId)}`),
  start: (roomId: string) => api.post<{ recording: RecordingDto }>(`${RECORDINGS_BASE}/start`, { roomId }),
  stop: (recId: string) => api.post<{ recording: RecordingDto }>(`${RECORDINGS_BASE}/${id(recId)}/stop`, {}),
  update: (recId: string, body: UpdateRecordingBody) => api.patch<{ recording: RecordingDto }>(`${RECORDINGS_BASE}/${id(recId)}`, body),
  remove: (recId: string) => api.delete(`${RECORDINGS_BASE}/${id(recId)}`),
  chat: (recId: string) => api.get<RecordingChatResponse>(`${RECORDINGS_BASE}/${id(recId)}/chat`),
  polls: (recId: string) => api.get<RecordingPollsResponse>(`${RECORDINGS_BASE}/${id(recId)}/polls`),
  marker: (roomId: string, label: string) => api.post<{ marker: RecordingMarkerDto }>(`/api/v1/rooms/${id(roomId)}/recording/markers`, { label }),
  share: (recId: string, expiresInHours?: number) =>
    api.post<ShareRecordingResponse>(`${RECORDINGS_BASE}/${id(recId)}/share`, expiresInHours ? { expiresInHours } : {}),
  unshare: (recId: string) => api.delete(`${RECORDINGS_BASE}/${id(recId)}/share`),
  shared: (token: string) =>
    api.get<{ recording: RecordingDto; chat: RecordingChatResponse; polls: RecordingPollsResponse }>(`/api/v1/shared/recordings/${id(token)}`, { auth: false }),
};
