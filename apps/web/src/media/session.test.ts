import { describe, expect, it } from "vitest";
import { groupRemote, loudest } from "./session";

const stream = (seq: number) => ({ id: `s${seq}`, getTracks: () => (seq ? [{}] : []) });

describe("media bookkeeping", () => {
  it("groups consumers by participant: camera, screen and audio", () => {
    const grouped = groupRemote([
      { peerId: "a", kind: "video", source: "camera", stream: stream(1) },
      { peerId: "a", kind: "audio", source: "microphone", stream: stream(2) },
      { peerId: "a", kind: "video", source: "screen", stream: stream(3) },
      { peerId: "b", kind: "audio", source: "microphone", stream: stream(4) },
      { peerId: "c", kind: "video", source: "camera", stream: stream(0) }, // no track yet
    ]);
    expect(grouped.get("a")?.camera?.id).toBe("s1");
    expect(grouped.get("a")?.screen?.id).toBe("s3");
    expect(grouped.get("a")?.audio.map((s) => s.id)).toEqual(["s2"]);
    expect(grouped.get("b")?.camera).toBeUndefined();
    expect(grouped.has("c")).toBe(false);
  });
  it("picks the loudest speaker above the threshold", () => {
    expect(
      loudest([
        ["a", 0.02],
        ["b", 0.3],
        ["c", 0.1],
      ]),
    ).toBe("b");
    expect(loudest([["a", 0.01]])).toBeNull();
    expect(loudest([])).toBeNull();
  });
});
