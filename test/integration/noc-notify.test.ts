/**
 * The notification outbox and its channels against real receivers: a webhook with an HMAC-SHA256
 * signature, email over STARTTLS to a real SMTP server (smtp-server, in its own process, killed for an
 * outage and started again), SMS through a fake HTTP gateway filled from the template. Nothing is lost
 * across the outage, and a dispatcher started again on the same store sends nothing twice. A contact
 * with `language: hi` gets Hindi mail (UTF-8 subject and bodies) and a Unicode SMS on the Hindi template.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { emptyAlertWrite, type AlertRow } from "../../noc/alerts/model.js";
import { Notices } from "../../noc/alerts/notices.js";
import { parseAlerts, type AlertsConfig } from "../../noc/alerts/rules.js";
import { Dispatcher } from "../../noc/notify/dispatcher.js";
import { SqliteStorage } from "../../noc/storage/index.js";
import { readMail } from "../support/mime.js";
import { eventually, freePort } from "../support/mosquitto.js";

const dir = mkdtempSync(join(tmpdir(), "noc-notify-"));
const log = pino({ level: "silent" });
const SINK = fileURLToPath(new URL("../support/smtp-sink.ts", import.meta.url));

interface Mail {
  to: string[];
  tls: boolean;
  raw: string;
}
const mails: Mail[] = [];
const hooks: { headers: IncomingMessage["headers"]; body: string }[] = [];
const sms: { url: string; body: string }[] = [];
let smtpPort = 0;
let smtp: ChildProcess | undefined;
let http: Server;
let httpPort = 0;

async function startSmtp(): Promise<void> {
  const p = spawn(
    process.execPath,
    ["--import", "tsx", SINK, String(smtpPort), join(dir, "key.pem"), join(dir, "cert.pem")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  smtp = p;
  await new Promise<void>((resolve, reject) => {
    p.once("exit", (c) => reject(new Error(`smtp sink exited ${c}`)));
    createInterface({ input: p.stdout }).on("line", (line) => {
      const m = JSON.parse(line) as Mail | { listening: number };
      if ("listening" in m) resolve();
      else mails.push(m);
    });
  });
}

beforeAll(async () => {
  const r = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
  ]);
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr.toString()}`);
  writeFileSync(join(dir, "hook.secret"), "s3cret\n", { mode: 0o600 });
  smtpPort = await freePort();
  await startSmtp();
  httpPort = await freePort();
  http = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.url?.startsWith("/hook")) hooks.push({ headers: req.headers, body });
      else sms.push({ url: req.url ?? "", body });
      res.writeHead(req.url?.includes("reject") ? 400 : 200).end("ok");
    });
  });
  await new Promise<void>((resolve) => http.listen(httpPort, "127.0.0.1", resolve));
}, 60_000);

afterAll(async () => {
  smtp?.kill("SIGKILL");
  http.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(): AlertsConfig {
  return parseAlerts(
    `
dashboardUrl: https://noc.example/
retry: { first: 0.2, max: 1 }
channels:
  hook: { type: webhook, url: "http://127.0.0.1:${httpPort}/hook", secretFile: ${join(dir, "hook.secret")} }
  mail: { type: email, host: 127.0.0.1, port: ${smtpPort}, requireTls: true, caFile: ${join(dir, "cert.pem")}, from: "NOC <noc@example.in>", timeout: 3s }
  sms:
    type: sms
    url: "http://127.0.0.1:${httpPort}/sms?dlt={dlt}"
    method: POST
    params: { sender: CCTNSN }
    body: '{"to":"{to}","text":"{message}","template_id":"{dlt}"}'
    dltTemplateId: "1107160000000012345"
    template: "CCTNS NOC {severity}: {title}"
contacts:
  - { name: all, minSeverity: info, targets: [{ channel: hook }, { channel: mail, to: it.pune@example.in }, { channel: sms, to: "+919800000001" }] }
`,
    "notify.yaml",
  );
}

function alert(n: number): AlertRow {
  const now = Date.now();
  return {
    id: `alert-${n}`,
    key: `dark:PS-${n}`,
    rule: "dark",
    kind: "station-dark",
    severity: "critical",
    state: "firing",
    station: `PS-${n}`,
    district: "Pune",
    title: `PS-${n} dark (network) <b>`,
    startedAt: now,
    firedAt: now,
    updatedAt: now,
    level: 0,
  };
}

it("sends webhook, email and SMS; an SMTP outage delays mail without losing it; no repeats", async () => {
  const storage = new SqliteStorage(join(dir, "noc.db"));
  await storage.init();
  const c = config();
  const notices = new Notices(() => c);
  const w = emptyAlertWrite();
  const a1 = alert(1);
  w.alerts.push(a1);
  expect(notices.enqueue(a1, Date.now(), "fire", 0, w)).toBe(3);
  await storage.writeAlerts(w);

  const d = new Dispatcher(storage, log);
  d.setConfig(c);
  await d.tick();
  // The sink prints the message before it accepts it, but the line reaches us through a pipe.
  await eventually(() => mails.length === 1, 10_000);
  const mail = mails[0]!;
  expect(mail.to).toEqual(["it.pune@example.in"]);
  expect(mail.tls).toBe(true); // STARTTLS happened
  expect(mail.raw).toMatch(/Subject: \[CRITICAL\] PS-1 dark \(network\) <b>/);
  expect(mail.raw).toContain("text/plain");
  expect(mail.raw).toContain("text/html");
  expect(mail.raw).toContain("https://noc.example/#/station/PS-1");
  expect(mail.raw).toContain("&#60;b&#62;"); // the title is escaped in the HTML part

  expect(hooks).toHaveLength(1);
  const hook = hooks[0]!;
  const expected = `sha256=${createHmac("sha256", "s3cret").update(hook.body).digest("hex")}`;
  expect(hook.headers["x-station-noc-signature"]).toBe(expected);
  expect(JSON.parse(hook.body)).toMatchObject({ alertId: "alert-1", severity: "critical", station: "PS-1" });

  expect(sms).toHaveLength(1);
  expect(sms[0]!.url).toBe("/sms?dlt=1107160000000012345&sender=CCTNSN");
  expect(JSON.parse(sms[0]!.body)).toEqual({
    to: "+919800000001",
    text: "CCTNS NOC CRITICAL: PS-1 dark (network) <b>",
    template_id: "1107160000000012345",
  });
  const history = await storage.alertEvents("alert-1");
  expect(history.filter((e) => e.action === "sent")).toHaveLength(3);

  // Mail server outage: killed. The next alert's mail fails, is retried, and waits.
  smtp!.kill("SIGKILL");
  await new Promise((r) => smtp!.once("exit", r));
  const w2 = emptyAlertWrite();
  const a2 = alert(2);
  notices.enqueue(a2, Date.now(), "fire", 0, w2);
  await storage.writeAlerts(w2);
  await d.tick();
  await new Promise((r) => setTimeout(r, 300));
  await d.tick();
  expect(mails).toHaveLength(1);
  expect(hooks).toHaveLength(2);
  const retries = (await storage.alertEvents("alert-2")).filter((e) => e.action === "send-retry");
  expect(retries.length).toBeGreaterThanOrEqual(1);
  expect(retries[0]?.detail).toMatch(/via mail to it\.pune@example\.in failed \(attempt 1\)/);

  // The NOC restarts (a new dispatcher on the same store) and the mail server comes back.
  d.close();
  await storage.close();
  const storage2 = new SqliteStorage(join(dir, "noc.db"));
  await storage2.init();
  const d2 = new Dispatcher(storage2, log);
  d2.setConfig(c);
  await startSmtp();
  await eventually(async () => {
    await d2.tick();
    return mails.length === 2;
  }, 20_000);
  expect(mails[1]!.raw).toContain("PS-2 dark");
  // Nothing went out twice: one webhook and one SMS per alert, one mail per alert.
  await d2.tick();
  expect(hooks).toHaveLength(2);
  expect(sms).toHaveLength(2);
  expect(mails).toHaveLength(2);
  expect(await storage2.dueOutbox(Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
  d2.close();
  await storage2.close();
}, 60_000);

it("a gateway that refuses a message (HTTP 400) is not retried; the result is on the alert", async () => {
  const storage = new SqliteStorage(join(dir, "noc2.db"));
  await storage.init();
  const c = config();
  const ch = c.channels.hook;
  if (ch?.type === "webhook") ch.url = `http://127.0.0.1:${httpPort}/hook/reject`;
  const w = emptyAlertWrite();
  const a = alert(3);
  new Notices(() => ({
    ...c,
    contacts: [{ name: "h", minSeverity: "info", language: "en", targets: [{ channel: "hook" }] }],
  })).enqueue(a, Date.now(), "fire", 0, w);
  await storage.writeAlerts(w);
  const d = new Dispatcher(storage, log);
  d.setConfig(c);
  await d.tick();
  const events = await storage.alertEvents("alert-3");
  expect(events.map((e) => e.action)).toEqual(["failed"]);
  expect(events[0]?.detail).toMatch(/HTTP 400/);
  expect(await storage.dueOutbox(Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
  d.close();
  await storage.close();
});

it("tells a language: hi contact in Hindi: UTF-8 mail, Unicode SMS on the Hindi DLT template", async () => {
  const storage = new SqliteStorage(join(dir, "noc-hi.db"));
  await storage.init();
  const c = parseAlerts(
    `
dashboardUrl: https://noc.example/
channels:
  mail: { type: email, host: 127.0.0.1, port: ${smtpPort}, requireTls: true, caFile: ${join(dir, "cert.pem")}, from: "NOC <noc@example.in>", timeout: 3s }
  sms:
    type: sms
    url: "http://127.0.0.1:${httpPort}/sms?dlt={dlt}&unicode={unicode}"
    body: '{"to":"{to}","text":"{message}","template_id":"{dlt}"}'
    dltTemplateId: "1107160000000012345"
    template: "CCTNS NOC {severity}: {title}"
    hindi: { template: "CCTNS NOC {severity}: {title}", dltTemplateId: "1107160000000067890" }
contacts:
  - name: sp-pune
    language: hi
    minSeverity: info
    targets: [{ channel: mail, to: sp.pune@example.in }, { channel: sms, to: "+919800000009" }]
`,
    "notify-hi.yaml",
  );
  const mailsBefore = mails.length;
  const smsBefore = sms.length;
  const a = { ...alert(7), startedAt: Date.parse("2025-01-15T04:30:00Z") };
  const w = emptyAlertWrite();
  w.alerts.push(a);
  expect(new Notices(() => c).enqueue(a, Date.now(), "fire", 0, w)).toBe(2);
  await storage.writeAlerts(w);
  const d = new Dispatcher(storage, log, Date.now, "Asia/Kolkata");
  d.setConfig(c);
  await d.tick();
  await eventually(() => mails.length === mailsBefore + 1, 10_000);

  const raw = mails[mailsBefore]!.raw;
  // On the wire the Hindi is encoded (7-bit safe); a reader decodes it back.
  expect(raw).not.toContain("संपर्क");
  expect(raw).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);
  const mail = readMail(raw);
  expect(mail.subject).toBe("[गंभीर] थाना PS-7 संपर्क से बाहर");
  const plain = mail.parts.find((p) => p.type === "text/plain")!;
  const html = mail.parts.find((p) => p.type === "text/html")!;
  expect(plain.charset).toBe("utf-8");
  expect(html.charset).toBe("utf-8");
  expect(plain.text).toContain("गंभीरता: गंभीर");
  expect(plain.text).toContain("ज़िला: Pune");
  // 04:30 UTC is 10:00 in the stations' zone, digits 0-9.
  expect(plain.text).toMatch(/कब से: 15 जन॰ 2025, 10:00$/m);
  expect(plain.text).toContain("विवरण (अंग्रेज़ी में): PS-7 dark (network) <b>");
  expect(plain.text).toContain("खोलें: https://noc.example/#/station/PS-7");
  expect(html.text).toContain('<html lang="hi">');
  expect(html.text).toContain("NOC डैशबोर्ड में खोलें");
  expect(html.text).toContain("&#60;b&#62;");

  expect(sms.length).toBe(smsBefore + 1);
  const text = sms[smsBefore]!;
  expect(text.url).toBe("/sms?dlt=1107160000000067890&unicode=1");
  expect(JSON.parse(text.body)).toEqual({
    to: "+919800000009",
    text: "CCTNS NOC गंभीर: थाना PS-7 संपर्क से बाहर",
    template_id: "1107160000000067890",
  });

  // The resolve notice finds the contact's language again from the recipient.
  const w2 = emptyAlertWrite();
  expect(a.notified).toEqual(["mail sp.pune@example.in", "sms +919800000009"]);
  new Notices(() => c).resolved(a, Date.now(), w2);
  await storage.writeAlerts(w2);
  await d.tick();
  await eventually(() => sms.length === smsBefore + 2 && mails.length === mailsBefore + 2, 10_000);
  expect(JSON.parse(sms[smsBefore + 1]!.body).text).toBe("CCTNS NOC गंभीर: सुलझा: थाना PS-7 संपर्क से बाहर");
  expect(readMail(mails[mailsBefore + 1]!.raw).subject).toBe("[सुलझा] थाना PS-7 संपर्क से बाहर");
  d.close();
  await storage.close();
}, 30_000);

it("refuses a rules file whose Hindi contact has an SMS channel without a Hindi template", () => {
  expect(() =>
    parseAlerts(
      `
channels:
  sms: { type: sms, url: "http://127.0.0.1:1/sms", template: "{title}" }
contacts:
  - { name: sp, language: hi, targets: [{ channel: sms, to: "+919800000009" }] }
`,
      "bad.yaml",
    ),
  ).toThrow(/contacts\.0\.targets\.0\.channel: sms channel sms has no "hindi" template/);
  expect(() =>
    parseAlerts(
      `
channels:
  sms: { type: sms, url: "http://127.0.0.1:1/sms", dltTemplateId: "1", hindi: { template: "{title}" } }
`,
      "bad.yaml",
    ),
  ).toThrow(/channels\.sms\.hindi\.dltTemplateId: a Hindi text is its own DLT template/);
  expect(() =>
    parseAlerts(`contacts: [{ name: x, language: fr, targets: [{ channel: a }] }]`, "bad.yaml"),
  ).toThrow(/contacts\.0\.language/);
});
