// The Fleet page: agent and config versions, config releases, rollouts with a halt button.
// Kept apart from app.js; it uses app.js's get, post, $main and me, i18n.js's t, fmtNum, fmtTime, and
// server-texts.js's esc and haltReasonHtml.
"use strict";

function fleetCounts(counts) {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `<tr><td><code>${esc(v)}</code></td><td class="num">${fmtNum(n)}</td></tr>`)
    .join("");
  return rows || `<tr><td colspan="2" class="muted">${t("empty.none")}</td></tr>`;
}

function fleetScope(s) {
  if (s.kind === "all") return t("alerts.allStations");
  if (s.kind === "district") return t("fleet.scopeDistrict", { name: esc(s.district) });
  return t("fleet.scopeStation", { id: esc(s.station) });
}

function fleetRings(r) {
  return r.rings
    .map((g, i) => {
      const now = r.status === "running" && i === r.ring ? " ◀" : "";
      const bad = g.rolledBack
        ? ` · <span class="error">${t("fleet.ringRolledBack", { n: g.rolledBack })}</span>`
        : "";
      const failed = g.failed ? ` · ${t("fleet.ringFailed", { n: g.failed })}` : "";
      const waiting = g.pending ? ` · ${t("fleet.ringWaiting", { n: g.pending })}` : "";
      return `<li>${t("fleet.ring", { name: esc(g.name), on: g.onTarget, total: g.stations })}${failed}${bad}${waiting}${now}</li>`;
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
        `<tr><td><code>${esc(r.version)}</code></td><td>${fleetScope(r.scope)}</td><td>${fmtTime(new Date(r.createdAt).toISOString())}</td><td>${esc(r.createdBy)}</td><td>${
          Object.entries(r.stations)
            .map(([state, n]) => `${fmtNum(n)} ${t(`releaseState.${state}`)}`)
            .join(", ") || t("fleet.noStation")
        }</td></tr>`,
    )
    .join("");
  const runs = rollouts.rollouts
    .slice()
    .reverse()
    .map(
      (
        r,
      ) => `<div class="card"><h3>${t("fleet.rollout", { id: `<code>${esc(r.id)}</code>`, version: `<code>${esc(r.version)}</code>`, status: t(`rolloutStatus.${r.status}`) })}
        ${r.status === "running" && mayHalt ? `<button data-halt="${esc(r.id)}">${t("fleet.halt")}</button>` : ""}</h3>
        <p class="muted">${t("fleet.started", { time: fmtTime(r.createdAt), who: esc(r.createdBy) })}${r.haltReason ? ` · <span class="error halt-reason">${haltReasonHtml(r)}</span>` : ""}</p>
        <ol>${fleetRings(r)}</ol></div>`,
    )
    .join("");
  $main.innerHTML = `<h1>${t("fleet.title")}</h1>
    <h2>${t("fleet.agentVersions")}</h2><table><thead><tr><th>${t("col.version")}</th><th>${t("col.stations")}</th></tr></thead><tbody>${fleetCounts(versions.agent)}</tbody></table>
    <h2>${t("fleet.configVersions")}</h2><table><thead><tr><th>${t("col.fragment")}</th><th>${t("col.stations")}</th></tr></thead><tbody>${fleetCounts(versions.fragment)}</tbody></table>
    <h2>${t("fleet.releases")}</h2><table><thead><tr><th>${t("col.version")}</th><th>${t("col.for")}</th><th>${t("col.released")}</th><th>${t("col.by")}</th><th>${t("col.stations")}</th></tr></thead><tbody>${releases || `<tr><td colspan="5" class="muted">${t("fleet.noReleases", { command: "<code>station-noc fleet config push</code>" })}</td></tr>`}</tbody></table>
    <h2>${t("fleet.rollouts")}</h2>${runs || `<p class="muted">${t("fleet.noRollouts", { command: "<code>station-noc fleet rollout start</code>" })}</p>`}`;
  /** @type {NodeListOf<HTMLButtonElement>} */ ($main.querySelectorAll("button[data-halt]")).forEach((b) =>
    b.addEventListener("click", async () => {
      if (!confirm(t("fleet.haltConfirm", { id: b.dataset.halt }))) return;
      b.disabled = true;
      try {
        await post(`/api/v1/fleet/rollouts/${encodeURIComponent(b.dataset.halt)}/halt`);
      } catch (e) {
        alert(`${t("error.failed")} ${serverErrorText(e)}`);
      }
      viewFleet();
    }),
  );
}
