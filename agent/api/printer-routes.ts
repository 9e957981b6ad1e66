/**
 * POST /v1/print/slip {template, data, printer?}: answers once the job printed (200) or failed
 * (503 with the reason). Bad JSON, an unknown template or data that does not fit it get 400 and
 * print nothing. The body may hold a fingerprint image: it is never logged.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { TEMPLATE_NAMES, TemplateDataError } from "../../drivers/printer/templates.js";
import type { LocalRoute } from "../ports.js";
import type { PrinterService } from "../devices/printer-service.js";

const SlipRequest = z
  .object({
    template: z.enum(TEMPLATE_NAMES),
    data: z.record(z.string(), z.unknown()),
    printer: z.string().max(32).optional(),
  })
  .strict();

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function printerRoutes(service: Pick<PrinterService, "printSlip" | "resolve">): LocalRoute[] {
  return [
    {
      method: "POST",
      path: "/v1/print/slip",
      auth: true,
      // The template's fields plus at most one fingerprint image (4 MB of base64, templates.ts).
      maxBodyBytes: 4 * 1024 * 1024 + 64 * 1024,
      async handle(_req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
        let json: unknown;
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          return reply(res, 400, { error: "body must be JSON: {template, data, printer?}" });
        }
        const parsed = SlipRequest.safeParse(json);
        if (!parsed.success) {
          return reply(res, 400, {
            error: "bad request",
            problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
          });
        }
        const { template, data, printer } = parsed.data;
        if (!service.resolve(printer)) {
          return reply(res, 404, { error: printer ? `no printer "${printer}"` : "no printer configured" });
        }
        try {
          const outcome = await service.printSlip(template, data, printer);
          return reply(res, outcome.ok ? 200 : 503, outcome);
        } catch (e) {
          if (e instanceof TemplateDataError)
            return reply(res, 400, { error: "bad data", problems: e.problems });
          return reply(res, 500, { error: (e as Error).message });
        }
      },
    },
  ];
}
