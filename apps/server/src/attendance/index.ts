export { AttendanceService, isTimeZone, isoInZone, toCsv } from "./service.js";
