/**
 * A decoded transaction as lines a person reads (`booking show FILE.an2`, bureau staff checking a
 * record): every field, named, images as their size only. No Intl: the agent daemon avoids ICU.
 * It prints the Type-2 values, names included, so its output is for the operator's terminal only,
 * never for logs or MQTT.
 */
import type { An2kValue, DecodedAn2k } from "./types.js";

const EDITIONS: Record<string, string> = {
  "0400": "ANSI/NIST-ITL 1-2007",
  "0500": "ANSI/NIST-ITL 1-2011",
  "0501": "ANSI/NIST-ITL 1-2011 Update 2013",
  "0502": "ANSI/NIST-ITL 1-2011 Update 2015",
};

export const FINGER_NAMES: Readonly<Record<number, string>> = {
  0: "unknown finger",
  1: "right thumb",
  2: "right index",
  3: "right middle",
  4: "right ring",
  5: "right little",
  6: "left thumb",
  7: "left index",
  8: "left middle",
  9: "left ring",
  10: "left little",
  11: "plain right thumb",
  12: "plain left thumb",
  13: "right four (slap)",
  14: "left four (slap)",
  15: "both thumbs (slap)",
};

const IMPRESSIONS: Record<number, string> = {
  0: "live-scan plain",
  1: "live-scan rolled",
  2: "non-live-scan plain",
  3: "non-live-scan rolled",
};

const AMP: Record<string, string> = { XX: "amputated", UP: "unable to print" };

export function describeTransaction(tx: DecodedAn2k, totalBytes?: number): string[] {
  const recordCount = 2 + tx.fingerprints.length + (tx.faces?.length ?? 0) + tx.otherRecords.length;
  const h = tx.header;
  const lines = [
    `${EDITIONS[tx.edition] ?? "ANSI/NIST-ITL"} (VER ${tx.edition}), ${recordCount} records${totalBytes === undefined ? "" : `, ${grouped(totalBytes)} bytes`}`,
    `Type-1   TOT ${h.transactionType}  DAT ${h.date}${h.priority ? `  PRY ${h.priority}` : ""}  DAI ${h.destinationAgency}  ORI ${h.originatingAgency}  TCN ${h.controlNumber}${h.gmt ? `  GMT ${h.gmt}` : ""}  NSR ${tx.nativeResolution}`,
  ];
  if (tx.characterSets.length)
    lines.push(`         DCS ${tx.characterSets.map((c) => `${c.index} ${c.name}`).join(", ")}`);
  lines.push("Type-2");
  for (const f of tx.descriptive.fields)
    lines.push(`         2.${String(f.tag).padStart(3, "0")}  ${value(f.value)}`);
  tx.fingerprints.forEach((fp, i) => {
    const positions = fp.positions.map((p) => `${p} ${FINGER_NAMES[p] ?? "?"}`).join(", ");
    lines.push(
      `Type-14  #${i + 1}  FGP ${positions}  IMP ${fp.impression} ${IMPRESSIONS[fp.impression] ?? ""}`.trimEnd(),
      `         ${fp.compression} ${fp.width}×${fp.height} at ${fp.horizontalPixelScale}${fp.scaleUnits === 1 ? " ppi" : fp.scaleUnits === 2 ? " ppcm" : ""}, ${grouped(fp.image.length)} bytes, captured ${fp.captureDate} by ${fp.sourceAgency}`,
    );
    if (fp.nistQuality?.length)
      lines.push(`         NQM ${fp.nistQuality.map((q) => `${q.position}: ${q.score}`).join(", ")}`);
    for (const s of fp.segments ?? [])
      lines.push(
        `         SEG ${s.position} ${FINGER_NAMES[s.position] ?? ""}: x ${s.left}-${s.right}, y ${s.top}-${s.bottom}`,
      );
    for (const a of fp.amputations ?? [])
      lines.push(`         AMP ${a.position} ${FINGER_NAMES[a.position] ?? ""}: ${AMP[a.code]}`);
    if (fp.comment) lines.push(`         COM ${fp.comment}`);
    if (fp.monitoringMode) lines.push(`         DMM ${fp.monitoringMode}`);
    if (fp.captureDevice)
      lines.push(
        `         MMS ${fp.captureDevice.make} ${fp.captureDevice.model} ${fp.captureDevice.serialNumber}`,
      );
  });
  for (const face of tx.faces ?? [])
    lines.push(
      `Type-10  FACE ${face.compression} ${face.width}×${face.height} ${face.colorSpace}, ${grouped(face.image.length)} bytes, taken ${face.photoDate}`,
    );
  for (const r of tx.otherRecords) lines.push(`Type-${r.type}  IDC ${r.idc} (not interpreted)`);
  for (const u of tx.unmodelledFields)
    lines.push(`         also ${u.type}.${String(u.tag).padStart(3, "0")}  ${value(u.value)}`);
  return lines;
}

function value(v: An2kValue): string {
  return v.map((sub) => sub.join(" | ")).join(" ; ");
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
