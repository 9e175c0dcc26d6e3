import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { RTCPeerConnection } from "werift";
import { enlargeSocketBuffers, udpSocketsOf } from "../../../apps/server/src/media/rtp/socketBuffers.js";

/**
 * A media worker's event loop can be held up (other work on its thread, or the thread waiting for
 * a core on a busy machine). Datagrams that arrive meanwhile wait in the socket's kernel buffer;
 * what does not fit is dropped, and a dropped audio packet is lost for every subscriber. Here the
 * loop is blocked while another thread sends a publisher's worth of packets for half a second.
 */

const PACKETS = 800; // ≈ 1.5 s of a 720p camera + microphone; 1200-byte datagrams like video
const rmemMax = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());

async function gathered(): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection({ iceUseIpv6: false, icePortRange: [47000, 47999], iceInterfaceAddresses: { udp4: "127.0.0.1" } });
  pc.addTransceiver("audio", { direction: "recvonly" });
  await pc.setLocalDescription(await pc.createOffer());
  return pc;
}

/** Blocks this thread while a worker sends PACKETS datagrams to `port`; returns how many arrived. */
async function receivedDuringStall(pc: RTCPeerConnection): Promise<number> {
  const socket = udpSocketsOf(pc)[0]!;
  const port = socket.address().port;
  let received = 0;
  socket.prependListener("message", () => received++);
  // The worker raises `flag` when it has sent everything; this thread waits on it without
  // running its event loop, so nothing reads the socket meanwhile: a stall.
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const sender = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const socket = require("node:dgram").createSocket("udp4");
     const payload = Buffer.alloc(1200, 7);
     let sent = 0;
     const burst = () => {
       for (let i = 0; i < 50 && sent < workerData.packets; i++, sent++) socket.send(payload, workerData.port, "127.0.0.1");
       if (sent < workerData.packets) return setTimeout(burst, 5);
       setTimeout(() => { Atomics.store(workerData.flag, 0, 1); Atomics.notify(workerData.flag, 0); socket.close(); }, 50);
     };
     parentPort.once("message", burst);`,
    { eval: true, workerData: { port, packets: PACKETS, flag } },
  );
  await new Promise<void>((resolve) => sender.once("online", () => resolve()));
  sender.postMessage("go");
  Atomics.wait(flag, 0, 0, 20_000);
  await sender.terminate();
  // now read what the kernel kept
  const deadline = Date.now() + 5000;
  let last = -1;
  while (received !== last && Date.now() < deadline) {
    last = received;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return received;
}

describe("WebRTC UDP socket buffers", () => {
  const pcs: RTCPeerConnection[] = [];
  afterEach(async () => {
    for (const pc of pcs.splice(0)) await pc.close();
  });

  it("are enlarged up to what the kernel allows", async () => {
    const pc = await gathered();
    pcs.push(pc);
    const sizes = enlargeSocketBuffers(pc, 4 * 1024 * 1024);
    expect(sizes.sockets).toBeGreaterThan(0);
    // Linux reports twice the granted size; the grant is capped at net.core.rmem_max.
    expect(sizes.granted).toBeGreaterThanOrEqual(Math.min(4 * 1024 * 1024, rmemMax));
  });

  it.skipIf(rmemMax < 4 * 1024 * 1024)("keep every packet that arrives while the loop is stalled (default buffers drop most)", async () => {
    const small = await gathered();
    pcs.push(small);
    const big = await gathered();
    pcs.push(big);
    enlargeSocketBuffers(big, 4 * 1024 * 1024);
    const withDefault = await receivedDuringStall(small);
    const withLarge = await receivedDuringStall(big);
    expect(withDefault, "the stall is long enough to overflow a default buffer").toBeLessThan(PACKETS);
    expect(withLarge).toBe(PACKETS);
  });
});
