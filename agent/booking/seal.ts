/**
 * Sealing: the finished ANSI/NIST-ITL transaction is encrypted at once to the bureau's age X25519
 * recipient, so the plaintext record exists only in memory; only the bureau's secret key opens it (with
 * the standard `age` tool). age-encryption is loaded on first use: most days a station seals nothing.
 */
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import type { Position } from "./plan.js";
import type { SessionState } from "./session-store.js";

export interface RecordInput {
  tcn: string;
  /** When the record was sealed: Type-1 DAT and Type-2 DPR. */
  sealedAt: Date;
  session: SessionState;
  images: ReadonlyMap<Position, GrayImage>;
  /** The face photo's JPEG bytes, for Type-10. */
  photo?: Uint8Array;
}

/** Builds the ANSI/NIST-ITL transaction (Type-1, Type-2, one Type-14 per impression). */
export type BuildRecord = (input: RecordInput) => Promise<Buffer> | Buffer;

export class SealingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SealingError";
  }
}

export async function encryptToRecipient(
  plain: Uint8Array,
  recipient: string | undefined,
): Promise<Uint8Array> {
  if (!recipient) {
    throw new SealingError(
      "booking.bureau.recipient is not set: the bureau's age public key is needed to seal a record",
    );
  }
  const { Encrypter } = await import("age-encryption");
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return encrypter.encrypt(plain);
}

/** TCN: unique per transaction and meaningful to a person reading the bureau's queue. */
export function transactionControlNumber(ori: string, id: string, sealedAt: Date): string {
  const stamp = sealedAt.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${ori}-${stamp}-${id.slice(3, 11)}`;
}
