/**
 * Local API route `POST /v1/fingerprint/capture` (loopback, bearer token checked by the lead's server).
 * Body: {device?, finger, timeoutMs?}. Answers the PNG and the ISO/IEC 19794-4:2005 record in base64,
 * with the quality score and timings. Bad input: 400 with the reason, and nothing is touched.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { LocalRoute } from "../ports.js";
import { FINGER_NAMES } from "../../drivers/fingerprint/iso19794-4.js";
import { FingerprintError, type FingerprintErrorCode } from "../../drivers/fingerprint/errors.js";
import {
  UnknownDeviceError,
  type CaptureRequest,
  type CaptureResult,
} from "../devices/fingerprint-service.js";

export const CAPTURE_PATH = "/v1/fingerprint/capture";
export const ISO_FORMAT = "ISO/IEC 19794-4:2005";

export const CaptureBody = z
  .object({
    device: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, "letters, digits, _ . - only")
      .optional(),
    finger: z.enum(FINGER_NAMES),
    timeoutMs: z.number().int().min(1000).max(60_000).optional(),
  })
  .strict();

export interface FingerprintCapturer {
  capture(request: CaptureRequest): Promise<CaptureResult>;
}

/** HTTP status for each error code: the caller's software branches on these, so they are part of the API. */
export const FINGERPRINT_ERROR_STATUS: Record<FingerprintErrorCode | "internal", number> = {
  busy: 409,
  "no-finger": 422,
  unsupported: 400,
  "no-device": 503,
  aborted: 503,
  timeout: 502,
  garbled: 502,
  "bad-checksum": 502,
  truncated: 502,
  "module-error": 502,
  protocol: 502,
  internal: 500,
};

export function fingerprintRoutes(service: FingerprintCapturer): LocalRoute[] {
  return [
    {
      method: "POST",
      path: CAPTURE_PATH,
      auth: true,
      // {device, finger, timeoutMs} is well under 200 bytes.
      maxBodyBytes: 1024,
      handle: (req, res, body) => handleCapture(service, req, res, body),
    },
  ];
}

async function handleCapture(
  service: FingerprintCapturer,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const type = req.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    return sendJson(res, 415, {
      error: "bad-request",
      message: `content-type must be application/json, got ${type}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (e) {
    return sendJson(res, 400, {
      error: "bad-request",
      message: `body is not valid JSON: ${(e as Error).message}`,
    });
  }
  const parsed = CaptureBody.safeParse(json);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    return sendJson(res, 400, { error: "bad-request", message: reasons.join("; "), issues: reasons });
  }
  try {
    const r = await service.capture(parsed.data);
    sendJson(res, 200, {
      device: r.device,
      driver: r.driver,
      finger: r.finger,
      quality: r.quality,
      width: r.width,
      height: r.height,
      resolutionPpi: r.resolutionPpi,
      timing: r.timing,
      png: r.png.toString("base64"),
      iso: r.iso.toString("base64"),
      isoFormat: ISO_FORMAT,
      ...(r.nfiq !== undefined ? { nfiq: r.nfiq } : {}),
      ...(r.vendorQuality !== undefined ? { vendorQuality: r.vendorQuality } : {}),
      ...(r.isoTemplate ? { isoTemplate: r.isoTemplate.toString("base64") } : {}),
    });
  } catch (error) {
    if (error instanceof UnknownDeviceError)
      return sendJson(res, 404, { error: "unknown-device", message: error.message });
    if (error instanceof FingerprintError)
      return sendJson(res, FINGERPRINT_ERROR_STATUS[error.code], {
        error: error.code,
        message: error.message,
      });
    sendJson(res, 500, { error: "internal", message: "capture failed unexpectedly" });
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  // Biometric payloads must not linger in any cache.
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
