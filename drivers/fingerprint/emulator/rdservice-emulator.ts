/**
 * A small emulator of a UIDAI RD Service's discovery and device-info calls. RD Services use custom HTTP
 * verbs (RDSERVICE, DEVICEINFO) that node:http's server parser refuses, so this speaks minimal HTTP/1.1
 * over a plain TCP socket. Interfaces are listed CAPTURE first on purpose: clients must look them up by id.
 */
import { createServer, type Server, type Socket, type AddressInfo } from "node:net";

export class RdServiceEmulator {
  status: "READY" | "NOTREADY" = "READY";
  readonly methods: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = createServer((socket) => this.serve(socket));
  }

  static async start(): Promise<RdServiceEmulator> {
    const emu = new RdServiceEmulator();
    await new Promise<void>((resolve) => emu.server.listen(0, "127.0.0.1", resolve));
    return emu;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [method = "", path = ""] = head.slice(0, head.indexOf("\r\n")).split(" ");
      this.methods.push(method);
      const body = this.route(method, path);
      const status = body === null ? "404 Not Found" : "200 OK";
      const text = body ?? "";
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    });
  }

  private route(method: string, path: string): string | null {
    if (method === "RDSERVICE" && path === "/") {
      return (
        `<RDService status="${this.status}" info="Emulated Vendor Device Manager">` +
        `<Interface id="CAPTURE" path="/rd/capture"/><Interface id="DEVICEINFO" path="/rd/info"/></RDService>`
      );
    }
    if (method === "DEVICEINFO" && path === "/rd/info") {
      return (
        `<DeviceInfo dpId="EMULATED.DP" rdsId="EMU.LINUX.001" rdsVer="1.0.8" dc="3f6c2a1e-0000-4000-8000-000000000001" mi="MFS100" mc="">` +
        `<additional_info><Param name="srno" value="EMU0001"/><Param name="ts" value="2025-01-01T00:00:00+05:30"/></additional_info></DeviceInfo>`
      );
    }
    return null;
  }
}
