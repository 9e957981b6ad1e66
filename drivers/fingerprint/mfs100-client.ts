/**
 * Client of Mantra's MFS100 "client service" (vendor, non-RD) on loopback: `GET info`, `POST capture`.
 * The capture gives the bitmap and, where the service has them, NFIQ and ISO templates/images.
 * Facts: shared/protocols.md §5.2 (Mantra mfs100.js and sample page). TimeOut is in seconds.
 */
import { z } from "zod";
import { decodeBmpToGray } from "./bmp.js";
import type { GrayImage } from "./image.js";
import { callJsonService } from "./json-service.js";
import { DeviceAbsentError, FingerprintError, NoFingerError, ProtocolError } from "./errors.js";

export const MFS100_DEFAULT_URL = "http://127.0.0.1:8004/mfs100/";

const InfoReply = z.object({
  ErrorCode: z.union([z.string(), z.number()]).transform(String),
  ErrorDescription: z.string().optional(),
  DeviceInfo: z
    .object({
      Make: z.string().optional(),
      Model: z.string().optional(),
      SerialNo: z.string().optional(),
      Width: z.coerce.number().optional(),
      Height: z.coerce.number().optional(),
    })
    .loose()
    .nullish(),
});

const CaptureReply = z.object({
  ErrorCode: z.union([z.string(), z.number()]).transform(String),
  ErrorDescription: z.string().optional(),
  BitmapData: z.string().optional(),
  Quality: z.coerce.number().optional(),
  Nfiq: z.coerce.number().optional(),
  Resolution: z.coerce.number().optional(),
  IsoTemplate: z.string().optional(),
  IsoImage: z.string().optional(),
});

export interface Mfs100Info {
  make?: string;
  model?: string;
  serialNumber?: string;
  width?: number;
  height?: number;
}

export interface Mfs100Capture {
  image: GrayImage;
  resolutionPpi: number;
  /** The service's own quality figure (Mantra's, not ours). */
  vendorQuality?: number;
  /** NFIQ as reported by the service (NFIQ 1: 1 best .. 5 worst). */
  nfiq?: number;
  /** ISO/IEC 19794-2 minutiae template, when the service gives one. */
  isoTemplate?: Buffer;
  transferMs: number;
}

export interface Mfs100Options {
  baseUrl?: string;
  /** Quality threshold passed to the service (Mantra recommends at least 55). */
  minQuality?: number;
  /** Budget for non-capture requests. */
  requestTimeoutMs?: number;
}

export class Mfs100Client {
  private readonly base: string;
  private readonly minQuality: number;
  private readonly requestTimeoutMs: number;

  constructor(options: Mfs100Options = {}) {
    const base = options.baseUrl ?? MFS100_DEFAULT_URL;
    this.base = base.endsWith("/") ? base : `${base}/`;
    this.minQuality = options.minQuality ?? 55;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 3000;
  }

  async info(): Promise<Mfs100Info> {
    const reply = InfoReply.safeParse(await this.call("GET", "info", undefined, this.requestTimeoutMs));
    if (!reply.success)
      throw new ProtocolError(`MFS100 info: unexpected reply (${reply.error.issues[0]?.message})`);
    const r = reply.data;
    if (r.ErrorCode !== "0") throw serviceError("info", r.ErrorCode, r.ErrorDescription);
    const d = r.DeviceInfo ?? {};
    return {
      ...(d.Make ? { make: d.Make } : {}),
      ...(d.Model ? { model: d.Model } : {}),
      ...(d.SerialNo ? { serialNumber: d.SerialNo } : {}),
      ...(d.Width ? { width: d.Width } : {}),
      ...(d.Height ? { height: d.Height } : {}),
    };
  }

  async capture(options: { timeoutMs: number; signal?: AbortSignal }): Promise<Mfs100Capture> {
    const started = performance.now();
    const timeoutS = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    const raw = await this.call(
      "POST",
      "capture",
      { Quality: this.minQuality, TimeOut: timeoutS },
      options.timeoutMs + 5000,
      options.signal,
    );
    const reply = CaptureReply.safeParse(raw);
    if (!reply.success)
      throw new ProtocolError(`MFS100 capture: unexpected reply (${reply.error.issues[0]?.message})`);
    const r = reply.data;
    if (r.ErrorCode !== "0")
      throw serviceError("capture", r.ErrorCode, r.ErrorDescription, options.timeoutMs);
    if (!r.BitmapData) throw new ProtocolError("MFS100 capture succeeded but sent no BitmapData");
    let image: GrayImage;
    try {
      image = decodeBmpToGray(Buffer.from(r.BitmapData, "base64"));
    } catch (e) {
      throw new ProtocolError(`MFS100 BitmapData: ${(e as Error).message}`);
    }
    return {
      image,
      resolutionPpi: r.Resolution && r.Resolution > 0 ? Math.round(r.Resolution) : 500,
      ...(r.Quality !== undefined ? { vendorQuality: r.Quality } : {}),
      ...(r.Nfiq !== undefined ? { nfiq: r.Nfiq } : {}),
      ...(r.IsoTemplate ? { isoTemplate: Buffer.from(r.IsoTemplate, "base64") } : {}),
      transferMs: performance.now() - started,
    };
  }

  private call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return callJsonService(
      { base: this.base, label: "MFS100 service" },
      method,
      path,
      body,
      timeoutMs,
      signal,
    );
  }
}

/** Mantra's numeric codes are not publicly documented; the description is what distinguishes them. */
function serviceError(what: string, code: string, description = "", timeoutMs?: number): FingerprintError {
  const text = `MFS100 ${what}: error ${code}${description ? ` (${description})` : ""}`;
  if (timeoutMs !== undefined && /time ?out/i.test(description)) return new NoFingerError(timeoutMs);
  if (/not (connected|found)|no device/i.test(description)) return new DeviceAbsentError(text);
  return new ProtocolError(text);
}
