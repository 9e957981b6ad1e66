import { describe, expect, it } from "vitest";
import { ConfigError, parseConfigText } from "../../config/load.js";

/** The mistakes a state IT engineer really makes; each must be named with its path, all in one pass. */
function problems(text: string): string[] {
  try {
    parseConfigText(text, "station.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const link = (name: string, iface: string, role: string, host = "10.10.1.30") =>
  `  - name: ${name}\n    interface: ${iface}\n    role: ${role}\n    targets:\n      - role: datacentre\n        host: ${host}\n`;

describe("config mistakes that used to pass config check", () => {
  it("names the line and column of a YAML error and shows the line", () => {
    const p = problems("station:\n  id: PS-1\n links: []\n");
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^station\.yaml:3:1: YAML error \(BAD_INDENT\)/);
    expect(p[0]).toContain("3 |  links: []");
    expect(p[0]).not.toContain("line ?");
  });

  it("says where a tab is used for indentation", () => {
    const p = problems("station:\n\tid: PS-1\n");
    expect(p[0]).toMatch(/^station\.yaml:2:1: YAML error \(TAB_AS_INDENT\)/);
  });

  it("gives a compact-mapping error its line", () => {
    expect(problems("station: id: PS-1\n")[0]).toMatch(/^station\.yaml:1:\d+: YAML error/);
  });

  it("refuses an IPv4 address with a number above 255", () => {
    const p = problems(`station:\n  id: PS-1\nlinks:\n${link("swan", "eth0", "primary", "10.10.1.300")}`);
    expect(p).toEqual([expect.stringMatching(/^links\.0\.targets\.0\.host: not a valid IPv4 address/)]);
  });

  it("still accepts host names and valid addresses", () => {
    const ok = `station:\n  id: PS-1\nlinks:\n${link("swan", "eth0", "primary", "sdc.hp.gov.in")}${link("bb", "eth1", "backup", "10.10.1.255")}`;
    expect(problems(ok)).toEqual([]);
  });

  it("refuses a baud an R30x cannot run at", () => {
    const p = problems(
      "station:\n  id: PS-1\ndevices:\n  - id: fp1\n    kind: fingerprint\n    driver: r30x\n    port: /dev/ttyUSB0\n    baud: 56700\n",
    );
    expect(p).toEqual([expect.stringMatching(/^devices\.0\.baud: an R30x module runs at 9600 x N.*57600/)]);
    expect(
      problems(
        "station:\n  id: PS-1\ndevices:\n  - id: fp1\n    kind: fingerprint\n    driver: r30x\n    port: /dev/ttyUSB0\n    baud: 115200\n",
      ),
    ).toEqual([]);
  });

  it("refuses two primary links and one interface used by two links", () => {
    const p = problems(
      `station:\n  id: PS-1\nlinks:\n${link("swan", "eth0", "primary")}${link("bb", "eth0", "primary")}`,
    );
    expect(p).toContain(
      'links.1.interface: interface "eth0" is already used by another link; each link is probed over its own interface',
    );
    expect(p.some((x) => x.startsWith("links.1.role: only one link can be primary"))).toBe(true);
  });

  it("folds a typo'd key and the missing real key into one message with a suggestion", () => {
    const p = problems(
      "station:\n  id: PS-1\nlinks:\n  - name: swan\n    interfce: eth0\n    role: primary\n",
    );
    expect(p).toEqual(['links.0.interfce: unknown setting; did you mean "interface"?']);
  });

  it("lists a missing key file together with schema problems, in one pass", () => {
    const p = problems(
      "station:\n  id: PS-1\nmqtt:\n  keepalive: 1\n  tls:\n    cert: /nonexistent/c.pem\n    key: /nonexistent/k.pem\nlinks:\n" +
        link("swan", "eth0", "primary") +
        link("bb", "eth1", "primary"),
    );
    expect(p.some((x) => x.startsWith("mqtt.keepalive:"))).toBe(true);
    expect(p.some((x) => x.startsWith("mqtt.tls.key: cannot read /nonexistent/k.pem"))).toBe(true);
    expect(p.some((x) => x.startsWith("links.1.role:"))).toBe(true);
  });

  it("does not invent a suggestion for a key far from any real one", () => {
    expect(problems("station:\n  id: PS-1\nfrobnicate: 1\n")).toEqual(["frobnicate: unknown setting"]);
  });
});

describe("booking settings", () => {
  it("refuses edition 0400 without a real ORI, which chkan2k would refuse at seal time", () => {
    expect(problems("station:\n  id: PS-1\nbooking:\n  edition: '0400'\n")).toEqual([
      expect.stringMatching(/^booking\.ori: edition 0400 needs this station's 9-character ORI/),
    ]);
    expect(problems("station:\n  id: PS-1\nbooking:\n  edition: '0400'\n  ori: HR0110001\n")).toEqual([]);
  });
});
