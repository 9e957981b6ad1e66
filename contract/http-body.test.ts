import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBody } from "./http-body.js";
import { allStationsFilter, parseTopic, stationTopics } from "./topics.js";

/** readBody over a real HTTP server on loopback: declared, chunked and empty bodies against a limit. */
describe("readBody", () => {
  let port = 0;
  let limit = 16;
  const server = createServer((req: IncomingMessage, res) => {
    void readBody(req, limit).then((body) => {
      res.statusCode = body === undefined ? 413 : 200;
      res.end(body === undefined ? "too large" : `got ${body.length}: ${body.toString()}`);
    });
  });
  beforeAll(() =>
    new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r())).then(() => {
      port = (server.address() as AddressInfo).port;
    }),
  );
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const send = (body: string | string[], headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ port, method: "POST", headers }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      for (const part of [body].flat()) req.write(part);
      req.end();
    });

  it("returns a body within the limit, declared or chunked", async () => {
    limit = 16;
    expect(await send("hello", { "content-length": "5" })).toEqual({ status: 200, text: "got 5: hello" });
    expect(await send(["hel", "lo ", "there"])).toEqual({ status: 200, text: "got 11: hello there" });
  });

  it("refuses a declared length over the limit without reading, and a chunked body that grows past it", async () => {
    limit = 8;
    expect((await send("0123456789", { "content-length": "10" })).status).toBe(413);
    expect((await send(["0123", "4567", "89ab"])).status).toBe(413);
  });

  it("reads nothing with a limit of 0 and answers the client, not a reset", async () => {
    limit = 0;
    expect(await send("", { "content-length": "0" })).toEqual({ status: 200, text: "got 0: " });
    expect((await send("x", { "content-length": "1" })).status).toBe(413);
  });
});

describe("topics", () => {
  it("builds and parses every station topic, and refuses what is not one", () => {
    const t = stationTopics("cctns/hr", "PS-1");
    expect(allStationsFilter("cctns/hr")).toBe("cctns/hr/+/#");
    for (const [topic, kind] of [
      [t.state, "state"],
      [t.metrics, "metrics"],
      [t.uptime, "uptime"],
      [t.power, "power"],
      [t.link("swan"), "link"],
      [t.device("fp1"), "device"],
      [t.command("rebirth"), "cmd"],
      [t.reply("noc-1"), "reply"],
    ] as const)
      expect(parseTopic("cctns/hr", topic)).toMatchObject({ station: "PS-1", kind });
    expect(parseTopic("cctns/hr", "cctns/hr/PS-1/link/+")).toBeUndefined();
    expect(parseTopic("cctns/hr", "cctns/other/PS-1/state")).toBeUndefined();
    expect(parseTopic("cctns/hr", "cctns/hr/PS-1/bogus")).toBeUndefined();
  });
});
