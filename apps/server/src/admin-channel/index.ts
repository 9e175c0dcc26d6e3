export { startAdminChannel, type AdminChannel } from "./server.js";
export { sendAdminRequest, AdminChannelUnavailable } from "./client.js";
export { adminSocketPath, type AdminRequest, type AdminResponse } from "./protocol.js";
