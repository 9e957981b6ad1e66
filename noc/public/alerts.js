// station-noc dashboard: the Alerts page, maintenance windows and the alert badges. Loaded before
// app.js, whose helpers (esc, get, fmtTime, ago, stationLink, $main) it uses when called.
"use strict";

// Acting on alerts (acknowledge, silence, maintenance) needs the operator role; the server records the
// signed-in user. post() (app.js) sends the session's CSRF token.
const canAct = () => me && me.role !== "viewer";

const SEV = { critical: "down", warning: "unknown", info: "up" };
const iso = (ms) => (ms ? new Date(ms).toISOString() : "");

function alertRow(a, actions) {
  const where = a.station ? stationLink(a.station) : esc(a.district || "");
  const members =
    a.stations && a.stations.length
      ? `<div class="muted">${a.stations.map(stationLink).join(", ")}</div>`
      : "";
  const state =
    a.state === "acknowledged"
      ? `acknowledged by ${esc(a.ackedBy)} ${ago(iso(a.ackedAt))}${a.ackNote ? `: “${esc(a.ackNote)}”` : ""}`
      : a.state === "resolved"
        ? `resolved ${ago(iso(a.resolvedAt))}`
        : a.suppressed
          ? `recorded, not sent (${esc(a.suppressed)})`
          : `firing, level ${a.level + 1}`;
  const buttons =
    actions && canAct()
      ? `<button data-ack="${esc(a.id)}">Acknowledge</button> <button data-silence="${esc(a.id)}">Silence 1 h</button>`
      : "";
  return `<tr data-alert="${esc(a.id)}"><td><span class="badge ${SEV[a.severity] || ""}">${esc(a.severity)}</span></td>
    <td>${esc(a.title)}${members}</td><td>${where}</td><td title="${fmtTime(iso(a.startedAt))}">${ago(iso(a.startedAt))}</td>
    <td>${state}</td><td>${buttons} <button data-history="${esc(a.id)}">History</button></td></tr>`;
}

function alertTable(title, list, actions, id) {
  const body = list.length
    ? list.map((a) => alertRow(a, actions)).join("")
    : `<tr><td colspan="6" class="muted">none</td></tr>`;
  return `<h2>${title} <span class="muted">(${list.length})</span></h2><table id="${id}"><thead><tr><th>Severity</th>
    <th>Alert</th><th>Where</th><th>Since</th><th>State</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the router in app.js
async function viewAlerts() {
  const a = await get("/api/v1/alerts?hours=24");
  const windows = a.maintenance
    .map(
      (
        m,
      ) => `<tr><td>${esc(m.scope)}</td><td>${esc(m.target || "all stations")}</td><td>${fmtTime(iso(m.startAt))}</td>
      <td>${fmtTime(iso(m.endAt))}</td><td>${esc(m.reason)}</td><td>${esc(m.createdBy)}</td>
      <td>${canAct() ? `<button data-end="${esc(m.id)}">End now</button>` : ""}</td></tr>`,
    )
    .join("");
  $main.innerHTML = `<h1>Alerts</h1>
    ${alertTable("Firing", a.firing, true, "alerts-firing")}
    ${alertTable("Acknowledged", a.acknowledged, false, "alerts-acked")}
    ${alertTable("In maintenance or grouped", a.suppressed, false, "alerts-suppressed")}
    ${alertTable("Resolved in the last 24 h", a.resolved, false, "alerts-resolved")}
    <h2>Maintenance windows</h2>
    <table id="maintenance"><thead><tr><th>Scope</th><th>Target</th><th>From</th><th>Until</th><th>Reason</th><th>By</th><th></th></tr></thead>
    <tbody>${windows || `<tr><td colspan="7" class="muted">none</td></tr>`}</tbody></table>
    <form id="new-window" class="card" ${canAct() ? "" : "hidden"}>
      <b>Plan a window</b>
      <select name="scope"><option value="station">station</option><option value="district">district</option><option value="all">all</option></select>
      <input name="target" placeholder="station id or district" />
      <input name="start" type="datetime-local" title="start, in this browser's zone; empty: now. A past start plans time already gone (its availability is recomputed)." />
      <input name="hours" type="number" min="0.25" step="0.25" value="2" title="hours from the start" /> h
      <input name="reason" placeholder="reason" required />
      <button type="submit">Create</button>
    </form>
    <div id="alert-history"></div>`;
  $main.onclick = (e) => void alertAction(e.target);
  document.getElementById("new-window").onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(/** @type {HTMLFormElement} */ (e.target));
    const start = f.get("start") ? new Date(String(f.get("start"))).getTime() : Date.now();
    try {
      await post("/api/v1/maintenance", {
        scope: f.get("scope"),
        target: f.get("target"),
        ...(f.get("start") ? { start: new Date(start).toISOString() } : {}),
        end: new Date(start + Number(f.get("hours")) * 3600_000).toISOString(),
        reason: f.get("reason"),
      });
      render();
    } catch (err) {
      alert(err.message);
    }
  };
}

async function alertAction(el) {
  const d = el.dataset || {};
  try {
    if (d.ack) {
      const note = prompt("Note (optional):") || undefined;
      await post(`/api/v1/alerts/${encodeURIComponent(d.ack)}/acknowledge`, { note });
    } else if (d.silence) {
      await post(`/api/v1/alerts/${encodeURIComponent(d.silence)}/silence`, { minutes: 60 });
    } else if (d.end) {
      await post(`/api/v1/maintenance/${encodeURIComponent(d.end)}/end`, {});
    } else if (d.history) {
      const h = await get(`/api/v1/alerts/${encodeURIComponent(d.history)}/history`);
      document.getElementById("alert-history").innerHTML =
        `<h2>History</h2><table><thead><tr><th>When</th><th>Who</th>
        <th>What</th><th>Detail</th></tr></thead><tbody>${h.events
          .map(
            (x) =>
              `<tr><td>${fmtTime(iso(x.at))}</td><td>${esc(x.actor)}</td><td>${esc(x.action)}</td><td>${esc(x.detail || "")}</td></tr>`,
          )
          .join("")}</tbody></table>`;
      return;
    } else return;
    render();
  } catch (err) {
    alert(err.message);
  }
}

// The badge on the nav and the summary page: alerts firing and not yet acknowledged.
async function refreshAlertBadges() {
  try {
    const a = await get("/api/v1/alerts?hours=1");
    const n = a.firing.length;
    const el = document.getElementById("alert-count");
    if (el) {
      el.textContent = n ? String(n) : "";
      el.className = n ? "badge down" : "";
    }
    const box = document.getElementById("summary-alerts");
    if (box)
      box.innerHTML = n
        ? `<a href="#/alerts" class="badge down">${n} alert${n > 1 ? "s" : ""} firing</a> ${a.firing
            .slice(0, 5)
            .map((x) => esc(x.title))
            .join(" · ")}`
        : a.acknowledged.length
          ? `<a href="#/alerts" class="badge unknown">${a.acknowledged.length} acknowledged</a>`
          : `<span class="badge up">no alerts</span>`;
  } catch {
    // the badge is a convenience; the Alerts page shows the error
  }
}
setInterval(refreshAlertBadges, 10_000);
