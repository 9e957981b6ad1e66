/** The local API reads request bodies up to its limit and answers 413 above it, serving on afterwards. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { LocalApi, sendJson } from "../../agent/local-api.js";

const api = new LocalApi({ port: 0, token: "t".repeat(32), log: pino({ level: "silent" }) }, [
  {
    method: "POST",
    path: "/v1/echo",
    auth: false,
    handle: (_req, res, body) =>
      sendJson(res, 200, { bytes: body.length, head: body.subarray(0, 5).toString() }),
  },
]);
beforeAll(() => api.start());
afterAll(() => api.stop());

const post = (body: string) => fetch(`http://127.0.0.1:${api.port}/v1/echo`, { method: "POST", body });

describe("local API request bodies", () => {
  it("hands the whole body to the route", async () => {
    const body = "hello" + "x".repeat(300_000);
    const r = await post(body);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ bytes: body.length, head: "hello" });
  });

  it("answers 413 for a body over 8 MiB, and still serves the next request", async () => {
    const r = await post("x".repeat(8 * 1024 * 1024 + 1));
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(/larger than/);
    const next = await post("ok");
    expect(await next.json()).toEqual({ bytes: 2, head: "ok" });
  });
});
