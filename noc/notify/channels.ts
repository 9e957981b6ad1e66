/** The three ways to tell people: a signed webhook, email over SMTP, SMS through an HTTP gateway. */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import type { NotificationPayload } from "../alerts/model.js";
import type { Channel } from "../alerts/rules.js";
import { readSecret } from "../secret-file.js";
import { emailTexts, smsWords } from "./texts.js";

export interface Sender {
  send(to: string, p: NotificationPayload): Promise<string>;
  close?(): void;
}

/** A failure that retrying cannot fix (a 4xx other than 408/429, a rejected address). */
export class PermanentError extends Error {}

export const SIGNATURE_HEADER = "X-Station-Noc-Signature";
export const DELIVERY_HEADER = "X-Station-Noc-Delivery";

/** `sha256=<hex>` of the exact body bytes, as GitHub-style receivers check it. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function http(url: string, init: RequestInit, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = (await res.text()).slice(0, 200);
  if (res.ok) return `HTTP ${res.status}`;
  const msg = `HTTP ${res.status} ${text}`.trim();
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
    throw new PermanentError(msg);
  throw new Error(msg);
}

/** Fills {name} placeholders; `encode` for URLs. Unknown names stay as they are. */
export function fill(template: string, values: Record<string, string>, encode = false): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (m, k: string) =>
    k in values ? (encode ? encodeURIComponent(values[k] as string) : (values[k] as string)) : m,
  );
}

/** `timeZone`: the stations' zone, for the times in Hindi texts. */
export function makeSender(name: string, c: Channel, timeZone = "Asia/Kolkata"): Sender {
  switch (c.type) {
    case "webhook": {
      const secret = c.secretFile ? readSecret(c.secretFile, `channel ${name} secret`).trim() : undefined;
      return {
        async send(_to, p) {
          const body = JSON.stringify(p);
          const headers: Record<string, string> = {
            "content-type": "application/json",
            ...c.headers,
            [DELIVERY_HEADER]: p.deliveryId,
          };
          if (secret) headers[SIGNATURE_HEADER] = sign(secret, body);
          return http(c.url, { method: "POST", headers, body }, c.timeout);
        },
      };
    }
    case "email": {
      const transport = nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure: c.secure,
        requireTLS: c.requireTls,
        auth: c.user
          ? {
              user: c.user,
              pass: c.passwordFile ? readSecret(c.passwordFile, `channel ${name} password`).trim() : "",
            }
          : undefined,
        tls: c.caFile ? { ca: readFileSync(c.caFile) } : undefined,
        connectionTimeout: c.timeout,
        greetingTimeout: c.timeout,
        socketTimeout: c.timeout,
      });
      return {
        async send(to, p) {
          try {
            const info = await transport.sendMail({
              from: c.from,
              to,
              // Non-ASCII (Hindi) subjects go as UTF-8 encoded words, bodies as charset=utf-8.
              ...emailTexts(p, timeZone),
              // The same id on a resend after a crash: mail systems and readers can tell it is one message.
              messageId: `<${p.deliveryId}@station-noc>`,
              headers: { [DELIVERY_HEADER]: p.deliveryId },
            });
            return `SMTP ${info.response}`;
          } catch (e) {
            const code = (e as { responseCode?: number }).responseCode;
            if (code !== undefined && code >= 500 && code < 600)
              throw new PermanentError(`SMTP ${code}: ${(e as Error).message}`);
            throw e;
          }
        },
        close: () => transport.close(),
      };
    }
    case "sms": {
      return {
        async send(to, p) {
          // A Hindi text is its own DLT template (registered as Unicode), with its own id and length.
          const hindi = p.language === "hi" ? c.hindi : undefined;
          if (p.language === "hi" && !hindi)
            throw new PermanentError(`channel ${name} has no hindi template for a Hindi contact`);
          const words = smsWords(p);
          const message = fill(hindi?.template ?? c.template, {
            ...words,
            station: p.station ?? "",
            district: p.district ?? "",
          });
          const maxLength = hindi?.maxLength ?? c.maxLength;
          if (message.length > maxLength)
            throw new PermanentError(
              `message is ${message.length} characters; the DLT template allows ${maxLength}`,
            );
          const values = {
            to,
            message,
            dlt: (hindi ? hindi.dltTemplateId : c.dltTemplateId) ?? "",
            severity: p.severity,
            station: p.station ?? "",
            lang: hindi ? "hi" : "en",
            unicode: hindi ? "1" : "0",
          };
          const url = new URL(fill(c.url, values, true));
          for (const [k, v] of Object.entries(c.params ?? {})) url.searchParams.set(k, fill(v, values));
          const body =
            c.method === "POST" && c.body
              ? fill(c.body, c.contentType.includes("json") ? jsonValues(values) : values)
              : undefined;
          const headers = { ...(body ? { "content-type": c.contentType } : {}), ...c.headers };
          return http(url.href, { method: c.method, headers, body }, c.timeout);
        },
      };
    }
  }
}

/** Values for a JSON body template: each escaped as the inside of a JSON string. */
function jsonValues(v: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, JSON.stringify(s).slice(1, -1)]));
}
