export { LivePage } from "./LivePage";
export { LiveControl } from "./LiveControl";
