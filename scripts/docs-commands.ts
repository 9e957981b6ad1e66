/**
 * Runs the shell blocks of the docs that are marked to be tested, exactly as written, each in a fresh
 * network namespace with a private /tmp: the fixed ports a reader uses (1883, 8790) are free there, and
 * nothing a reader runs beside it is touched. A marked block is preceded by
 *
 *   <!-- docs-test: check="SHELL" before="SHELL" ready="SHELL" input="TEXT" timeout=SECONDS -->
 *
 * `before` (optional) is started in the background first (e.g. the demo), and the block runs once `ready`
 * succeeds (what the reader waits for, e.g. the demo's dashboard answering); the block then runs, and it passes
 * when `check` succeeds while the block is still running or after it ended with 0. Everything started in the
 * namespace is killed afterwards. `input` is what the reader types (e.g. a new password), given on stdin. Needs root (ip netns, unshare).
 *
 *   npx tsx scripts/docs-commands.ts docs/noc.md
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface DocBlock {
  file: string;
  line: number;
  script: string;
  check: string;
  before?: string;
  ready?: string;
  input?: string;
  timeoutS: number;
}

const MARK = /<!--\s*docs-test:(.*?)-->\s*\n+```(?:sh|bash|shell)\n([\s\S]*?)\n```/g;
const ATTR = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\d+))/g;

export function docBlocks(file: string, text = readFileSync(file, "utf8")): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const m of text.matchAll(MARK)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(ATTR))
      attrs[a[1]!] = a[2] !== undefined ? a[2].replace(/\\(.)/g, "$1") : a[3]!;
    if (!attrs.check) throw new Error(`${file}: a docs-test marker needs check="..."`);
    blocks.push({
      file,
      line: text.slice(0, m.index).split("\n").length,
      script: m[2]!,
      check: attrs.check,
      ...(attrs.before ? { before: attrs.before } : {}),
      ...(attrs.ready ? { ready: attrs.ready } : {}),
      ...(attrs.input ? { input: attrs.input } : {}),
      timeoutS: Number(attrs.timeout ?? 180),
    });
  }
  return blocks;
}

export interface DocRun {
  ok: boolean;
  output: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fresh /tmp for the block, inside its own mount namespace. A checkout that itself lives under /tmp
 * (a clone in mktemp -d) would vanish under it, so it is carried across through /mnt and bound back.
 */
const PRIVATE_TMP = [
  'case "$PWD/" in',
  '/tmp/*) here="$PWD"; mkdir -p /mnt && mount --bind "$here" /mnt && mount -t tmpfs tmpfs /tmp &&',
  '  mkdir -p "$here" && mount --bind /mnt "$here" && cd "$here" ;;',
  "*) mount -t tmpfs tmpfs /tmp ;;",
  "esac",
].join("\n");

export async function runDocBlock(b: DocBlock, root = process.cwd()): Promise<DocRun> {
  const ns = `sa-docs-${process.pid}-${b.line}`;
  execFileSync("ip", ["netns", "add", ns]);
  let output = "";
  try {
    execFileSync("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    // A private /tmp per run: the block's /tmp/noc.db is its own.
    const inNs = (script: string, input?: string) =>
      spawn(
        "ip",
        [
          "netns",
          "exec",
          ns,
          "unshare",
          "--mount",
          "--propagation",
          "private",
          "bash",
          "-c",
          `${PRIVATE_TMP} && ${script}`,
        ],
        {
          cwd: root,
          stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
          env: { ...process.env, CI: "" },
        },
      );
    const collect = (p: ReturnType<typeof inNs>, tag: string) => {
      p.stdout!.on("data", (d: Buffer) => (output += `[${tag}] ${d.toString()}`));
      p.stderr!.on("data", (d: Buffer) => (output += `[${tag}] ${d.toString()}`));
    };
    const deadline = Date.now() + b.timeoutS * 1000;
    const passes = (cmd: string) =>
      new Promise<boolean>((r) =>
        spawn("ip", ["netns", "exec", ns, "bash", "-c", cmd], { cwd: root, stdio: "ignore" }).once(
          "exit",
          (c) => r(c === 0),
        ),
      );
    if (b.before) collect(inNs(b.before), "before");
    if (b.ready) {
      while (!(await passes(b.ready))) {
        if (Date.now() > deadline) return { ok: false, output: `${output}\nnever ready: ${b.ready}` };
        await sleep(1000);
      }
    }
    const main = inNs(`set -e\n${b.script}\nwait`, b.input);
    if (b.input !== undefined) main.stdin!.end(`${b.input}\n`);
    collect(main, "block");
    const ended: { code: number | null } = { code: null };
    main.once("exit", (code) => (ended.code = code ?? 1));
    while (Date.now() < deadline) {
      if (ended.code !== null && ended.code !== 0)
        return { ok: false, output: `${output}\nblock exited ${ended.code}` };
      if (await passes(b.check)) return { ok: true, output };
      await sleep(1000);
    }
    return { ok: false, output: `${output}\ncheck never passed within ${b.timeoutS} s: ${b.check}` };
  } finally {
    for (let i = 0; i < 3; i++) {
      const pids = execFileSync("ip", ["netns", "pids", ns]).toString().split(/\s+/).filter(Boolean);
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      await sleep(300);
    }
    execFileSync("ip", ["netns", "delete", ns]);
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (isMain) {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    for (const b of docBlocks(file)) {
      const r = await runDocBlock(b);
      process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${b.file}:${b.line}\n`);
      if (!r.ok) {
        failed++;
        process.stdout.write(`${r.output}\n`);
      }
    }
  }
  process.exit(failed ? 1 : 0);
}
