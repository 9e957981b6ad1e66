// station-noc dashboard: the Alerts page, maintenance windows and the alert badges. Loaded before
// app.js, whose helpers (get, ago, stationLink, $main) it uses when called; t, fmtTime and fmtNum come
// from i18n.js, esc, english and alertTitleHtml from server-texts.js.
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
      ? `${t("alerts.ackedBy", { who: esc(a.ackedBy), ago: ago(iso(a.ackedAt)) })}${a.ackNote ? `: “${esc(a.ackNote)}”` : ""}`
      : a.state === "resolved"
        ? t("alerts.resolvedAgo", { ago: ago(iso(a.resolvedAt)) })
        : a.suppressed
          ? t("alerts.suppressedWhy", { why: t(`suppression.${a.suppressed}`) })
          : t("alerts.firingLevel", { level: a.level + 1 });
  const buttons =
    actions && canAct()
      ? `<button data-ack="${esc(a.id)}">${t("alerts.ack")}</button> <button data-silence="${esc(a.id)}">${t("alerts.silence")}</button>`
      : "";
  // The title is the engine's English sentence (also what the notices carry).
  return `<tr data-alert="${esc(a.id)}"><td><span class="badge ${SEV[a.severity] || ""}">${t(`severity.${a.severity}`)}</span></td>
    <td>${alertTitleHtml(a)}${members}</td><td>${where}</td><td title="${fmtTime(iso(a.startedAt))}">${ago(iso(a.startedAt))}</td>
    <td>${state}</td><td>${buttons} <button data-history="${esc(a.id)}">${t("alerts.history")}</button></td></tr>`;
}

function alertTable(title, list, actions, id) {
  const body = list.length
    ? list.map((a) => alertRow(a, actions)).join("")
    : `<tr><td colspan="6" class="muted">${t("empty.none")}</td></tr>`;
  return `<h2>${t(title)} <span class="muted">(${fmtNum(list.length)})</span></h2><table id="${id}"><thead><tr><th>${t("col.severity")}</th>
    <th>${t("col.alert")}</th><th>${t("col.where")}</th><th>${t("col.since")}</th><th>${t("col.state")}</th><th></th></tr></thead><tbody>${body}</tbody></table>`;
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the router in app.js
async function viewAlerts() {
  const a = await get("/api/v1/alerts?hours=24");
  const windows = a.maintenance
    .map(
      (
        m,
      ) => `<tr><td>${t(`scope.${m.scope}`)}</td><td>${m.target ? esc(m.target) : t("alerts.allStations")}</td><td>${fmtTime(iso(m.startAt))}</td>
      <td>${fmtTime(iso(m.endAt))}</td><td>${esc(m.reason)}</td><td>${esc(m.createdBy)}</td>
      <td>${canAct() ? `<button data-end="${esc(m.id)}">${t("alerts.endNow")}</button>` : ""}</td></tr>`,
    )
    .join("");
  const scopes = ["station", "district", "all"].map(
    (s) => `<option value="${s}">${t(`scope.${s}`)}</option>`,
  );
  $main.innerHTML = `<h1>${t("alerts.title")}</h1>
    ${alertTable("alerts.firing", a.firing, true, "alerts-firing")}
    ${alertTable("alerts.acked", a.acknowledged, false, "alerts-acked")}
    ${alertTable("alerts.suppressed", a.suppressed, false, "alerts-suppressed")}
    ${alertTable("alerts.resolved", a.resolved, false, "alerts-resolved")}
    <h2>${t("alerts.windows")}</h2>
    <table id="maintenance"><thead><tr><th>${t("col.scope")}</th><th>${t("col.target")}</th><th>${t("col.from")}</th><th>${t("col.until")}</th><th>${t("col.reason")}</th><th>${t("col.by")}</th><th></th></tr></thead>
    <tbody>${windows || `<tr><td colspan="7" class="muted">${t("empty.none")}</td></tr>`}</tbody></table>
    <form id="new-window" class="card" ${canAct() ? "" : "hidden"}>
      <b>${t("alerts.plan")}</b>
      <select name="scope">${scopes.join("")}</select>
      <input name="target" placeholder="${esc(t("alerts.targetPlaceholder"))}" />
      <input name="start" type="datetime-local" title="${esc(t("alerts.startTitle"))}" />
      <input name="hours" type="number" min="0.25" step="0.25" value="2" title="${esc(t("alerts.hoursTitle"))}" /> ${t("alerts.hoursUnit")}
      <input name="reason" placeholder="${esc(t("alerts.reasonPlaceholder"))}" required />
      <button type="submit">${t("alerts.create")}</button>
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
      alert(`${t("error.failed")} ${serverErrorText(err)}`);
    }
  };
}

async function alertAction(el) {
  const d = el.dataset || {};
  try {
    if (d.ack) {
      const note = prompt(t("alerts.notePrompt")) || undefined;
      await post(`/api/v1/alerts/${encodeURIComponent(d.ack)}/acknowledge`, { note });
    } else if (d.silence) {
      await post(`/api/v1/alerts/${encodeURIComponent(d.silence)}/silence`, { minutes: 60 });
    } else if (d.end) {
      await post(`/api/v1/maintenance/${encodeURIComponent(d.end)}/end`, {});
    } else if (d.history) {
      const h = await get(`/api/v1/alerts/${encodeURIComponent(d.history)}/history`);
      document.getElementById("alert-history").innerHTML =
        `<h2>${t("alerts.history")}</h2><table><thead><tr><th>${t("col.when")}</th><th>${t("col.who")}</th>
        <th>${t("col.what")}</th><th>${t("col.detail")}</th></tr></thead><tbody>${h.events
          .map(
            (x) =>
              `<tr><td>${fmtTime(iso(x.at))}</td><td>${esc(x.actor)}</td><td><code>${esc(x.action)}</code></td><td>${english(x.detail || "")}</td></tr>`,
          )
          .join("")}</tbody></table>`;
      return;
    } else return;
    render();
  } catch (err) {
    alert(`${t("error.failed")} ${serverErrorText(err)}`);
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
        ? `<a href="#/alerts" class="badge down">${t("alerts.firingBadge", { n })}</a> ${a.firing
            .slice(0, 5)
            .map((x) => alertTitleHtml(x))
            .join(" · ")}`
        : a.acknowledged.length
          ? `<a href="#/alerts" class="badge unknown">${t("alerts.ackedBadge", { n: a.acknowledged.length })}</a>`
          : `<span class="badge up">${t("alerts.none")}</span>`;
  } catch {
    // the badge is a convenience; the Alerts page shows the error
  }
}
setInterval(refreshAlertBadges, 10_000);
