/**
 * UIDAI RD Service health probe: `RDSERVICE /` (discovery) and `DEVICEINFO <path>` on 127.0.0.1, ports
 * 11100-11120. Health reporting only: its CAPTURE output is encrypted for UIDAI and useless here.
 * Facts: shared/protocols.md §5.1. Interfaces are found by id, never by position.
 */
import { request } from "node:http";

export const RD_PORTS: readonly number[] = Array.from({ length: 21 }, (_, i) => 11100 + i);

export interface RdDeviceInfo {
  dpId?: string;
  rdsId?: string;
  rdsVer?: string;
  /** Model id, e.g. MFS100. */
  mi?: string;
  /** Device code, unique per device. */
  dc?: string;
  serialNumber?: string;
}

export interface RdServiceStatus {
  port: number;
  /** READY, NOTREADY, or whatever the service says. */
  status: string;
  info?: string;
  interfaces: Record<string, string>;
  device?: RdDeviceInfo;
}

export interface RdProbeOptions {
  host?: string;
  ports?: readonly number[];
  timeoutMs?: number;
}

/** The first port (in order) that answers RDSERVICE with an RDService document, or null if none does. */
export async function probeRdService(options: RdProbeOptions = {}): Promise<RdServiceStatus | null> {
  const host = options.host ?? "127.0.0.1";
  const timeoutMs = options.timeoutMs ?? 1000;
  const answers = await Promise.all(
    (options.ports ?? RD_PORTS).map(async (port) => {
      const body = await rdRequest(host, port, "RDSERVICE", "/", timeoutMs).catch(() => null);
      return body === null ? null : parseRdService(body, port);
    }),
  );
  const found = answers.find((a): a is RdServiceStatus => a !== null);
  if (!found) return null;
  const infoPath = found.interfaces["DEVICEINFO"] ?? found.interfaces["INFO"];
  if (infoPath) {
    const body = await rdRequest(host, found.port, "DEVICEINFO", infoPath, timeoutMs).catch(() => null);
    const device = body === null ? undefined : parseDeviceInfo(body);
    if (device) found.device = device;
  }
  return found;
}

export function parseRdService(xml: string, port: number): RdServiceStatus | null {
  const tag = firstTag(xml, "RDService");
  if (!tag) return null;
  const attrs = attributes(tag);
  const interfaces: Record<string, string> = {};
  for (const m of xml.matchAll(/<Interface\b[^>]*>/g)) {
    const a = attributes(m[0]);
    if (a["id"] && a["path"]) interfaces[a["id"].toUpperCase()] = a["path"];
  }
  return {
    port,
    status: (attrs["status"] ?? "UNKNOWN").toUpperCase(),
    ...(attrs["info"] ? { info: attrs["info"] } : {}),
    interfaces,
  };
}

export function parseDeviceInfo(xml: string): RdDeviceInfo | null {
  const tag = firstTag(xml, "DeviceInfo");
  if (!tag) return null;
  const a = attributes(tag);
  const info: RdDeviceInfo = {};
  for (const key of ["dpId", "rdsId", "rdsVer", "mi", "dc"] as const) if (a[key]) info[key] = a[key];
  for (const m of xml.matchAll(/<Param\b[^>]*>/g)) {
    const p = attributes(m[0]);
    if (p["name"] === "srno" && p["value"]) info.serialNumber = p["value"];
  }
  return info;
}

function firstTag(xml: string, name: string): string | null {
  return new RegExp(`<${name}\\b[^>]*>`, "i").exec(xml)?.[0] ?? null;
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? "");
  }
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!,
  );
}

/** RD services use custom HTTP verbs (RDSERVICE, DEVICEINFO), which node:http sends as given. */
function rdRequest(
  host: string,
  port: number,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > 1_000_000) req.destroy(new Error("reply too large"));
        else chunks.push(c);
      });
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString("utf8"))
          : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
