/** Test certificate authorities made with the real openssl: a CA and one server certificate it signs. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  /** The CA's certificate: what a client trusts. */
  ca: string;
  caKey: string;
  /** A server certificate signed by the CA, and its key. */
  cert: string;
  key: string;
}

/**
 * Writes a P-256 CA and a server certificate for `sans` (openssl subjectAltName entries) into `dir`,
 * valid for two days. Everything is world-readable: Mosquitto started as root reads them as its own
 * user. Test-only keys; never use them for anything else.
 */
export function makeTestCa(dir: string, opts: { name?: string; sans?: string[] } = {}): TestCa {
  const name = opts.name ?? "station-agent-test-ca";
  const sans = opts.sans ?? ["DNS:localhost", "IP:127.0.0.1"];
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", `/CN=${name}`);
  ssl(
    "req",
    ...ec,
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    `/CN=${sans[0]!.replace(/^\w+:/, "")}`,
  );
  writeFileSync(join(dir, "san.ext"), `subjectAltName=${sans.join(",")}\n`);
  ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  chmodSync(dir, 0o755);
  for (const f of ["ca.pem", "ca.key", "server.pem", "server.key"]) chmodSync(join(dir, f), 0o644);
  return {
    ca: join(dir, "ca.pem"),
    caKey: join(dir, "ca.key"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server.key"),
  };
}
