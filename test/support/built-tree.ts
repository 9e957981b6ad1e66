/**
 * A private, built copy of the project for the packaging tests: dist/ compiled with `tsc --outDir` into
 * its own directory, plus the agent's esbuild bundle in dist/station-agent (what a station runs),
 * package.json and node_modules copied (hard links), everything else (config, systemd, scripts, docs,
 * the NOC's dashboard files) symlinked to the checkout. scripts/install.sh and scripts/package-deb.sh run from it exactly as from a
 * checkout, while a concurrent `npm run build` elsewhere cannot change dist/ under them.
 *
 * The build is cached in the system temp dir under a hash of the compiled sources, shared by the test
 * files (a mkdir lock makes the second one wait), and replaced when the sources change.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { bundleAgent } from "../../scripts/bundle-agent.js";

export const REPO = resolve(import.meta.dirname, "../..");
// Per checkout: a clone testing at the same time must not remove this checkout's build as "old".
const PREFIX = `station-agent-systemd-build-${createHash("sha256").update(REPO).digest("hex").slice(0, 8)}-`;
const LINKED = ["package-lock.json", "config", "systemd", "scripts", "docs", "noc/public"];
/**
 * What the built code reads when it runs as another uid (the unit's sandbox): real files here, not links
 * into the checkout, which may sit in a directory only its owner can enter (/root, a mktemp -d).
 * node_modules is hard-linked where it can be (same filesystem), so this costs seconds, not a copy.
 */
const COPIED = ["package.json", "node_modules"];
const COMPILED = ["agent", "config", "contract", "drivers", "noc"];
const run = promisify(execFile);

function sourceHash(): string {
  const hash = createHash("sha256");
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|json)$/.test(entry.name)) hash.update(path).update(readFileSync(path));
    }
  };
  for (const file of ["tsconfig.json", "tsconfig.build.json", "package.json", "scripts/bundle-agent.ts"])
    hash.update(readFileSync(join(REPO, file)));
  hash.update(readFileSync(join(import.meta.dirname, "built-tree.ts"))); // how the tree is laid out

  for (const dir of COMPILED) visit(join(REPO, dir));
  return hash.digest("hex").slice(0, 16);
}

async function build(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const name of LINKED) {
    if (!existsSync(join(REPO, name))) continue;
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    symlinkSync(join(REPO, name), join(dir, name));
  }
  for (const name of COPIED) await copyTree(join(REPO, name), join(dir, name));
  chmodSync(dir, 0o755);
  const tsc = join(REPO, "node_modules/typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", join(REPO, "tsconfig.build.json"), "--outDir", join(dir, "dist")], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  await bundleAgent(join(dir, "dist/station-agent"));
  writeFileSync(join(dir, ".complete"), "");
}

/** Hard links where the filesystem allows, else a copy; modes kept, so another uid can read it. */
async function copyTree(from: string, to: string): Promise<void> {
  try {
    await run("cp", ["-al", from, to]);
  } catch {
    rmSync(to, { recursive: true, force: true });
    await run("cp", ["-a", from, to]);
  }
}

/** Path of the built tree; builds it (about 25 s) unless a current one exists. */
export async function builtTree(): Promise<string> {
  const dir = join(tmpdir(), PREFIX + sourceHash());
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 5 * 60_000;
  while (!existsSync(join(dir, ".complete"))) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock older than the deadline belongs to a crashed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 10 * 60_000) rmSync(lock, { force: true, recursive: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (!existsSync(join(dir, ".complete"))) await build(dir);
      for (const old of readdirSync(tmpdir())) {
        if (old.startsWith(PREFIX) && !old.endsWith(".lock") && join(tmpdir(), old) !== dir) {
          rmSync(join(tmpdir(), old), { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}
