export { AttendanceService, isTimeZone, isoInZone, toCsv } from "./service.js";
export { AttendanceNode, ATTENDANCE_HEARTBEAT_MS } from "./node.js";
