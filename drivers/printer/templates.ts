/**
 * Slip templates built from structured data: the arrest memo (with the accused's fingerprint) and the
 * complaint receipt. Each carries a QR code with a verification payload: the case number, the time,
 * a hash of the fingerprint capture and a hash of the printed fields, so a copy can be checked against
 * CCTNS records. The fingerprint image itself never leaves the slip.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Gray } from "./bitmap.js";
import type { Block } from "./document.js";
import { decodePng, grayFromRaw } from "./image-input.js";
import { ENGLISH_SLIP_LABELS, type SlipLabels } from "./slip-labels.js";

const Text = (max: number) => z.string().trim().min(1).max(max);
const DateTime = z.iso.datetime({ offset: true });

const Station = z
  .object({ name: Text(120), code: Text(40).optional(), district: Text(80).optional() })
  .strict();
const Officer = z.object({ name: Text(80), rank: Text(40).optional(), badge: Text(20).optional() }).strict();

const FingerprintImage = z.union([
  z.object({ pngBase64: z.base64().max(4_000_000) }).strict(),
  z
    .object({
      width: z.int().min(8).max(2000),
      height: z.int().min(8).max(2000),
      grayBase64: z.base64().max(4_000_000),
    })
    .strict(),
]);

export const ArrestSlipData = z
  .object({
    station: Station,
    firNumber: Text(40),
    arrestedAt: DateTime,
    place: Text(200).optional(),
    sections: Text(200).optional(),
    accused: z
      .object({
        name: Text(120),
        nameLocal: Text(120).optional(),
        fatherName: Text(120).optional(),
        age: z.int().min(0).max(130).optional(),
        gender: z.enum(["male", "female", "transgender", "other"]).optional(),
        address: Text(300).optional(),
      })
      .strict(),
    officer: Officer,
    fingerprint: z
      .object({
        image: FingerprintImage,
        finger: Text(40).optional(),
        quality: z.number().min(0).max(100).optional(),
        /** "full" scales the print to the paper width; default prints one image pixel per dot. */
        scale: z.enum(["natural", "full"]).default("natural"),
      })
      .strict()
      .optional(),
    /** Hash the scanner reported for the capture; computed from the image when absent. */
    captureHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .strict();
export type ArrestSlipData = z.input<typeof ArrestSlipData>;

export const ComplaintReceiptData = z
  .object({
    station: Station,
    complaintNumber: Text(40),
    receivedAt: DateTime,
    complainant: z
      .object({
        name: Text(120),
        nameLocal: Text(120).optional(),
        phone: Text(20).optional(),
        address: Text(300).optional(),
      })
      .strict(),
    subject: Text(500).optional(),
    subjectLocal: Text(500).optional(),
    officer: Officer,
  })
  .strict();
export type ComplaintReceiptData = z.input<typeof ComplaintReceiptData>;

export const TEMPLATE_NAMES = ["arrest-slip", "complaint-receipt"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export class TemplateDataError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "TemplateDataError";
  }
}

function parse<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new TemplateDataError(r.error.issues.map((i) => `${i.path.join(".") || "(data)"}: ${i.message}`));
  return r.data;
}

function fingerprintGray(img: z.output<typeof FingerprintImage>): Gray {
  try {
    if ("pngBase64" in img) return decodePng(Buffer.from(img.pngBase64, "base64"));
    return grayFromRaw(img.width, img.height, Buffer.from(img.grayBase64, "base64"));
  } catch (e) {
    throw new TemplateDataError([`fingerprint.image: ${(e as Error).message}`]);
  }
}

const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");

function officerLine(o: z.output<typeof Officer>): string {
  return [o.rank, o.name, o.badge ? `(${o.badge})` : undefined].filter(Boolean).join(" ");
}

/** `CCTNS1|<station>|<kind>:<number>|<time>|FP:<sha256 or ->|D:<first 16 hex of sha256 of the fields>` */
export function verificationPayload(p: {
  station: string;
  kind: string;
  number: string;
  time: string;
  fp?: string;
  fields: unknown;
}): string {
  const digest = sha256(JSON.stringify(p.fields)).slice(0, 16);
  return `CCTNS1|${p.station}|${p.kind}:${p.number}|${p.time}|FP:${p.fp ?? "-"}|D:${digest}`;
}

function header(station: z.output<typeof Station>, title: string, titleAlt: string): Block[] {
  return [
    { kind: "text", text: station.name, align: "center", bold: true },
    ...(station.district || station.code
      ? [
          {
            kind: "text" as const,
            text: [station.district, station.code].filter(Boolean).join(" - "),
            align: "center" as const,
          },
        ]
      : []),
    { kind: "rule" },
    { kind: "text", text: title, align: "center", bold: true, size: 2 },
    ...(titleAlt
      ? [{ kind: "text" as const, text: titleAlt, align: "center" as const, optional: true }]
      : []),
    { kind: "rule" },
  ];
}

