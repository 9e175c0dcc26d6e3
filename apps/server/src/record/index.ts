export { RecordService, toRecordCsv, RECORD_CSV_COLUMNS } from "./service.js";
export { recordRoutes, type RecordRouteOptions } from "./routes.js";
export { ERASED_MESSAGE_AUTHOR } from "./privacy-repo.js";
