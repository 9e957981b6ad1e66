/**
 * An HTTP emulator of a four-finger scanner's local service (slap-service.ts): `GET /slap/info`,
 * `POST /slap/capture {Slap, TimeOut}`, replying with a synthetic slap as base64 PNG. The fingers
 * are the distinct synthetic fingers of each position, slanted as on a real platen; `missing`
 * leaves fingers off the glass. For tests and the demo only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeGrayPng } from "../png.js";
import { SLAP_WIRE_NAME, SlapServiceError } from "../slap-service.js";
import type { SlapKind } from "../slap-scanner.js";
import {
  composeSlap,
  SLAP_HEIGHT,
  SLAP_WIDTH,
  type PlacedFinger,
  type SlapImageOptions,
} from "./slap-image.js";

export interface SlapEmulatorOptions {
  /** Fingers that are not there (amputated): they never appear in any slap. */
  missing?: number[];
  seed?: number;
  spread?: number;
  /** Print the middle phalanges below the tips, as real slaps show them (default true). */
  phalanges?: boolean;
  /** Loopback port; 0 (default) takes a free one. */
  port?: number;
  /**
   * Draw the three slaps before listening (default true), so a capture answers in milliseconds as a
   * device does; drawing takes seconds and would block the server inside a request.
   */
  prerender?: boolean;
}

export class SlapEmulator {
  connected = true;
  /** Answer the next N captures with a timeout (no hand on the glass). */
  timeouts = 0;
  /** Where the emulator put each finger in the last capture of each kind (the truth for tests). */
  readonly placed = new Map<SlapKind, PlacedFinger[]>();
  readonly captureRequests: unknown[] = [];
  private readonly server: Server;
  private readonly cache = new Map<SlapKind, string>();

  private constructor(private readonly options: SlapEmulatorOptions) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= 64 * 1024) chunks.push(c);
      });
      req.on("end", () => {
        const reply = this.route(req.method ?? "", req.url ?? "", Buffer.concat(chunks).toString("utf8"));
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(JSON.stringify(reply.body));
      });
    });
  }

  static async start(options: SlapEmulatorOptions = {}): Promise<SlapEmulator> {
    const emu = new SlapEmulator(options);
    if (options.prerender ?? true)
      for (const kind of Object.keys(SLAP_WIRE_NAME) as SlapKind[]) emu.render(kind);
    await new Promise<void>((resolve, reject) => {
      emu.server.once("error", reject);
      emu.server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    return emu;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slap/`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private route(method: string, url: string, body: string): { status: number; body: unknown } {
    const notConnected = {
      ErrorCode: SlapServiceError.NotConnected,
      ErrorDescription: "Device not connected",
    };
    if (method === "GET" && url === "/slap/info") {
      if (!this.connected) return { status: 200, body: notConnected };
      return {
        status: 200,
        body: {
          ErrorCode: "0",
          DeviceInfo: {
            Make: "EMULATOR",
            Model: "SLAP-4",
            SerialNo: "EMUSLAP01",
            Width: SLAP_WIDTH,
            Height: SLAP_HEIGHT,
            Resolution: 500,
          },
        },
      };
    }
    if (method === "POST" && url === "/slap/capture") {
      let request: { Slap?: unknown };
      try {
        request = JSON.parse(body) as { Slap?: unknown };
      } catch {
        return {
          status: 400,
          body: { ErrorCode: SlapServiceError.BadRequest, ErrorDescription: "Invalid JSON" },
        };
      }
      this.captureRequests.push(request);
      const kind = (Object.keys(SLAP_WIRE_NAME) as SlapKind[]).find(
        (k) => SLAP_WIRE_NAME[k] === request.Slap,
      );
      if (!kind)
        return {
          status: 200,
          body: {
            ErrorCode: SlapServiceError.BadRequest,
            ErrorDescription: `Unknown Slap ${String(request.Slap)}`,
          },
        };
      if (!this.connected) return { status: 200, body: notConnected };
      if (this.timeouts > 0) {
        this.timeouts--;
        return { status: 200, body: { ErrorCode: SlapServiceError.Timeout, ErrorDescription: "Timeout" } };
      }
      return {
        status: 200,
        body: {
          ErrorCode: "0",
          Slap: request.Slap,
          Resolution: 500,
          ImageFormat: "PNG",
          ImageData: this.render(kind),
        },
      };
    }
    return { status: 404, body: { ErrorCode: SlapServiceError.BadRequest, ErrorDescription: "Not found" } };
  }

  /** Composing a slap takes seconds; each kind is drawn once per emulator. */
  private render(kind: SlapKind): string {
    const hit = this.cache.get(kind);
    if (hit) return hit;
    const opts: SlapImageOptions = {
      ...(this.options.missing ? { missing: this.options.missing } : {}),
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
      ...(this.options.spread !== undefined ? { spread: this.options.spread } : {}),
      phalanges: this.options.phalanges ?? true,
    };
    const { image, placed } = composeSlap(kind, opts);
    this.placed.set(kind, placed);
    const png = encodeGrayPng(image).toString("base64");
    this.cache.set(kind, png);
    return png;
  }
}