export function arrestSlip(input: unknown, l: SlipLabels = ENGLISH_SLIP_LABELS): Block[] {
  const d = parse(ArrestSlipData, input);
  const fp = d.fingerprint ? fingerprintGray(d.fingerprint.image) : undefined;
  const fpHash = d.captureHash ?? (fp ? sha256(fp.data) : undefined);
  const { fingerprint: _image, ...fields } = d;
  const a = d.accused;
  const blocks: Block[] = [
    ...header(d.station, l.arrestMemo, l.arrestMemoAlt),
    { kind: "field", label: l.firNo, value: d.firNumber },
    { kind: "field", label: l.arrested, value: formatTime(d.arrestedAt) },
    ...(d.place ? [{ kind: "field" as const, label: l.place, value: d.place }] : []),
    ...(d.sections ? [{ kind: "field" as const, label: l.sections, value: d.sections }] : []),
    { kind: "field", label: l.accused, value: a.name },
    ...(a.nameLocal
      ? [{ kind: "field" as const, label: l.nameLocal, value: a.nameLocal, optional: true }]
      : []),
    ...(a.fatherName ? [{ kind: "field" as const, label: l.fatherHusband, value: a.fatherName }] : []),
    ...(a.age !== undefined || a.gender
      ? [
          {
            kind: "field" as const,
            label: l.ageSex,
            value: [a.age, a.gender].filter((v) => v !== undefined).join(" / "),
          },
        ]
      : []),
    ...(a.address ? [{ kind: "field" as const, label: l.address, value: a.address }] : []),
    { kind: "field", label: l.arrestingOfficer, value: officerLine(d.officer) },
  ];
  if (fp && d.fingerprint) {
    const caption = [
      d.fingerprint.finger,
      d.fingerprint.quality !== undefined ? `${l.quality} ${d.fingerprint.quality}` : undefined,
    ]
      .filter(Boolean)
      .join(", ");
    blocks.push(
      { kind: "feed", dots: 12 },
      { kind: "text", text: `${l.fingerprint}${caption ? ` (${caption})` : ""}`, align: "center" },
    );
    blocks.push({
      kind: "image",
      image: fp,
      align: "center",
      ...(d.fingerprint.scale === "full" ? { width: 100_000 } : {}),
    });
  }
  const payload = verificationPayload({
    station: d.station.code ?? d.station.name,
    kind: "FIR",
    number: d.firNumber,
    time: d.arrestedAt,
    ...(fpHash ? { fp: fpHash } : {}),
    fields,
  });
  blocks.push(
    { kind: "feed", dots: 12 },
    { kind: "qr", data: payload, align: "center" },
    { kind: "text", text: l.scanToVerify, align: "center" },
    { kind: "feed", dots: 48 },
    { kind: "text", text: `${l.signatureAccused}: ____________` },
    { kind: "feed", dots: 36 },
    { kind: "text", text: `${l.signatureOfficer}: ____________` },
    { kind: "feed", dots: 24 },
    { kind: "cut" },
  );
  return blocks;
}

export function complaintReceipt(input: unknown, l: SlipLabels = ENGLISH_SLIP_LABELS): Block[] {
  const d = parse(ComplaintReceiptData, input);
  const c = d.complainant;
  const payload = verificationPayload({
    station: d.station.code ?? d.station.name,
    kind: "CMP",
    number: d.complaintNumber,
    time: d.receivedAt,
    fields: d,
  });
  return [
    ...header(d.station, l.complaintReceipt, l.complaintReceiptAlt),
    { kind: "field", label: l.complaintNo, value: d.complaintNumber },
    { kind: "field", label: l.received, value: formatTime(d.receivedAt) },
    { kind: "field", label: l.complainant, value: c.name },
    ...(c.nameLocal
      ? [{ kind: "field" as const, label: l.nameLocal, value: c.nameLocal, optional: true }]
      : []),
    ...(c.phone ? [{ kind: "field" as const, label: l.phone, value: c.phone }] : []),
    ...(c.address ? [{ kind: "field" as const, label: l.address, value: c.address }] : []),
    ...(d.subject ? [{ kind: "field" as const, label: l.subject, value: d.subject }] : []),
    ...(d.subjectLocal ? [{ kind: "text" as const, text: d.subjectLocal, optional: true }] : []),
    { kind: "field", label: l.receivedBy, value: officerLine(d.officer) },
    { kind: "feed", dots: 12 },
    { kind: "qr", data: payload, align: "center" },
    { kind: "text", text: l.keepReceipt, align: "center" },
    { kind: "feed", dots: 24 },
    { kind: "cut" },
  ];
}

export function buildTemplate(name: string, data: unknown, labels?: SlipLabels): Block[] {
  if (name === "arrest-slip") return arrestSlip(data, labels);
  if (name === "complaint-receipt") return complaintReceipt(data, labels);
  throw new TemplateDataError([`template: unknown template "${name}" (known: ${TEMPLATE_NAMES.join(", ")})`]);
}

/** The wall-clock time as written (e.g. IST +05:30), without converting to the host's zone. */
function formatTime(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) return iso;
  const zone = m[6] === "+05:30" ? "IST" : m[6] === "Z" ? "UTC" : `UTC${m[6]}`;
  return `${m[3]}-${m[2]}-${m[1]} ${m[4]}:${m[5]} ${zone}`;
}
