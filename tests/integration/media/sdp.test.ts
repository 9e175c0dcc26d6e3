import { describe, expect, it } from "vitest";
import { keepInactiveInBundle, unbundleRejected } from "../../../apps/server/src/media/sdp.js";

const offer = [
  "v=0",
  "o=- 1 2 IN IP4 0.0.0.0",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0 1 2",
  "m=audio 0 UDP/TLS/RTP/SAVPF 111",
  "a=mid:0",
  "a=inactive",
  "a=rtpmap:111 opus/48000/2",
  "m=video 9 UDP/TLS/RTP/SAVPF 96",
  "a=mid:1",
  "a=sendonly",
  "a=rtpmap:96 VP8/90000",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "a=mid:2",
  "a=sendonly",
  "a=rtpmap:111 opus/48000/2",
  "",
].join("\r\n");

describe("SDP rewriting", () => {
  it("keeps a closed consumer's m-line (even the first, the BUNDLE tag) inactive in the bundle instead of rejected", () => {
    const out = keepInactiveInBundle(offer);
    expect(out).toContain("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=inactive");
    expect(out).not.toMatch(/^m=\S+ 0 /m);
    expect(out).toMatch(/^a=group:BUNDLE 0 1 2$/m);
    expect(out.split("\r\n").length).toBe(offer.split("\r\n").length);
  });

  it("leaves an offer without inactive m-lines unchanged", () => {
    const live = offer.replace("m=audio 0", "m=audio 9").replace("a=inactive", "a=sendonly");
    expect(keepInactiveInBundle(live)).toBe(live);
  });

  it("takes rejected m-lines out of the BUNDLE group of an answer", () => {
    expect(unbundleRejected(offer)).toMatch(/^a=group:BUNDLE 1 2$/m);
  });
});
