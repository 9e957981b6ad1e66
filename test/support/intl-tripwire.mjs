/* global process */
// Loaded with `node --import` into an agent under test: reports on stderr every use of Intl or of the
// locale-aware methods built on it. The first such use pages about 7 MB of ICU data into the daemon for
// good (docs/benchmarks.md), so the running agent must not make one. Plain JS: node loads it without tsx.
const seen = new Set();
function trip(what) {
  if (seen.has(what)) return;
  seen.add(what);
  process.stderr.write(`intl-tripwire: ${what}\n${new Error().stack?.split("\n").slice(3, 9).join("\n")}\n`);
}
for (const name of Object.getOwnPropertyNames(Intl)) {
  const real = Intl[name];
  if (typeof real === "function") {
    Intl[name] = new Proxy(real, {
      construct(t, args, nt) {
        trip(`Intl.${name}`);
        return Reflect.construct(t, args, nt);
      },
      apply(t, self, args) {
        trip(`Intl.${name}`);
        return Reflect.apply(t, self, args);
      },
    });
  }
}
const methods = [
  [Date.prototype, ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]],
  [Number.prototype, ["toLocaleString"]],
  [BigInt.prototype, ["toLocaleString"]],
  [Array.prototype, ["toLocaleString"]],
  [String.prototype, ["localeCompare", "toLocaleUpperCase", "toLocaleLowerCase"]],
];
for (const [proto, names] of methods) {
  for (const name of names) {
    const real = proto[name];
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (...args) {
        trip(`${proto.constructor.name}.prototype.${name}`);
        return real.apply(this, args);
      },
    });
  }
}
