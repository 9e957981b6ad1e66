/**
 * Reads a message as a mail reader would, enough for the tests to check what a person sees: RFC 2047
 * encoded-word headers (a Hindi subject), multipart bodies, base64 and quoted-printable, the charset.
 */

export interface MailPart {
  type: string;
  charset: string;
  text: string;
}

export interface ReadMail {
  headers: Map<string, string>;
  subject: string;
  parts: MailPart[];
}

/** Quoted-printable bytes: =XX escapes and soft line breaks. */
function quotedPrintable(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i] as string, "utf8"));
  }
  return Buffer.from(bytes);
}

/** A header value with its encoded words decoded (adjacent words join without the space). */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
      if (!/^utf-?8$/i.test(charset)) throw new Error(`encoded word in ${charset}, not UTF-8`);
      const bytes =
        enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : quotedPrintable(text.replace(/_/g, " "));
      return bytes.toString("utf8");
    });
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, at).replace(/\r?\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(at).replace(/^\r?\n\r?\n/, "") };
}

const param = (header: string, name: string) =>
  new RegExp(`${name}="?([^";]+)"?`, "i").exec(header)?.[1] ?? "";

function parts(headers: Map<string, string>, body: string): MailPart[] {
  const type = headers.get("content-type") ?? "text/plain";
  if (/^multipart\//i.test(type)) {
    const boundary = param(type, "boundary");
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith("--"))
      .flatMap((p) => {
        const s = split(p.replace(/^\r?\n/, ""));
        return parts(s.headers, s.body);
      });
  }
  const enc = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const bytes =
    enc === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64")
      : enc === "quoted-printable"
        ? quotedPrintable(body)
        : Buffer.from(body, "utf8");
  return [
    {
      type: type.split(";")[0]!.trim().toLowerCase(),
      charset: param(type, "charset").toLowerCase(),
      text: bytes.toString("utf8"),
    },
  ];
}

export function readMail(raw: string): ReadMail {
  const { headers, body } = split(raw);
  return { headers, subject: decodeWords(headers.get("subject") ?? ""), parts: parts(headers, body) };
}
