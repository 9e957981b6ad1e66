/**
 * Builds what a station runs: dist/station-agent/cli.js, the agent as one ES module plus lazily loaded
 * chunks (drivers, device commands, the embedded broker), made by esbuild from the TypeScript sources.
 *
 * Why a bundle and not tsc's dist/agent: the agent's steady-state RSS target is 80 MB. Loading some
 * 650 separate modules keeps each one's source text, module record and scope on the heap, and a source
 * file holding a single non-Latin-1 character (an em dash in a comment, a Devanagari label) is kept as
 * a two-byte string. One whitespace-minified, ASCII-only bundle, with dead code and zod's unused locales
 * dropped, costs about 10 MB less. Identifiers are kept, so stack traces in the journal still name the
 * functions; the source map is written beside it for reading a trace offline, but is not loaded at run
 * time (node --enable-source-maps parses the whole map up front: about 14 MB).
 *
 * Native addons, and packages that find files beside themselves at run time, stay in node_modules.
 */
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist/station-agent");

/**
 * How a station starts node for the agent (scripts/install.sh writes them into bin/station-agent; the
 * packaging test checks the two agree). A 1 MB young generation: while replaying a long backlog V8
 * would otherwise grow it to 2 x 16 MB and keep it (RSS 116 MB after 50,000 events instead of 80 MB),
 * for no measurable drain speed. Two malloc arenas: the libuv and V8 threads each kept one (~1.5 MB).
 * A fixed 16 KiB mmap threshold: V8's compiler zones and HarfBuzz's buffers are malloc'd in blocks that
 * glibc's sliding threshold would put on the heap, where they stayed after use; mapped, they go back to
 * the kernel when freed (after printing three Devanagari slips: 75 MiB instead of 79-84).
 */
export const AGENT_NODE_FLAGS = ["--max-semi-space-size=1"];
export const AGENT_ENV = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "16384" };

export const EXTERNAL = [
  "better-sqlite3",
  "@serialport/bindings-cpp",
  "node-hid",
  "unix-dgram",
  "harfbuzzjs",
  // pino starts transports in worker threads by file name; systeminformation shells out by file name.
  "pino",
  "systeminformation",
];

export async function bundleAgent(outdir = OUT): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    // The slip worker is its own entry: a Worker runs a file (agent/devices/slip-worker-pool.ts).
    entryPoints: { cli: "agent/cli.ts", "slip-worker": "agent/devices/slip-worker.ts" },
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minifyWhitespace: true,
    minifySyntax: true,
    charset: "ascii",
    legalComments: "none",
    sourcemap: "external",
    external: EXTERNAL,
    // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __stationAgentRequire } from "node:module"; const require = __stationAgentRequire(import.meta.url);',
    },
    logLevel: "warning",
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleAgent();
}
