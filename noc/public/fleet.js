// The Fleet page: agent and config versions, config releases, rollouts with a halt button.
// Kept apart from app.js; it uses app.js's get, post, esc, fmtTime, $main and me.
"use strict";

function fleetCounts(counts) {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `<tr><td><code>${esc(v)}</code></td><td class="num">${n.toLocaleString()}</td></tr>`)
    .join("");
  return rows || `<tr><td colspan="2" class="muted">none</td></tr>`;
}

function fleetScope(s) {
  if (s.kind === "all") return "all stations";
  if (s.kind === "district") return `district ${esc(s.district)}`;
  return `station ${esc(s.station)}`;
}

function fleetRings(r) {
  return r.rings
    .map((g, i) => {
      const now = r.status === "running" && i === r.ring ? " ◀" : "";
      const bad = g.rolledBack ? ` · <span class="error">${g.rolledBack} rolled back</span>` : "";
      const failed = g.failed ? ` · ${g.failed} failed` : "";
      return `<li>${esc(g.name)}: ${g.onTarget} of ${g.stations} on the new version${failed}${bad}${g.pending ? ` · ${g.pending} waiting` : ""}${now}</li>`;
    })
    .join("");
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js's router calls it
async function viewFleet() {
  const [versions, config, rollouts] = await Promise.all([
    get("/api/v1/fleet/versions"),
    get("/api/v1/fleet/config"),
    get("/api/v1/fleet/rollouts"),
  ]);
  const mayHalt = me && (me.role === "operator" || me.role === "admin");
  const releases = config.releases
    .slice()
    .reverse()
    .map(
      (r) =>
        `<tr><td><code>${esc(r.version)}</code></td><td>${fleetScope(r.scope)}</td><td>${fmtTime(new Date(r.createdAt).toISOString())}</td><td>${esc(r.createdBy)}</td><td>${esc(
          Object.entries(r.stations)
            .map(([state, n]) => `${n} ${state}`)
            .join(", ") || "no station",
        )}</td></tr>`,
    )
    .join("");
  const runs = rollouts.rollouts
    .slice()
    .reverse()
    .map(
      (r) => `<div class="card"><h3>Rollout <code>${esc(r.id)}</code> to ${esc(r.version)}: ${esc(r.status)}
        ${r.status === "running" && mayHalt ? `<button data-halt="${esc(r.id)}">Halt</button>` : ""}</h3>
        <p class="muted">started ${fmtTime(r.createdAt)} by ${esc(r.createdBy)}${r.haltReason ? ` · <span class="error">${esc(r.haltReason)}</span>` : ""}</p>
        <ol>${fleetRings(r)}</ol></div>`,
    )
    .join("");
  $main.innerHTML = `<h1>Fleet</h1>
    <h2>Agent versions</h2><table><thead><tr><th>Version</th><th>Stations</th></tr></thead><tbody>${fleetCounts(versions.agent)}</tbody></table>
    <h2>Config versions</h2><table><thead><tr><th>Fragment</th><th>Stations</th></tr></thead><tbody>${fleetCounts(versions.fragment)}</tbody></table>
    <h2>Config releases</h2><table><thead><tr><th>Version</th><th>For</th><th>Released</th><th>By</th><th>Stations</th></tr></thead><tbody>${releases || `<tr><td colspan="5" class="muted">none yet (station-noc fleet config push)</td></tr>`}</tbody></table>
    <h2>Rollouts</h2>${runs || `<p class="muted">none yet (station-noc fleet rollout start)</p>`}`;
  /** @type {NodeListOf<HTMLButtonElement>} */ ($main.querySelectorAll("button[data-halt]")).forEach((b) =>
    b.addEventListener("click", async () => {
      if (!confirm(`Halt rollout ${b.dataset.halt}? Stations already updated stay on the new version.`))
        return;
      b.disabled = true;
      try {
        await post(`/api/v1/fleet/rollouts/${encodeURIComponent(b.dataset.halt)}/halt`);
      } catch (e) {
        alert(e.message);
      }
      viewFleet();
    }),
  );
}
