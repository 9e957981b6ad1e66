/** `station-noc user ...` and `station-noc token ...`: access control managed on the NOC host. */
import { Command, InvalidArgumentError, Option } from "commander";
import { userInfo } from "node:os";
import { loadConfigFile, mergeFlags, storageOption } from "../config.js";
import { openStorage } from "../storage/index.js";
import { isRole, ROLES, type Role } from "./roles.js";
import { AuthStore } from "./store.js";

interface StoreFlags {
  storage: string;
  config?: string;
}

const role = (v: string): Role => {
  if (!isRole(v)) throw new InvalidArgumentError(`one of ${ROLES.join(", ")}`);
  return v;
};

function withStore(cmd: Command): Command {
  return cmd
    .addOption(storageOption())
    .option("--config <file>", "the NOC's config file (its storage key is used)");
}

/** Opens the storage named by the flags (or the config file), runs `fn`, closes it. */
async function using<T>(flags: StoreFlags, cmd: Command, fn: (s: AuthStore) => Promise<T>): Promise<T> {
  const f = flags.config
    ? mergeFlags(flags, loadConfigFile(flags.config), (k) => cmd.getOptionValueSource(k))
    : flags;
  const storage = openStorage(f.storage);
  await storage.init();
  try {
    return await fn(new AuthStore(storage));
  } finally {
    await storage.close();
  }
}

/** A password from a pipe (first line) or typed twice at a terminal without echo. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  }
  const ask = (text: string) =>
    new Promise<string>((resolve, reject) => {
      process.stderr.write(text);
      let typed = "";
      stdin.setRawMode(true);
      stdin.resume();
      const onData = (b: Buffer) => {
        for (const ch of b.toString("utf8")) {
          if (ch === "\r" || ch === "\n") {
            stdin.off("data", onData);
            stdin.setRawMode(false);
            stdin.pause();
            process.stderr.write("\n");
            return resolve(typed);
          }
          if (ch === "\u0003") {
            stdin.setRawMode(false);
            return reject(new Error("cancelled"));
          }
          if (ch === "\u007f") typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on("data", onData);
    });
  const first = await ask(prompt);
  if ((await ask("again: ")) !== first) throw new Error("the two passwords differ");
  return first;
}

const actor = () => `cli:${userInfo().username}`;
const out = (s: string) => process.stdout.write(`${s}\n`);

export function addAccessCommands(p: Command): void {
  const user = p.command("user").description("local dashboard users: add, passwd, role, del, list");
  withStore(
    user
      .command("add <name>")
      .description("add a user; the password is read from stdin or asked twice")
      .addOption(new Option("--role <role>", ROLES.join(" | ")).argParser(role).makeOptionMandatory())
      .option("--district <name>", "limit the user to this district's stations")
      .option("--proxy-only", "no password: the user signs in only through the trusted reverse proxy"),
  ).action(
    async (
      name: string,
      f: StoreFlags & { role: Role; district?: string; proxyOnly?: boolean },
      cmd: Command,
    ) => {
      const password = f.proxyOnly ? undefined : await readPassword(`password for ${name}: `);
      await using(f, cmd, async (s) => {
        await s.addUser(name, f.role, f.district, password);
        await s.audit({
          actor: actor(),
          action: "user.add",
          target: name,
          detail: `${f.role} ${f.district ?? ""}`.trim(),
          result: "ok",
          address: "local",
        });
      });
      out(`added ${name} (${f.role}${f.district ? `, district ${f.district}` : ""})`);
    },
  );
  withStore(
    user.command("passwd <name>").description("set a user's password; signs them out everywhere"),
  ).action(async (name: string, f: StoreFlags, cmd: Command) => {
    const password = await readPassword(`new password for ${name}: `);
    await using(f, cmd, async (s) => {
      await s.setPassword(name, password);
      await s.audit({
        actor: actor(),
        action: "user.passwd",
        target: name,
        detail: "",
        result: "ok",
        address: "local",
      });
    });
    out(`password of ${name} changed`);
  });
  withStore(
    user
      .command("role <name>")
      .description("change a user's role and district")
      .addOption(new Option("--role <role>", ROLES.join(" | ")).argParser(role).makeOptionMandatory())
      .option("--district <name>", "limit the user to this district (omit: all districts)"),
  ).action(async (name: string, f: StoreFlags & { role: Role; district?: string }, cmd: Command) => {
    await using(f, cmd, async (s) => {
      await s.setRole(name, f.role, f.district);
      await s.audit({
        actor: actor(),
        action: "user.role",
        target: name,
        detail: `${f.role} ${f.district ?? ""}`.trim(),
        result: "ok",
        address: "local",
      });
    });
    out(`${name} is now ${f.role}${f.district ? ` in ${f.district}` : ""}`);
  });
  withStore(user.command("del <name>").description("delete a user and end their sessions")).action(
    async (name: string, f: StoreFlags, cmd: Command) => {
      await using(f, cmd, async (s) => {
        await s.deleteUser(name);
        await s.audit({
          actor: actor(),
          action: "user.del",
          target: name,
          detail: "",
          result: "ok",
          address: "local",
        });
      });
      out(`deleted ${name}`);
    },
  );
  withStore(user.command("list").description("list users")).action(async (f: StoreFlags, cmd: Command) => {
    const users = await using(f, cmd, (s) => s.users());
    for (const u of users)
      out([u.name, u.role, u.district ?? "-", u.hasPassword ? "password" : "proxy-only"].join("\t"));
  });

  const token = p.command("token").description("API tokens for scripts and Prometheus: add, del, list");
  withStore(
    token
      .command("add <name>")
      .description("create a token and print it once (only its hash is kept)")
      .addOption(new Option("--role <role>", ROLES.join(" | ")).argParser(role).default("viewer"))
      .option("--district <name>", "limit the token to this district's stations"),
  ).action(async (name: string, f: StoreFlags & { role: Role; district?: string }, cmd: Command) => {
    const secret = await using(f, cmd, async (s) => {
      const t = await s.addToken(name, f.role, f.district, actor());
      await s.audit({
        actor: actor(),
        action: "token.add",
        target: name,
        detail: `${f.role} ${f.district ?? ""}`.trim(),
        result: "ok",
        address: "local",
      });
      return t;
    });
    out(secret);
  });
  withStore(token.command("del <name>").description("revoke a token")).action(
    async (name: string, f: StoreFlags, cmd: Command) => {
      await using(f, cmd, async (s) => {
        await s.deleteToken(name);
        await s.audit({
          actor: actor(),
          action: "token.del",
          target: name,
          detail: "",
          result: "ok",
          address: "local",
        });
      });
      out(`revoked ${name}`);
    },
  );
  withStore(token.command("list").description("list tokens")).action(async (f: StoreFlags, cmd: Command) => {
    const tokens = await using(f, cmd, (s) => s.tokens());
    for (const t of tokens)
      out(
        [
          t.name,
          t.role,
          t.district ?? "-",
          new Date(t.createdAt).toISOString(),
          t.lastUsed ? new Date(t.lastUsed).toISOString() : "never",
        ].join("\t"),
      );
  });
}
