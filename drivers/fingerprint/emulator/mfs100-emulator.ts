/**
 * A small HTTP emulator of Mantra's MFS100 client service (`GET /mfs100/info`, `POST /mfs100/capture`),
 * replying with the JSON field names of Mantra's sample page. For tests and the demo only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GrayImage } from "../image.js";
import { encodeGrayBmp } from "./bmp-writer.js";
import { syntheticFinger } from "../synthetic/index.js";

export interface Mfs100EmulatorOptions {
  image?: GrayImage;
  nfiq?: number;
  isoTemplate?: Buffer;
}

export class Mfs100Emulator {
  image: GrayImage;
  /** When false, every call answers "device not connected" as the real service does without a scanner. */
  connected = true;
  /** Answer the next N captures with a timeout (no finger). */
  timeouts = 0;
  /** Capture request bodies received, to check units (TimeOut is in seconds). */
  readonly captureRequests: unknown[] = [];
  private readonly server: Server;
  private readonly nfiq: number;
  private readonly isoTemplate: Buffer | undefined;

  private constructor(options: Mfs100EmulatorOptions) {
    this.image = options.image ?? syntheticFinger(1, { width: 260, height: 300, ppi: 500 });
    this.nfiq = options.nfiq ?? 2;
    this.isoTemplate = options.isoTemplate;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const reply = this.route(req.method ?? "", req.url ?? "", Buffer.concat(chunks).toString("utf8"));
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(JSON.stringify(reply.body));
      });
    });
  }

  static async start(options: Mfs100EmulatorOptions = {}): Promise<Mfs100Emulator> {
    const emu = new Mfs100Emulator(options);
    await new Promise<void>((resolve) => emu.server.listen(0, "127.0.0.1", resolve));
    return emu;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mfs100/`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private route(method: string, url: string, body: string): { status: number; body: unknown } {
    const notConnected = { ErrorCode: "-1307", ErrorDescription: "Device not connected" };
    if (method === "GET" && url === "/mfs100/info") {
      if (!this.connected) return { status: 200, body: notConnected };
      return {
        status: 200,
        body: {
          ErrorCode: "0",
          ErrorDescription: "Success",
          DeviceInfo: {
            Make: "MANTRA",
            Model: "MFS100",
            SerialNo: "EMU0001",
            Width: this.image.width,
            Height: this.image.height,
          },
        },
      };
    }
    if (method === "POST" && url === "/mfs100/capture") {
      let request: unknown;
      try {
        request = JSON.parse(body);
      } catch {
        return { status: 400, body: { ErrorCode: "-1", ErrorDescription: "Invalid JSON" } };
      }
      this.captureRequests.push(request);
      if (!this.connected) return { status: 200, body: notConnected };
      if (this.timeouts > 0) {
        this.timeouts--;
        return { status: 200, body: { ErrorCode: "-1140", ErrorDescription: "Timeout" } };
      }
      return {
        status: 200,
        body: {
          ErrorCode: "0",
          ErrorDescription: "Success",
          BitmapData: encodeGrayBmp(this.image).toString("base64"),
          Quality: 78,
          Nfiq: this.nfiq,
          Resolution: 500,
          InWidth: +(this.image.width / 500).toFixed(2),
          InHeight: +(this.image.height / 500).toFixed(2),
          Bpp: 8,
          GrayScale: 256,
          ...(this.isoTemplate ? { IsoTemplate: this.isoTemplate.toString("base64") } : {}),
        },
      };
    }
    return { status: 404, body: { ErrorCode: "-1", ErrorDescription: "Not found" } };
  }
}
