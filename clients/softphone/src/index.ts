/**
 * ClutchCall.Voice browser softphone helper: one call's audio over MoQT draft-14, WebTransport or WebSocket/QMux.
 * @module
 */
export { connect } from "./softphone.js";
export type { Softphone, SoftphoneOptions, SoftphoneRole, SoftphoneState, SoftphoneStats } from "./softphone.js";
export { openTransport, backoffMs, withToken } from "./connect.js";
export { MoqtSession, MoqtRequestError } from "./moqt/session.js";
export type { ReceivedObject, Subscription, TrackPublisher } from "./moqt/session.js";
export { captureMicrophone } from "./media/capture.js";
export { OpusPlayer } from "./media/playback.js";
