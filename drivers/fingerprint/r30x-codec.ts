/**
 * The R30x / AS608 / ZFM / R503 UART ("SYNO") packet codec. Pure: bytes in, values out, no I/O, no timers.
 * Facts: ZFM-20 user manual ch. 4-6 and the R503 manual, as summarised in shared/protocols.md §1.
 */

export const HEADER_0 = 0xef;
export const HEADER_1 = 0x01;
/** Header(2) + address(4) + PID(1) + length(2). */
export const PREFIX_BYTES = 9;
/** Bytes a packet adds around its content: prefix plus the 2-byte checksum. */
export const PACKET_OVERHEAD = PREFIX_BYTES + 2;
export const DEFAULT_ADDRESS = 0xffffffff;
export const DEFAULT_PASSWORD = 0x00000000;
/** The R503 manual caps the length field at 256; a little slack tolerates vendor variants. */
export const MAX_CONTENT_BYTES = 512;
/** R503 power-on / SoftReset "handshake sign", sent raw, outside any packet. */
export const R503_READY_BYTE = 0x55;

export const Pid = {
  Command: 0x01,
  Data: 0x02,
  Ack: 0x07,
  End: 0x08,
} as const;
export type Pid = (typeof Pid)[keyof typeof Pid];
const PIDS = new Set<number>(Object.values(Pid));
export function isPid(value: number): value is Pid {
  return PIDS.has(value);
}

/** Instruction codes the driver and the emulator use (datasheet names, not pyfingerprint's swapped ones). */
export const Instruction = {
  GenImg: 0x01,
  Img2Tz: 0x02,
  UpImage: 0x0a,
  DownImage: 0x0b,
  SetSysPara: 0x0e,
  ReadSysPara: 0x0f,
  VfyPwd: 0x13,
  TemplateNum: 0x1d,
  AuraLedConfig: 0x35,
  CheckSensor: 0x36,
  SoftReset: 0x3d,
  HandShake: 0x40,
} as const;
export type Instruction = (typeof Instruction)[keyof typeof Instruction];

export interface Packet {
  address: number;
  pid: number;
  /** Command: instruction + parameters. Ack: confirmation code + return values. Data: raw bytes. */
  content: Buffer;
}

/** `(PID + LEN_hi + LEN_lo + Σ content) & 0xFFFF`, where LEN = content + 2. */
export function checksum(pid: number, content: Uint8Array): number {
  const length = content.length + 2;
  let sum = pid + (length >> 8) + (length & 0xff);
  for (const byte of content) sum += byte;
  return sum & 0xffff;
}

export function encodePacket(packet: Packet): Buffer {
  const { address, pid, content } = packet;
  if (content.length > MAX_CONTENT_BYTES)
    throw new RangeError(`packet content of ${content.length} bytes is too long`);
  const out = Buffer.alloc(PACKET_OVERHEAD + content.length);
  out[0] = HEADER_0;
  out[1] = HEADER_1;
  out.writeUInt32BE(address >>> 0, 2);
  out[6] = pid;
  out.writeUInt16BE(content.length + 2, 7);
  Buffer.from(content).copy(out, PREFIX_BYTES);
  out.writeUInt16BE(checksum(pid, content), PREFIX_BYTES + content.length);
  return out;
}

export function encodeCommand(content: Uint8Array, address = DEFAULT_ADDRESS): Buffer {
  return encodePacket({ address, pid: Pid.Command, content: Buffer.from(content) });
}

/** Command contents (instruction + parameters) for every instruction the driver sends. */
export const Command = {
  genImg: (): Buffer => Buffer.from([Instruction.GenImg]),
  upImage: (): Buffer => Buffer.from([Instruction.UpImage]),
  readSysPara: (): Buffer => Buffer.from([Instruction.ReadSysPara]),
  templateNum: (): Buffer => Buffer.from([Instruction.TemplateNum]),
  handShake: (): Buffer => Buffer.from([Instruction.HandShake]),
  checkSensor: (): Buffer => Buffer.from([Instruction.CheckSensor]),
  softReset: (): Buffer => Buffer.from([Instruction.SoftReset]),
  verifyPassword(password: number): Buffer {
    const b = Buffer.alloc(5);
    b[0] = Instruction.VfyPwd;
    b.writeUInt32BE(password >>> 0, 1);
    return b;
  },
  setSysPara: (param: number, value: number): Buffer => Buffer.from([Instruction.SetSysPara, param, value]),
  setBaudRate: (baud: number): Buffer => Command.setSysPara(SysParam.Baud, baudMultiplier(baud)),
  setPacketSize: (bytes: number): Buffer => Command.setSysPara(SysParam.PacketSize, packetSizeCode(bytes)),
  auraLed(control: LedControl, speed: number, color: LedColor, count: number): Buffer {
    return Buffer.from([Instruction.AuraLedConfig, control, speed & 0xff, color, count & 0xff]);
  },
};

export const SysParam = { Baud: 4, SecurityLevel: 5, PacketSize: 6 } as const;
export const PACKET_SIZES = [32, 64, 128, 256] as const;
export type PacketSize = (typeof PACKET_SIZES)[number];

