import type {
  AttendanceResponse,
  ChatHistoryResponse,
  CreateRoomBody,
  MyRoomAccessResponse,
  RoomListQuery,
  RoomListResponse,
  RoomResponse,
  RoomsStatsResponse,
  RoomStats,
  RoomStatsListResponse,
  UpdateRoomBody,
} from "@vtp/protocol";
import { api } from "./browser";

const ROOMS_BASE = "/api/v1/rooms";
const id = (segment: string) => encodeURIComponent(segment);

/** The classes endpoints, typed with the shared protocol. */
export const rooms = {
  create: (body: CreateRoomBody) => api.post<RoomResponse>(ROOMS_BASE, body),
  list: (query: RoomListQuery = {}) => api.get<RoomListResponse>(ROOMS_BASE, { query: { ...query } }),
  get: (roomId: string) => api.get<RoomResponse>(`${ROOMS_BASE}/${id(roomId)}`),
  byCode: (code: string) => api.get<RoomResponse>(`${ROOMS_BASE}/by-code/${id(code)}`),
  update: (roomId: string, body: UpdateRoomBody) => api.patch<RoomResponse>(`${ROOMS_BASE}/${id(roomId)}`, body),
  remove: (roomId: string) => api.delete(`${ROOMS_BASE}/${id(roomId)}`),
  end: (roomId: string) => api.post<RoomResponse>(`${ROOMS_BASE}/${id(roomId)}/end`, {}),
  messages: (roomId: string, after = 0, limit = 50) => api.get<ChatHistoryResponse>(`${ROOMS_BASE}/${id(roomId)}/messages`, { query: { after, limit } }),
  myAccess: (roomId: string) => api.get<MyRoomAccessResponse>(`${ROOMS_BASE}/${id(roomId)}/my-access`),
  /** Stored and live numbers of rooms I manage (peak, messages, …), by id. */
  statsOf: (roomIds: string[]) => api.get<RoomStatsListResponse>(`${ROOMS_BASE}/stats`, { query: { ids: roomIds.join(",") } }),
  attendance: (roomId: string) => api.get<AttendanceResponse>(`${ROOMS_BASE}/${id(roomId)}/attendance`),
  async attendanceCsv(roomId: string): Promise<{ blob: Blob; filename: string }> {
    // Times in the CSV are written in this browser's time zone, with their offset.
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const res = await api.request<Response>("GET", `${ROOMS_BASE}/${id(roomId)}/attendance`, { query: { format: "csv", tz }, raw: true });
    const cd = res.headers.get("content-disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? "attendance.csv";
    return { blob: await res.blob(), filename };
  },
  stats: (roomId: string) => api.get<{ stats: RoomStats }>("/api/v1/signalling/room/stats", { query: { room_id: roomId } }),
  allStats: () => api.get<RoomsStatsResponse>("/api/v1/signalling/rooms/stats"),
};
