/**
 * A four-finger scanner behind a vendor's local HTTP service on loopback — the shape Integrated
 * Biometrics' and HID/Crossmatch's SDK bridges take: `GET info`, `POST capture` with the slap kind,
 * the image back as base64 PNG. Codec (zod reply schemas), link (`SlapServiceClient`: HTTP with
 * timeouts and typed errors) and device (`HttpSlapScanner`: capture + our own segmentation).
 * A real vendor bridge gets an adapter that speaks this, or a client of its own behind SlapScanner.
 */
import { z } from "zod";
import { DeviceAbsentError, FingerprintError, NoFingerError, ProtocolError } from "./errors.js";
import type { GrayImage } from "./image.js";
import { callJsonService } from "./json-service.js";
import { decodeGrayPng } from "./png.js";
import type { ScannerCheck } from "./scanner.js";
import { segmentSlap } from "./slap-segmentation.js";
import type { SlapCapture, SlapKind, SlapScanner } from "./slap-scanner.js";

/** The service's names for the three slaps. */
export const SLAP_WIRE_NAME: Record<SlapKind, string> = {
  "right-four": "RIGHT_FOUR",
  "left-four": "LEFT_FOUR",
  thumbs: "BOTH_THUMBS",
};

const InfoReply = z.object({
  ErrorCode: z.union([z.string(), z.number()]).transform(String),
  ErrorDescription: z.string().optional(),
  DeviceInfo: z
    .object({
      Make: z.string().optional(),
      Model: z.string().optional(),
      SerialNo: z.string().optional(),
      Width: z.number().int().positive().optional(),
      Height: z.number().int().positive().optional(),
      Resolution: z.number().positive().optional(),
    })
    .loose()
    .nullish(),
});

const CaptureReply = z.object({
  ErrorCode: z.union([z.string(), z.number()]).transform(String),
  ErrorDescription: z.string().optional(),
  Slap: z.string().optional(),
  Resolution: z.number().positive().optional(),
  ImageFormat: z.literal("PNG").optional(),
  ImageData: z.string().optional(),
});

/** Error codes of the local-service protocol (our emulator and any adapter speak these). */
export const SlapServiceError = {
  NotConnected: "-1307",
  Timeout: "-1140",
  Busy: "-1200",
  BadRequest: "-1",
} as const;

export interface SlapServiceInfo {
  make?: string;
  model?: string;
  serialNumber?: string;
  width?: number;
  height?: number;
  resolutionPpi?: number;
}

export interface SlapServiceOptions {
  baseUrl: string;
  /** Budget for non-capture requests. */
  requestTimeoutMs?: number;
  /** Largest image accepted (decoded pixels), against a runaway service; default 4000×4000. */
  maxPixels?: number;
}

export class SlapServiceClient {
  private readonly base: string;
  private readonly requestTimeoutMs: number;
  private readonly maxPixels: number;

  constructor(options: SlapServiceOptions) {
    this.base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    this.maxPixels = options.maxPixels ?? 4000 * 4000;
  }

  async info(): Promise<SlapServiceInfo> {
    const reply = InfoReply.safeParse(await this.call("GET", "info", undefined, this.requestTimeoutMs));
    if (!reply.success)
      throw new ProtocolError(`slap service info: unexpected reply (${reply.error.issues[0]?.message})`);
    if (reply.data.ErrorCode !== "0")
      throw serviceError("info", reply.data.ErrorCode, reply.data.ErrorDescription);
    const d = reply.data.DeviceInfo ?? {};
    return {
      ...(d.Make ? { make: d.Make } : {}),
      ...(d.Model ? { model: d.Model } : {}),
      ...(d.SerialNo ? { serialNumber: d.SerialNo } : {}),
      ...(d.Width ? { width: d.Width } : {}),
      ...(d.Height ? { height: d.Height } : {}),
      ...(d.Resolution ? { resolutionPpi: d.Resolution } : {}),
    };
  }

  async capture(
    kind: SlapKind,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<{ image: GrayImage; resolutionPpi: number }> {
    const body = { Slap: SLAP_WIRE_NAME[kind], TimeOut: Math.max(1, Math.ceil(options.timeoutMs / 1000)) };
    const raw = await this.call("POST", "capture", body, options.timeoutMs + 5000, options.signal);
    const reply = CaptureReply.safeParse(raw);
    if (!reply.success)
      throw new ProtocolError(`slap service capture: unexpected reply (${reply.error.issues[0]?.message})`);
    const r = reply.data;
    if (r.ErrorCode !== "0")
      throw serviceError("capture", r.ErrorCode, r.ErrorDescription, options.timeoutMs);
    if (r.Slap !== undefined && r.Slap !== body.Slap)
      throw new ProtocolError(`slap service answered ${r.Slap} to a ${body.Slap} capture`);
    if (!r.ImageData) throw new ProtocolError("slap service capture succeeded but sent no ImageData");
    let image: GrayImage;
    try {
      image = decodeGrayPng(Buffer.from(r.ImageData, "base64"));
    } catch (e) {
      throw new ProtocolError(`slap service ImageData is not a PNG: ${(e as Error).message}`);
    }
    if (image.width * image.height > this.maxPixels)
      throw new ProtocolError(`slap image ${image.width}×${image.height} is larger than allowed`);
    return { image, resolutionPpi: r.Resolution ? Math.round(r.Resolution) : 500 };
  }

  private call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return callJsonService({ base: this.base, label: "slap service" }, method, path, body, timeoutMs, signal);
  }
}

function serviceError(what: string, code: string, description = "", timeoutMs?: number): FingerprintError {
  const text = `slap service ${what}: error ${code}${description ? ` (${description})` : ""}`;
  if (code === SlapServiceError.Timeout && timeoutMs !== undefined) return new NoFingerError(timeoutMs);
  if (code === SlapServiceError.NotConnected) return new DeviceAbsentError(text);
  if (code === SlapServiceError.Busy) return new FingerprintError("busy", text);
  return new ProtocolError(text);
}

/** The SlapScanner over a local service: the service's image, our segmentation. */
export class HttpSlapScanner implements SlapScanner {
  readonly driver = "slap-service";
  constructor(private readonly client: SlapServiceClient) {}

  async check(): Promise<ScannerCheck> {
    const info = await this.client.info();
    return {
      identity: {
        ...(info.model ? { model: info.model } : {}),
        ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
      },
      status: {
        make: info.make ?? null,
        width: info.width ?? null,
        height: info.height ?? null,
        resolutionPpi: info.resolutionPpi ?? null,
      },
    };
  }

  async captureSlap(
    kind: SlapKind,
    options: { timeoutMs: number; signal?: AbortSignal; missing?: number[] },
  ): Promise<SlapCapture> {
    const started = performance.now();
    const { image, resolutionPpi } = await this.client.capture(kind, options);
    const transferMs = performance.now() - started;
    const seg = segmentSlap(image, {
      kind,
      resolutionPpi,
      ...(options.missing ? { missing: options.missing } : {}),
    });
    return { kind, image, resolutionPpi, segments: seg.segments, missing: seg.missing, transferMs };
  }

  async close(): Promise<void> {}
}

/** Builds and checks a slap scanner from plain settings (the config's `slapScanner` entry). */
export async function openSlapScanner(settings: {
  url: string;
  requestTimeoutMs?: number;
}): Promise<SlapScanner> {
  const scanner = new HttpSlapScanner(
    new SlapServiceClient({
      baseUrl: settings.url,
      ...(settings.requestTimeoutMs ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
    }),
  );
  await scanner.check();
  return scanner;
}
