/**
 * What the agent says about the station PC itself (full disk, failing drive, clock), in English. Split
 * from en.ts because the daemon words its `status` lines with these alone (agent/host/describe.ts), and
 * must not carry the whole catalogue; en.ts includes them, hi.ts has the same keys.
 */
export const hostEn = {
  "pc.disk.dataFull":
    "PC: the disk holding the CCTNS data is {pct} % full ({free} GB free). Delete old scans and downloads, or call the district technician.",
  "pc.disk.full":
    "PC: the disk at {mount} is {pct} % full ({free} GB free). Delete old scans and downloads, or call the district technician.",
  "pc.disk.dataInodes":
    "PC: the disk holding the CCTNS data has too many small files ({pct} % of its file slots used). Call the district technician.",
  "pc.disk.inodes":
    "PC: the disk at {mount} has too many small files ({pct} % of its file slots used). Call the district technician.",
  "pc.smartFailing":
    "PC: the hard disk {disk} is failing ({why}). Ask the district technician to copy the data and replace it soon.",
  "pc.hot":
    "PC: the processor is very hot ({temp} °C). Check that the fan turns and the vents are not blocked by dust or papers.",
  "pc.clockUnsynced":
    "PC: the clock is not being corrected from the network, so times may be wrong. Call the district technician.",
  "pc.memoryLow":
    "PC: memory is nearly exhausted; the computer will be slow. Close programs that are not needed, or restart it.",
  "pc.securityUpdates":
    "PC: {count, plural, one {# security update is} other {# security updates are}} waiting to be installed.",
  "smart.failed": "the drive's own health check says FAILED",
  "smart.badSectors": "{n} bad sectors (reallocated, pending or unreadable)",
  "smart.mediaErrors": "{n} media errors",
  "smart.wornOut": "worn out ({pct} % of its rated writes used)",
} as const;

export type HostKey = keyof typeof hostEn;
