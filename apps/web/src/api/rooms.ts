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

const R = "/api/v1/rooms";
const id = (s: string) => encodeURIComponent(s);

/** The classes endpoints, typed with the shared protocol. */
export const rooms = {
  create: (body: CreateRoomBody) => api.post<RoomResponse>(R, body),
  list: (q: RoomListQuery = {}) => api.get<RoomListResponse>(R, { query: { ...q } }),
  get: (roomId: string) => api.get<RoomResponse>(`${R}/${id(roomId)}`),
  byCode: (code: string) => api.get<RoomResponse>(`${R}/by-code/${id(code)}`),
  update: (roomId: string, body: UpdateRoomBody) => api.patch<RoomResponse>(`${R}/${id(roomId)}`, body),
  remove: (roomId: string) => api.delete(`${R}/${id(roomId)}`),
  end: (roomId: string) => api.post<RoomResponse>(`${R}/${id(roomId)}/end`, {}),
  messages: (roomId: string, after = 0, limit = 50) => api.get<ChatHistoryResponse>(`${R}/${id(roomId)}/messages`, { query: { after, limit } }),
  myAccess: (roomId: string) => api.get<MyRoomAccessResponse>(`${R}/${id(roomId)}/my-access`),
  /** Stored and live numbers of rooms I manage (peak, messages, …), by id. */
  statsOf: (roomIds: string[]) => api.get<RoomStatsListResponse>(`${R}/stats`, { query: { ids: roomIds.join(",") } }),
  attendance: (roomId: string) => api.get<AttendanceResponse>(`${R}/${id(roomId)}/attendance`),
  async attendanceCsv(roomId: string): Promise<{ blob: Blob; filename: string }> {
    // Times in the CSV are written in this browser's time zone, with their offset.
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    const res = await api.request<Response>("GET", `${R}/${id(roomId)}/attendance`, { query: { format: "csv", tz }, raw: true });
    const cd = res.headers.get("content-disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(cd)?.[1] ?? "attendance.csv";
    return { blob: await res.blob(), filename };
  },
  stats: (roomId: string) => api.get<{ stats: RoomStats }>("/api/v1/signalling/room/stats", { query: { room_id: roomId } }),
  allStats: () => api.get<RoomsStatsResponse>("/api/v1/signalling/rooms/stats"),
};
