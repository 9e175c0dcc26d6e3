/** Connection quality in class: the indicator, the advice and the low-bandwidth mode (docs/WEB.md). */
export { useClassQuality, type ReceiveMode } from "./useClassQuality";
export { QualityBadge } from "./QualityBadge";
export { receiveFilter, type VideoFilter, type VideoReceiver } from "./receiveMode";
