/**
 * Unsealed booking sessions on disk, so a crash between the 7th and 8th finger loses nothing:
 *   <dir>/<id>/state.sab        the session (descriptive data, progress), encrypted with the station key
 *   <dir>/<id>/<position>.<n>.sab   the kept image of one position, encrypted with the station key
 * Every file is written whole (durable-file.ts). An image is written before the state that names it and
 * the image it replaces is deleted after, so after a kill -9 the state always names a complete image;
 * images the state does not name are leftovers and are removed when the session is next loaded.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import type { QualityScore } from "../../drivers/fingerprint/quality.js";
import { removeDurably, sweepTemp, syncDir, writeFileDurably } from "./durable-file.js";
import type { Plan, Position } from "./plan.js";
import type { AnnotationReason, Descriptive } from "./schemas.js";
import type { StationKey } from "./station-key.js";

export interface SegmentBox {
  fgp: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface KeptImpression {
  file: string;
  width: number;
  height: number;
  resolutionPpi: number;
  quality: QualityScore;
  /** NFIQ-style 1 (best) .. 5 (worst), when known. */
  nfiq?: number;
  accepted: boolean;
  reason?: string;
  device: string;
  capturedAt: string;
  segments?: SegmentBox[];
}

export interface PositionState {
  position: Position;
  attempts: number;
  rejections: number;
  best?: KeptImpression;
  /** The best of `maxRejections` rejected takes was kept: the bureau sees it marked. */
  flagged: boolean;
  annotation?: AnnotationReason;
}

export interface KeptPhoto {
  file: string;
  width: number;
  height: number;
  colorSpace: "GRAY" | "YCC";
  takenAt: string;
}

export interface SessionState {
  id: string;
  plan: Plan;
  person: Descriptive;
  createdAt: string;
  updatedAt: string;
  positions: PositionState[];
  /** The face photo for Type-10, when the CCTNS client gave one. */
  photo?: KeptPhoto;
}

export class SessionStore {
  constructor(
    private readonly dir: string,
    private readonly key: StationKey,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  ids(): string[] {
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .map((d) => d.name);
  }

  exists(id: string): boolean {
    try {
      return statSync(join(this.dir, id, "state.sab")).isFile();
    } catch {
      return false;
    }
  }

  create(state: SessionState): void {
    const dir = join(this.dir, state.id);
    mkdirSync(dir, { mode: 0o700 });
    try {
      this.save(state);
      syncDir(this.dir);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  save(state: SessionState): void {
    const plain = Buffer.from(JSON.stringify(state), "utf8");
    writeFileDurably(join(this.dir, state.id, "state.sab"), this.key.seal(plain, stateRole(state.id)));
  }

  /** Loads a session and removes what a crash left behind (temp files, images the state does not name). */
  load(id: string): SessionState {
    const dir = join(this.dir, id);
    const state = JSON.parse(
      this.key.open(readFileSync(join(dir, "state.sab")), stateRole(id)).toString("utf8"),
    ) as SessionState;
    sweepTemp(dir);
    const named = new Set(state.positions.flatMap((p) => (p.best ? [p.best.file] : [])));
    if (state.photo) named.add(state.photo.file);
    for (const f of readdirSync(dir)) {
      if (f !== "state.sab" && !named.has(f)) rmSync(join(dir, f), { force: true });
    }
    return state;
  }

  writeImage(id: string, file: string, image: GrayImage): void {
    writeFileDurably(join(this.dir, id, file), this.key.seal(image.pixels, imageRole(id, file)));
  }

  readImage(id: string, impression: KeptImpression): GrayImage {
    const pixels = this.key.open(
      readFileSync(join(this.dir, id, impression.file)),
      imageRole(id, impression.file),
    );
    if (pixels.length !== impression.width * impression.height) {
      throw new Error(`image ${impression.file} of booking ${id} has the wrong size`);
    }
    return { width: impression.width, height: impression.height, pixels: new Uint8Array(pixels) };
  }

  writeBytes(id: string, file: string, bytes: Uint8Array): void {
    writeFileDurably(join(this.dir, id, file), this.key.seal(bytes, imageRole(id, file)));
  }

  readBytes(id: string, file: string): Buffer {
    return this.key.open(readFileSync(join(this.dir, id, file)), imageRole(id, file));
  }

  removeImage(id: string, file: string): void {
    removeDurably(join(this.dir, id, file));
  }

  remove(id: string): void {
    rmSync(join(this.dir, id), { recursive: true, force: true });
    syncDir(this.dir);
  }
}

function stateRole(id: string): string {
  return `booking:${id}:state`;
}

function imageRole(id: string, file: string): string {
  return `booking:${id}:image:${file}`;
}
