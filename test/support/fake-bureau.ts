/**
 * A fingerprint bureau's intake for tests: a real HTTPS server (node:https) with its own test CA, mutual
 * TLS when asked, answers scripted per request (500, hang, 200...), and the bureau's age identity, so a
 * test decrypts what arrived with the real `age` binary as the bureau would.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type BureauAnswer = number | "hang";

export interface Arrival {
  tcn: string;
  station: string;
  sha256: string;
  body: Buffer;
  clientCertSubject?: string;
}

export class FakeBureau {
  readonly dir = mkdtempSync(join(tmpdir(), "bureau-"));
  readonly arrivals: Arrival[] = [];
  /** Answers for the next requests, in order; 201 with a receipt once they run out. */
  readonly script: BureauAnswer[] = [];
  requests = 0;
  port = 0;
  recipient = "";
  private server?: Server;
  private readonly hanging: ServerResponse[] = [];

  /** CA, server certificate for 127.0.0.1, a client certificate, and the bureau's age key pair. */
  constructor(readonly mutualTls: boolean) {
    const d = this.dir;
    const ssl = (args: string[]) => execFileSync("openssl", args, { cwd: d, stdio: "pipe" });
    ssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Test Bureau CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    ]);
    for (const [name, subject, ext] of [
      ["server", "/CN=bureau.test", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"],
      ["client", "/CN=station-PS0042", "extendedKeyUsage=clientAuth"],
    ] as const) {
      ssl([
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        subject,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      ]);
      writeFileSync(join(d, `${name}.ext`), `${ext}\n`);
      ssl([
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
        "-out",
        `${name}.pem`,
      ]);
    }
    execFileSync("chmod", ["600", join(d, "client.key")]);
    execFileSync("age-keygen", ["-o", join(d, "bureau.agekey")], { stdio: "pipe" });
    this.recipient = execFileSync("age-keygen", ["-y", join(d, "bureau.agekey")])
      .toString()
      .trim();
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}/intake`;
  }

  file(name: "ca.pem" | "client.pem" | "client.key"): string {
    return join(this.dir, name);
  }

  async start(port = 0): Promise<this> {
    this.server = createServer(
      {
        key: readFileSync(join(this.dir, "server.key")),
        cert: readFileSync(join(this.dir, "server.pem")),
        ca: readFileSync(join(this.dir, "ca.pem")),
        requestCert: this.mutualTls,
        rejectUnauthorized: this.mutualTls,
      },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", () => r()));
    const a = this.server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const answer = this.script.shift() ?? 201;
    if (answer === "hang") {
      this.hanging.push(res);
      return;
    }
    if (answer >= 200 && answer < 300) {
      const cert = (req.socket as import("node:tls").TLSSocket).getPeerCertificate?.();
      this.arrivals.push({
        tcn: String(req.headers["x-booking-tcn"]),
        station: String(req.headers["x-station"]),
        sha256: String(req.headers["x-booking-sha256"]),
        body: Buffer.concat(chunks),
        ...(cert?.subject?.CN ? { clientCertSubject: String(cert.subject.CN) } : {}),
      });
      res.writeHead(answer, { "content-type": "application/json" });
      res.end(JSON.stringify({ receipt: `R-${this.arrivals.length}`, tcn: req.headers["x-booking-tcn"] }));
      return;
    }
    res.writeHead(answer, { "content-type": "text/plain" });
    res.end("intake unavailable");
  }

  /** What the bureau does with an arrival: `age -d` with its identity. */
  decrypt(body: Buffer): Buffer {
    const enc = join(this.dir, "in.age");
    writeFileSync(enc, body);
    return execFileSync("age", ["-d", "-i", join(this.dir, "bureau.agekey"), enc]);
  }

  async stop(): Promise<void> {
    for (const r of this.hanging.splice(0)) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
