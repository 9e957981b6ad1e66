/** Opens the byte stream a printer is reached by: serial port, raw TCP, or the USB printer class device file. */
import type { ByteStream } from "../transport/byte-stream.js";
import { DeviceFileByteStream } from "../transport/device-file.js";
import { SerialByteStream } from "../transport/serial.js";
import { TcpByteStream } from "../transport/tcp.js";

export type PrinterTransportSpec =
  | { kind: "serial"; path: string; baud: number }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "device"; path: string };

export function openPrinterStream(spec: PrinterTransportSpec, serialBinding?: unknown): Promise<ByteStream> {
  switch (spec.kind) {
    case "serial":
      return SerialByteStream.open({
        path: spec.path,
        baudRate: spec.baud,
        ...(serialBinding ? { binding: serialBinding } : {}),
      });
    case "tcp":
      return TcpByteStream.open({ host: spec.host, port: spec.port });
    case "device":
      return DeviceFileByteStream.open({ path: spec.path });
  }
}

/** Line speed for sizing timeouts: known for serial (8N1 = 10 bits a byte), assumed for the others. */
export function lineBytesPerSecond(spec: PrinterTransportSpec): number | undefined {
  return spec.kind === "serial" ? spec.baud / 10 : undefined;
}

export function describeTransport(spec: PrinterTransportSpec): string {
  return spec.kind === "serial"
    ? `${spec.path}@${spec.baud}`
    : spec.kind === "tcp"
      ? `tcp://${spec.host}:${spec.port}`
      : spec.path;
}
