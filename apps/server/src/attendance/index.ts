export { AttendanceService, toCsv } from "./service.js";
