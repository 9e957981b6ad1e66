import type { LinkView, LocalRoute } from "../ports.js";
import { describeLinks } from "./describe.js";

/** What the link routes read: the LinkView, plus per-target detail when the monitor offers it. */
export interface LinkRouteSource extends LinkView {
  details?(): Record<string, unknown>;
  activeLink?(): string | null;
}

/**
 * `GET /v1/links` on the loopback API: each link's retained state, its plain-words line, the active link
 * and, per target, whether it answers and why not. Open like /v1/status: nothing in it is secret.
 */
export function linkRoutes(view: LinkRouteSource, now: () => number = Date.now): LocalRoute[] {
  return [
    {
      method: "GET",
      path: "/v1/links",
      auth: false,
      handle(_req, res) {
        const states = view.states();
        const body = {
          active: view.activeLink?.() ?? null,
          links: states,
          words: describeLinks(states, now()),
          details: view.details?.() ?? {},
        };
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "no-store",
        });
        res.end(JSON.stringify(body));
      },
    },
  ];
}
