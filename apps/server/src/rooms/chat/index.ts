export { ChatService, toChatDto, type RateLimiter, type ChatLimits } from "./service.js";
