/**
 * `npm test` runs this first (the `pretest` script): it makes the README's test command work on a fresh
 * machine. As root with apt it installs the Debian packages the tests need, once, saying which and why;
 * otherwise it prints one list and the apt command, and the vitest config leaves out the test files
 * that need them. Under CI (CI=true) a package it cannot install fails the run. Then it makes sure a
 * Mosquitto listens on 127.0.0.1:1883, as the machines this project runs on have one.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { aptInstall, isRoot, prepareMachine, systemProbe } from "../test/support/packages.js";

const ci = process.env.CI === "true";
const say = (line: string) => console.log(`test set-up: ${line}`);

const ok = prepareMachine({ probe: systemProbe, root: isRoot(), ci, install: aptInstall, log: console.log });
if (!ok) process.exit(1);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => (c.destroy(), resolve(false)));
  });
}

if (!(await listening(1883))) {
  if (!systemProbe().hasCommand("mosquitto")) {
    say("no Mosquitto on 127.0.0.1:1883 and none installed");
  } else {
    say("starting Mosquitto on 127.0.0.1:1883");
    const conf = "/etc/mosquitto/mosquitto.conf";
    const args = existsSync(conf) && isRoot() ? ["-d", "-c", conf] : ["-d", "-p", "1883"];
    const r = spawnSync("mosquitto", args, { stdio: "inherit" });
    if (r.status !== 0) say(`mosquitto ${args.join(" ")} exited ${r.status}`);
    for (let i = 0; i < 50 && !(await listening(1883)); i++) await sleep(100);
    if (!(await listening(1883))) say("Mosquitto did not start listening on 127.0.0.1:1883");
  }
  if (ci && !(await listening(1883))) process.exit(1);
}