export function packetSizeCode(bytes: number): number {
  const code = PACKET_SIZES.indexOf(bytes as PacketSize);
  if (code < 0) throw new RangeError(`packet size ${bytes} is not one of ${PACKET_SIZES.join(", ")}`);
  return code;
}

/** The rate is 9600 × N; ZFM-20 allows N = 1..12 (the R503 manual lists only 1, 2, 4, 6, 12). */
export function baudMultiplier(baud: number): number {
  const n = baud / 9600;
  if (!Number.isInteger(n) || n < 1 || n > 12)
    throw new RangeError(`baud ${baud} is not 9600 × N with N in 1..12`);
  return n;
}

export const LedControl = {
  Breathing: 1,
  Flashing: 2,
  On: 3,
  Off: 4,
  GraduallyOn: 5,
  GraduallyOff: 6,
} as const;
export type LedControl = (typeof LedControl)[keyof typeof LedControl];
export const LedColor = { Red: 1, Blue: 2, Purple: 3, Green: 4, Yellow: 5, Cyan: 6, White: 7 } as const;
export type LedColor = (typeof LedColor)[keyof typeof LedColor];

/** ReadSysPara's 16 bytes after the confirmation code (big-endian words). */
export interface SystemParameters {
  status: number;
  systemId: number;
  capacity: number;
  securityLevel: number;
  address: number;
  packetSize: PacketSize;
  baud: number;
}

export function decodeSystemParameters(values: Uint8Array): SystemParameters {
  if (values.length < 16) throw new RangeError(`system parameters need 16 bytes, got ${values.length}`);
  const b = Buffer.from(values);
  const sizeCode = b.readUInt16BE(12);
  const packetSize = PACKET_SIZES[sizeCode];
  if (packetSize === undefined) throw new RangeError(`packet-size code ${sizeCode} is not 0..3`);
  return {
    status: b.readUInt16BE(0),
    systemId: b.readUInt16BE(2),
    capacity: b.readUInt16BE(4),
    securityLevel: b.readUInt16BE(6),
    address: b.readUInt32BE(8),
    packetSize,
    baud: b.readUInt16BE(14) * 9600,
  };
}

export function encodeSystemParameters(p: SystemParameters): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(p.status, 0);
  b.writeUInt16BE(p.systemId, 2);
  b.writeUInt16BE(p.capacity, 4);
  b.writeUInt16BE(p.securityLevel, 6);
  b.writeUInt32BE(p.address >>> 0, 8);
  b.writeUInt16BE(packetSizeCode(p.packetSize), 12);
  b.writeUInt16BE(baudMultiplier(p.baud), 14);
  return b;
}

export const Confirmation = {
  Ok: 0x00,
  PacketReceiveError: 0x01,
  NoFinger: 0x02,
  CaptureFailed: 0x03,
  UploadImageFailed: 0x0f,
  WrongPassword: 0x13,
  InvalidRegister: 0x1a,
  SensorAbnormal: 0x29,
} as const;

/** Confirmation codes (ZFM-20 table 6.4.2, R503 manual, R30x library), for clear error messages. */
const CONFIRMATION_MEANINGS: Record<number, string> = {
  0x00: "OK",
  0x01: "packet receive error",
  0x02: "no finger on the sensor",
  0x03: "failed to capture the finger image",
  0x04: "image too disorderly",
  0x05: "image too wet",
  0x06: "image too messy to generate a character file",
  0x07: "too few feature points",
  0x08: "fingers do not match",
  0x09: "no matching finger found",
  0x0a: "failed to combine character files",
  0x0b: "page ID beyond the library",
  0x0c: "template unreadable or invalid",
  0x0d: "error uploading template",
  0x0e: "module cannot receive the following data packets",
  0x0f: "error uploading image",
  0x10: "failed to delete template",
  0x11: "failed to clear the library",
  0x13: "wrong password",
  0x15: "no valid primary image in the buffer",
  0x18: "error writing flash",
  0x19: "undefined error",
  0x1a: "invalid register number",
  0x1b: "incorrect register configuration",
  0x1c: "wrong notepad page number",
  0x1d: "failed to operate the communication port",
  0x1f: "library full",
  0x20: "address code incorrect",
  0x21: "password must be verified",
  0x22: "template is empty",
  0x24: "library is empty",
  0x26: "timeout",
  0x27: "fingerprint already exists",
  0x29: "sensor hardware error",
  0xfc: "unsupported command",
  0xfd: "hardware error",
  0xfe: "command execution failure",
};

export function confirmationMeaning(code: number): string {
  return CONFIRMATION_MEANINGS[code] ?? "unknown confirmation code";
}

/** Bytes an UpImage puts on the wire from the module: the ack plus every data packet. */
export function imageWireBytes(imageBytes: number, packetSize: number): number {
  const packets = Math.ceil(imageBytes / packetSize);
  return PACKET_OVERHEAD + 1 + imageBytes + packets * PACKET_OVERHEAD;
}
