export { RoomService, toRoomDto, settingsOf, isRoomHost, roomNotFound, type RoomLiveControl } from "./service.js";
export { RoomRecords, type RoomAccess, type AccessChange } from "./records.js";
export { RoomsRepo, isUuid, type RoomRow } from "./repo.js";
export { roomRoutes } from "./routes.js";
export { newJoinCode, normalizeJoinCode, formatJoinCode } from "./code.js";
