import type { LiveChatMessageDto, LiveLinkCreatedDto, LiveStatusDto, StartLiveBody } from "@vtp/protocol";
import { api } from "../api/browser";

const room = (roomId: string) => `/api/v1/rooms/${encodeURIComponent(roomId)}/live`;
const link = (token: string) => `/api/v1/live/s/${encodeURIComponent(token)}`;

/** The live streaming endpoints (docs/PROTOCOL.md, "Live streaming"). */
export const liveApi = {
  status: (roomId: string, viewer?: string) => api.get<{ live: LiveStatusDto }>(room(roomId), { query: { viewer } }),
  start: (roomId: string, body: StartLiveBody) => api.post<{ live: LiveStatusDto }>(room(roomId), body),
  stop: (roomId: string) => api.delete(room(roomId)),
  createLink: (roomId: string) => api.post<LiveLinkCreatedDto>(`${room(roomId)}/links`, {}),
  revokeLink: (roomId: string, linkId: string) => api.delete(`${room(roomId)}/links/${encodeURIComponent(linkId)}`),
  chat: (roomId: string, text: string) => api.post<{ message: LiveChatMessageDto }>(`${room(roomId)}/chat`, { text }),
  byToken: (token: string, viewer?: string) => api.get<{ live: LiveStatusDto }>(link(token), { query: { viewer }, auth: false }),
  chatByToken: (token: string, name: string, text: string) => api.post<{ message: LiveChatMessageDto }>(`${link(token)}/chat`, { name, text }, { auth: false }),
};

/** This page's viewer id (counted once while it polls). */
export const viewerId = (() => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
})();
