/** The worker thread of slip-worker-pool.ts: encodes slips with its own fonts, then dies with them. */
import { parentPort } from "node:worker_threads";
import { TemplateDataError } from "../../drivers/printer/templates.js";
import { inProcessSlipEncoder, type SlipRequest } from "./slip-encoder.js";

const encode = inProcessSlipEncoder();

parentPort?.on("message", (msg: { id: number; req: SlipRequest }) => {
  encode(msg.req).then(
    (out) => parentPort?.postMessage({ id: msg.id, out }),
    (e: Error) =>
      parentPort?.postMessage({
        id: msg.id,
        error: {
          name: e.name,
          message: e.message,
          ...(e instanceof TemplateDataError ? { problems: e.problems } : {}),
        },
      }),
  );
});
