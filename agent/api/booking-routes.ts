/**
 * Local API for arrest bookings (docs/booking.md, "API"). Every body is size-bounded and validated with
 * zod before anything is touched; a bad request gets 400 naming the field and changes nothing. Answers
 * that carry a preview image or the sealed record are marked no-store.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { FingerprintError } from "../../drivers/fingerprint/errors.js";
import { BookingError, type BookingService } from "../booking/booking-service.js";
import { DiskFullError } from "../booking/durable-file.js";
import { AddPhoto, Annotate, BookingId, issuesOf, StartBooking, TakeImpression } from "../booking/schemas.js";
import type { Spool, SpoolEntry } from "../booking/spool.js";
import { UnknownDeviceError } from "../devices/fingerprint-service.js";
import type { LocalRoute } from "../ports.js";
import { FINGERPRINT_ERROR_STATUS } from "./fingerprint-routes.js";

export const BOOKINGS_PATH = "/v1/bookings";
const SMALL_BODY = 2 * 1024;
const START_BODY = 16 * 1024;
const PHOTO_BODY = 1_500_000;

export interface BookingApi {
  service: BookingService;
  spool: Spool;
  /** forward: none — the CCTNS client confirms it has the record; it is then deleted like a bureau receipt. */
  confirmReceived(id: string): SpoolEntry;
}

const STATUS: Record<BookingError["code"], number> = {
  "not-found": 404,
  conflict: 409,
  incomplete: 409,
  unsupported: 422,
  sealing: 503,
};

export function bookingRoutes(api: BookingApi): LocalRoute[] {
  const route = (
    method: LocalRoute["method"],
    path: string,
    maxBodyBytes: number,
    fn: (
      body: Buffer,
      params: Record<string, string>,
      res: ServerResponse,
      req: IncomingMessage,
    ) => Promise<void>,
  ): LocalRoute => ({
    method,
    path,
    auth: true,
    maxBodyBytes,
    handle: async (req, res, body, params = {}) => {
      if (params["id"] !== undefined && !BookingId.safeParse(params["id"]).success) {
        return sendJson(res, 404, { error: "not-found", message: "no such booking" });
      }
      try {
        await fn(body, params, res, req);
      } catch (e) {
        sendError(res, e);
      }
    },
  });
  const { service, spool } = api;
  return [
    route("POST", BOOKINGS_PATH, START_BODY, async (body, _p, res, req) => {
      const input = parse(StartBooking, body, req, res);
      if (input) sendJson(res, 201, service.start(input));
    }),
    route("GET", BOOKINGS_PATH, 0, async (_b, _p, res) => {
      sendJson(res, 200, { open: service.list(), sealed: spool.entries() });
    }),
    route("GET", `${BOOKINGS_PATH}/{id}`, 0, async (_b, { id }, res) => {
      const sealed = spool.get(id!);
      if (sealed) return sendJson(res, 200, { id, status: sealed.receipt ? "received" : "sealed", sealed });
      sendJson(res, 200, { status: "open", ...service.progress(id!) });
    }),
    route("DELETE", `${BOOKINGS_PATH}/{id}`, 0, async (_b, { id }, res) => {
      await service.abandon(id!);
      sendJson(res, 200, { id, status: "abandoned" });
    }),
    route("POST", `${BOOKINGS_PATH}/{id}/impressions`, SMALL_BODY, async (body, { id }, res, req) => {
      const input = parse(TakeImpression, body, req, res);
      if (!input) return;
      const answer = await service.impression(id!, input);
      sendJson(res, 200, { ...answer, preview: answer.preview.toString("base64") });
    }),
    route("POST", `${BOOKINGS_PATH}/{id}/annotations`, SMALL_BODY, async (body, { id }, res, req) => {
      const input = parse(Annotate, body, req, res);
      if (input) sendJson(res, 200, await service.annotate(id!, input));
    }),
    route("POST", `${BOOKINGS_PATH}/{id}/photo`, PHOTO_BODY, async (body, { id }, res, req) => {
      const input = parse(AddPhoto, body, req, res);
      if (input) sendJson(res, 200, await service.photo(id!, Buffer.from(input.jpeg, "base64")));
    }),
    route("POST", `${BOOKINGS_PATH}/{id}/seal`, SMALL_BODY, async (_b, { id }, res) => {
      sendJson(res, 201, { id, status: "sealed", sealed: await service.seal(id!) });
    }),
    route("GET", `${BOOKINGS_PATH}/{id}/record`, 0, async (_b, { id }, res) => {
      const entry = spool.get(id!);
      const bytes = entry ? spool.read(id!) : undefined;
      if (!entry || !bytes) {
        return sendJson(res, 404, {
          error: "not-found",
          message: entry ? "the record was deleted after its receipt" : "no sealed record with this id",
        });
      }
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": bytes.length,
        "content-disposition": `attachment; filename="${entry.tcn}.an2.age"`,
        "x-booking-tcn": entry.tcn,
        "x-booking-sha256": entry.sha256,
        "cache-control": "no-store",
      });
      res.end(bytes);
    }),
    route("POST", `${BOOKINGS_PATH}/{id}/record/received`, SMALL_BODY, async (_b, { id }, res) => {
      sendJson(res, 200, { id, status: "received", sealed: api.confirmReceived(id!) });
    }),
  ];
}

function parse<T>(
  schema: z.ZodType<T>,
  body: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
): T | undefined {
  const type = req.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    sendJson(res, 415, {
      error: "bad-request",
      message: `content-type must be application/json, got ${type}`,
    });
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (e) {
    sendJson(res, 400, { error: "bad-request", message: `body is not valid JSON: ${(e as Error).message}` });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    sendJson(res, 400, { error: "bad-request", message: issues.join("; "), issues });
    return undefined;
  }
  return parsed.data;
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof BookingError) return sendJson(res, STATUS[e.code], { error: e.code, message: e.message });
  if (e instanceof DiskFullError) return sendJson(res, 507, { error: e.code, message: e.message });
  if (e instanceof UnknownDeviceError)
    return sendJson(res, 404, { error: "unknown-device", message: e.message });
  if (e instanceof FingerprintError) {
    return sendJson(res, FINGERPRINT_ERROR_STATUS[e.code], { error: e.code, message: e.message });
  }
  throw e;
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
