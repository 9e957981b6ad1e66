import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { LinkState } from "../../contract/index.js";
import { linkRoutes } from "./routes.js";

const state: LinkState = {
  station: "MH-PUN-0042",
  link: "swan",
  interface: "eth0",
  role: "primary",
  state: "down",
  since: "2026-03-01T09:55:00.000Z",
  active: false,
  time: "2026-03-01T10:00:00.000Z",
  reason: "gateway unreachable",
};

describe("GET /v1/links", () => {
  it("answers with the states, the plain words and the details", async () => {
    const [route] = linkRoutes(
      {
        states: () => [state],
        summaries: () => ({}),
        networkEvidence: () => ({}),
        details: () => ({ swan: { targets: [], faults: [] } }),
        activeLink: () => null,
      },
      () => Date.parse("2026-03-01T10:00:00Z"),
    );
    expect(route).toMatchObject({ method: "GET", path: "/v1/links", auth: false });
    const server = createServer((req, res) => void route!.handle(req, res, Buffer.alloc(0)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request(
          { port: (server.address() as AddressInfo).port, host: "127.0.0.1", path: "/v1/links" },
          (res) => {
            let text = "";
            res.on("data", (d: Buffer) => (text += d.toString()));
            res.on("end", () => resolve(text));
          },
        )
          .on("error", reject)
          .end();
      });
      const json = JSON.parse(body) as {
        links: LinkState[];
        words: string[];
        active: null;
        details: unknown;
      };
      expect(json.links).toEqual([state]);
      expect(json.words[0]).toMatch(
        /^swan \(eth0, primary link\): NOT WORKING since .*\(5 min\): the local router\/modem does not answer\.$/,
      );
      expect(json.details).toEqual({ swan: { targets: [], faults: [] } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
