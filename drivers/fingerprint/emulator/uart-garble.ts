/**
 * What a UART at one baud rate hears when the other end talks at another: the sender's 8N1 bit stream
 * is sampled mid-bit at the receiver's rate. Bytes sent back to back; the line idles high after them.
 * Used by the emulator's "wrong baud" fault so the host sees realistic garbage, not a clean silence.
 */
export function resampleUart(bytes: Uint8Array, senderBaud: number, receiverBaud: number): Buffer {
  if (senderBaud === receiverBaud) return Buffer.from(bytes);
  const bits: number[] = [];
  for (const byte of bytes) {
    bits.push(0);
    for (let i = 0; i < 8; i++) bits.push((byte >> i) & 1);
    bits.push(1);
  }
  const senderBit = 1 / senderBaud;
  const receiverBit = 1 / receiverBaud;
  const end = bits.length * senderBit;
  const level = (t: number): number => (t >= end ? 1 : bits[Math.floor(t / senderBit)]!);
  const out: number[] = [];
  // Scan for falling edges at a fine step, then sample each bit in its middle at the receiver's rate.
  const step = Math.min(senderBit, receiverBit) / 4;
  let t = 0;
  let previous = 1;
  while (t < end) {
    const current = level(t);
    if (previous === 1 && current === 0) {
      if (level(t + receiverBit / 2) === 0) {
        let byte = 0;
        for (let i = 0; i < 8; i++) byte |= level(t + receiverBit * (1.5 + i)) << i;
        out.push(byte);
        t += receiverBit * 9.5;
        previous = level(t);
        continue;
      }
    }
    previous = current;
    t += step;
  }
  return Buffer.from(out);
}
