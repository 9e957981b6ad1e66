import { describe, expect, it } from "vitest";
import { formatIssues, parseConfigText } from "./load.js";
import { LinkConfig } from "./links.js";

function problems(input: unknown): string[] {
  const r = LinkConfig.safeParse(input);
  return r.success ? [] : formatIssues(r.error);
}

describe("links config", () => {
  it("fills mwan3-like defaults: gateway ICMP target, 2 s rounds, 2 bad / 3 good", () => {
    const l = LinkConfig.parse({ name: "swan", interface: "eth0", role: "primary" });
    expect(l).toMatchObject({
      targets: [{ role: "gateway", probes: [{ type: "icmp" }] }],
      intervalMs: 2000,
      timeoutMs: 400,
      windowMs: 60_000,
      icmpPerRound: 3,
      icmpTool: "auto",
      reliability: 1,
      downAfter: 2,
      upAfter: 3,
      thresholds: {
        degraded: { enter: { lossPct: 20, rttMs: 300 }, leave: { lossPct: 5, rttMs: 150 } },
        down: { enter: { lossPct: 80 }, leave: { lossPct: 40 } },
      },
    });
  });

  it("accepts every probe kind", () => {
    const l = LinkConfig.parse({
      name: "swan",
      interface: "eth0",
      role: "primary",
      targets: [
        { role: "gateway" },
        {
          role: "datacentre",
          host: "sdc.example.gov.in",
          probes: [
            { type: "icmp" },
            { type: "tcp", port: 443 },
            { type: "http", url: "https://sdc.example.gov.in/health" },
          ],
        },
        { role: "dns", host: "10.1.1.53", probes: [{ type: "dns", name: "cctns.example.gov.in" }] },
      ],
    });
    expect(l.targets[1]!.probes[2]).toEqual({
      type: "http",
      url: "https://sdc.example.gov.in/health",
      expectStatus: 200,
      insecure: false,
    });
  });

  it("explains each bad setting", () => {
    expect(
      problems({
        name: "swan",
        interface: "eth0",
        role: "primary",
        targets: [
          { role: "datacentre" },
          {
            role: "dns",
            host: "x",
            probes: [
              { type: "http", url: "ftp://x" },
              { type: "dns", name: "a", server: "not-an-ip" },
              { type: "smtp" },
            ],
          },
        ],
        thresholds: { degraded: { leave: { lossPct: 50 } } },
      }),
    ).toEqual(
      expect.arrayContaining([
        "targets.0.host: host is required for datacentre and dns targets",
        "targets.1.probes.0.url: must be an http:// or https:// URL",
        "targets.1.probes.1.server: must be an IP address",
        expect.stringMatching(/^targets\.1\.probes\.2\.type: /),
        "thresholds.degraded.leave.lossPct: leave.lossPct must be <= enter.lossPct (hysteresis)",
      ]),
    );
    expect(problems({ name: "swan", interface: "eth0", role: "primary", timeoutMs: 2500 })).toEqual([
      "timeoutMs: timeoutMs must be below intervalMs",
    ]);
    expect(
      problems({
        name: "swan",
        interface: "eth0",
        role: "primary",
        timeoutMs: 250,
        thresholds: { degraded: { enter: { rttMs: 300 } } },
      }),
    ).toEqual([
      "thresholds.degraded.enter.rttMs: a reply slower than timeoutMs counts as lost, so degraded.enter.rttMs must be below timeoutMs",
    ]);
    expect(problems({ name: "swan", interface: "eth0", role: "primary", windowMs: 4000 })).toEqual([
      "windowMs: windowMs must hold at least 5 rounds (5 x intervalMs)",
    ]);
    expect(problems({ name: "swan", interface: "eth0", role: "primary", bogus: 1 })).toEqual([
      "bogus: unknown setting",
    ]);
  });

  it("loads from YAML through the agent's config loader", () => {
    const yaml = `
station: { id: MH-PUN-0042 }
links:
  - name: swan
    interface: eth0
    role: primary
    targets:
      - role: datacentre
        host: 198.18.2.10
        probes: [{ type: icmp }, { type: tcp, port: 443 }]
  - name: bb
    interface: wwan0
    role: backup
    intervalMs: 5000
`;
    const { config } = parseConfigText(yaml, "test.yaml");
    expect(config.links.map((l) => [l.name, l.intervalMs, l.targets.length])).toEqual([
      ["swan", 2000, 1],
      ["bb", 5000, 1],
    ]);
  });
});
