import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { canonicalCommand } from "../../contract/index.js";

/** Loads the NOC's Ed25519 public key (PEM). Throws with a clear message on anything else. */
export function loadNocPublicKey(pemOrPath: string): KeyObject {
  const pem = pemOrPath.includes("-----BEGIN") ? pemOrPath : readFileSync(pemOrPath, "utf8");
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`NOC public key must be Ed25519, got ${key.asymmetricKeyType ?? "unknown"}`);
  }
  return key;
}

export function verifyCommandSignature(
  key: KeyObject,
  station: string,
  name: string,
  request: { id: string; issuedAt: string; args?: unknown; sig?: string },
): boolean {
  if (!request.sig) return false;
  const sig = Buffer.from(request.sig, "base64");
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(canonicalCommand(station, name, request)), key, sig);
  } catch {
    return false;
  }
}
