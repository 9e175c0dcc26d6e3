import { io } from "socket.io-client";
import type { ClientEventName, ConnectionQualityDto, EventPayload } from "@vtp/protocol";
import { ackOf, type ClientSocket, type TestAck } from "../../helpers/socket";
import type { Server } from "../web/harness";

/** One signed-in person's socket, driven from Node, with the connection-quality events it got. */
export interface Client {
  sock: ClientSocket;
  token: string;
  /** Every `connection-quality` event this socket received, in order. */
  quality: ConnectionQualityDto[];
  ok<E extends ClientEventName>(event: E, payload: EventPayload<E>): Promise<TestAck<E>>;
  createRoom(title: string): Promise<string>;
}

export async function connectAs(server: Server, who: { email: string; password: string }): Promise<Client> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: who.email, password: who.password }),
  }).then((res) => res.json());
  const token: string = login.accessToken;
  const sock: ClientSocket = io(server.url, { auth: { token }, transports: ["websocket"] });
  const quality: ConnectionQualityDto[] = [];
  sock.on("connection-quality", (payload) => quality.push(payload));
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => resolve());
    sock.once("connect_error", reject);
  });
  const ok = async <E extends ClientEventName>(event: E, payload: EventPayload<E>) => {
    const reply = await ackOf(sock, event, payload, 30_000);
    if (!reply.ok) throw new Error(`${event} failed: ${JSON.stringify(reply.error)}`);
    return reply;
  };
  const createRoom = async (title: string) => {
    const created = await fetch(`${server.url}/api/v1/rooms`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ title }),
    }).then((res) => res.json());
    return created.room.id as string;
  };
  return { sock, token, quality, ok, createRoom };
}
