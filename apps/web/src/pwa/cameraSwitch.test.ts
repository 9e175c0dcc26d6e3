import { describe, expect, it } from "vitest";
import { nextCamera } from "./cameraSwitch";

describe("nextCamera", () => {
  const cameras = [{ deviceId: "front" }, { deviceId: "back" }, { deviceId: "usb" }];

  it("asks a phone for the other facing mode", () => {
    expect(nextCamera({ facingMode: "user", deviceId: "front" }, cameras).facingMode).toBe("environment");
    expect(nextCamera({ facingMode: "environment", deviceId: "back" }, cameras).facingMode).toBe("user");
  });

  it("goes round the cameras when the device does not say which way they face", () => {
    expect(nextCamera({ deviceId: "front" }, cameras).deviceId).toBe("back");
    expect(nextCamera({ deviceId: "usb" }, cameras).deviceId).toBe("front");
    expect(nextCamera({}, cameras).deviceId).toBe("front");
  });

  it("has nowhere to go with one camera", () => {
    expect(nextCamera({ deviceId: "front" }, [{ deviceId: "front" }]).deviceId).toBeNull();
  });
});
