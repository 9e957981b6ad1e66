/**
 * The per-station key that protects unsealed bookings at rest (partial images and the arrested person's
 * details): AES-256-GCM, a random 12-byte nonce per file, and the file's role as associated data, so a
 * file copied under another name (another session, another finger) fails authentication instead of
 * being read as something it is not.
 *
 * The key is 32 random bytes in a 0600 file in the state dir. Losing it loses unsealed sessions only;
 * sealed records are encrypted to the bureau's age key and do not depend on it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { writeFileDurably } from "./durable-file.js";

const MAGIC = Buffer.from("SAB1", "latin1");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class StationKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StationKeyError";
  }
}

export class StationKey {
  private constructor(private readonly key: Buffer) {}

  /** Reads the key file, creating it on first use. Refuses a key file others can read. */
  static loadOrCreate(file: string): StationKey {
    if (!existsSync(file)) {
      writeFileDurably(file, randomBytes(KEY_BYTES), 0o600);
    }
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new StationKeyError(
        `${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`,
      );
    }
    const key = readFileSync(file);
    if (key.length !== KEY_BYTES) {
      throw new StationKeyError(`${file} holds ${key.length} bytes, a station key is ${KEY_BYTES}`);
    }
    return new StationKey(key);
  }

  static fromBytes(key: Uint8Array): StationKey {
    if (key.length !== KEY_BYTES) throw new StationKeyError(`a station key is ${KEY_BYTES} bytes`);
    return new StationKey(Buffer.from(key));
  }

  /** `role` names what the bytes are (e.g. `session:ID:state`); the same role must be given to open. */
  seal(plain: Uint8Array, role: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.concat([MAGIC, Buffer.from(role, "utf8")]));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Uint8Array, role: string): Buffer {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (buf.length < MAGIC.length + NONCE_BYTES + TAG_BYTES || !buf.subarray(0, 4).equals(MAGIC)) {
      throw new StationKeyError(`not a station-key file (${role})`);
    }
    const nonce = buf.subarray(4, 4 + NONCE_BYTES);
    const tag = buf.subarray(buf.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, nonce);
    decipher.setAAD(Buffer.concat([MAGIC, Buffer.from(role, "utf8")]));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(buf.subarray(4 + NONCE_BYTES, buf.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new StationKeyError(
        `${role} does not open with this station's key (changed key or damaged file)`,
      );
    }
  }
}
