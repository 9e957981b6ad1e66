import { describe, expect, it } from "vitest";
import {
  Command,
  checksum,
  decodeSystemParameters,
  encodeCommand,
  encodePacket,
  encodeSystemParameters,
  imageWireBytes,
  LedColor,
  LedControl,
  Pid,
  confirmationMeaning,
  baudMultiplier,
  packetSizeCode,
} from "../../drivers/fingerprint/r30x-codec.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const ack = (content: string): Buffer =>
  encodePacket({ address: 0xffffffff, pid: Pid.Ack, content: hex(content) });

// Vectors from shared/protocols.md §1.2; GenImg 0x0005, RegModel 0x0009, UpImage 0x000E and
// TemplateNum 0x0021 are the checksums printed in the ZFM-20 manual.
describe("R30x codec vectors", () => {
  it.each([
    ["GenImg", Command.genImg(), "EF01FFFFFFFF010003 01 0005"],
    ["VfyPwd(0)", Command.verifyPassword(0), "EF01FFFFFFFF010007 13 00000000 001B"],
    ["ReadSysPara", Command.readSysPara(), "EF01FFFFFFFF010003 0F 0013"],
    ["UpImage", Command.upImage(), "EF01FFFFFFFF010003 0A 000E"],
    ["TemplateNum", Command.templateNum(), "EF01FFFFFFFF010003 1D 0021"],
    ["SetSysPara(baud 115200)", Command.setBaudRate(115200), "EF01FFFFFFFF010005 0E 04 0C 0024"],
    ["SetSysPara(packet 256)", Command.setPacketSize(256), "EF01FFFFFFFF010005 0E 06 03 001D"],
    [
      "AuraLed(breathing, 0x80, blue, 0)",
      Command.auraLed(LedControl.Breathing, 0x80, LedColor.Blue, 0),
      "EF01FFFFFFFF010007 35 01 80 02 00 00C0",
    ],
    ["HandShake", Command.handShake(), "EF01FFFFFFFF010003 40 0044"],
    ["CheckSensor", Command.checkSensor(), "EF01FFFFFFFF010003 36 003A"],
  ])("%s", (_name, content, expected) => {
    expect(encodeCommand(content).toString("hex")).toBe(hex(expected).toString("hex"));
  });

  it("encodes the manual's acknowledgements", () => {
    expect(ack("00").toString("hex")).toBe(hex("EF01FFFFFFFF070003 00 000A").toString("hex"));
    expect(ack("02").toString("hex")).toBe(hex("EF01FFFFFFFF070003 02 000C").toString("hex"));
    expect(ack("00 0005 0064").toString("hex")).toBe(
      hex("EF01FFFFFFFF070007 00 0005 0064 0077").toString("hex"),
    );
  });

  it("checksum drops the carry past 16 bits", () => {
    const content = Buffer.alloc(300, 0xff);
    expect(checksum(Pid.Data, content)).toBe((Pid.Data + 1 + 46 + 300 * 0xff) & 0xffff);
  });

  it("decodes and re-encodes ReadSysPara", () => {
    const values = hex("0000 0000 03E8 0003 FFFFFFFF 0002 0006");
    const params = decodeSystemParameters(values);
    expect(params).toEqual({
      status: 0,
      systemId: 0,
      capacity: 1000,
      securityLevel: 3,
      address: 0xffffffff,
      packetSize: 128,
      baud: 57600,
    });
    expect(encodeSystemParameters(params).equals(values)).toBe(true);
    expect(ack("00" + values.toString("hex")).toString("hex")).toBe(
      hex("EF01FFFFFFFF070013 00 0000 0000 03E8 0003 FFFFFFFF 0002 0006 050C").toString("hex"),
    );
  });

  it("rejects values the module cannot take", () => {
    expect(() => baudMultiplier(56000)).toThrow(RangeError);
    expect(() => baudMultiplier(9600 * 13)).toThrow(RangeError);
    expect(() => packetSizeCode(100)).toThrow(RangeError);
    expect(() => decodeSystemParameters(hex("0000"))).toThrow(RangeError);
    expect(() => decodeSystemParameters(hex("0000 0000 03E8 0003 FFFFFFFF 0009 0006"))).toThrow(
      /packet-size code/,
    );
  });

  it("names confirmation codes", () => {
    expect(confirmationMeaning(0x02)).toBe("no finger on the sensor");
    expect(confirmationMeaning(0x13)).toBe("wrong password");
    expect(confirmationMeaning(0x77)).toBe("unknown confirmation code");
  });

  it("computes the image wire size of the protocols table", () => {
    expect(imageWireBytes(36864, 128)).toBe(40044);
    expect(imageWireBytes(36864, 32)).toBe(49548);
    expect(imageWireBytes(36864, 256)).toBe(38460);
    expect(imageWireBytes(18432, 128)).toBe(20028);
  });
});
