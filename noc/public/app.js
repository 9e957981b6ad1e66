// @ts-check
// station-noc dashboard: plain JS, hash routes, server-side paging, live updates over SSE.
// Type-checked by `npm run typecheck` (noc/public/tsconfig.json: checkJs against the DOM types).
// Every text a person reads comes from t() (i18n.js); alert titles, cause details and event sentences
// are worded from their codes by server-texts.js, and what is left in the server's English (an unknown
// code, error messages) is marked lang="en" where it is shown.
"use strict";

/** The element an event came from, as the input or element it is here. */
const input = (/** @type {Event} */ e) => /** @type {HTMLInputElement} */ (e.target);

const $main = document.getElementById("main");
const PAGE = 50;
const pct = (p) => (p === null || p === undefined ? "—" : `${fmtNum(p, 2)} %`);
// Whole minutes, with one decimal below ten so that short outages do not read as zero.
const mins = (s) => (!s ? "0" : s < 600 ? fmtNum(s / 60, 1) : fmtNum(Math.round(s / 60)));

// An event's data in one short line: the fields that say what happened first (an outage's cause, the
// link or device, the reason), cut before escaping so that the cut never lands inside an entity; the
// whole data is in the cell's tooltip.
const GIST_FIRST = ["cause", "link", "device", "reason", "from", "to", "durationS", "error"];
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- station.js shows it
function eventGist(data, max = 160) {
  const keys = Object.keys(data || {});
  const ordered = [
    ...GIST_FIRST.filter((k) => keys.includes(k)),
    ...keys.filter((k) => !GIST_FIRST.includes(k)),
  ];
  const text = ordered
    .map((k) => {
      const v = data[k];
      return `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`;
    })
    .join(", ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return t("time.secondsAgo", { n: Math.round(s) });
  if (s < 3600) return t("time.minutesAgo", { n: Math.round(s / 60) });
  if (s < 86400) return t("time.hoursAgo", { n: fmtNum(s / 3600, 1) });
  return t("time.daysAgo", { n: fmtNum(s / 86400, 1) });
}

// Who is signed in (GET /api/v1/me); its csrf token goes with every POST.
let me = null;

function toLogin() {
  location.replace("/login");
  return new Promise(() => undefined);
}

async function get(path) {
  const r = await fetch(path, { headers: { accept: "application/json" } });
  if (r.status === 401) return toLogin();
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw serverError(body, r.status);
  return body;
}

async function post(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": me?.csrf ?? "" },
    body: JSON.stringify(body ?? {}),
  });
  if (r.status === 401) return toLogin();
  const out = await r.json().catch(() => ({}));
  if (!r.ok) throw serverError(out, r.status);
  return out;
}

async function signIn() {
  me = await get("/api/v1/me");
  setTimeZone(me.timeZone);
  showUser();
  document.getElementById("nav-audit").hidden = !(me.role === "admin" && !me.district);
  // The collector page covers every district.
  const collector = /** @type {HTMLElement} */ (document.querySelector('nav a[data-nav="collector"]'));
  if (me.district) collector.hidden = true;
}

function showUser() {
  const scope = me.district ? ` · ${esc(me.district)}` : "";
  document.getElementById("user").innerHTML =
    `<span>${esc(me.name)} (${t(`role.${me.role}`)}${scope})</span><button id="logout">${t("user.signOut")}</button>`;
  document.getElementById("logout").addEventListener("click", async () => {
    await post("/auth/logout").catch(() => undefined);
    toLogin();
  });
  document.getElementById("footer-zone").textContent = t("footer.zone", {
    zone: me.timeZone || "Asia/Kolkata",
  });
}

async function viewAudit() {
  const a = await get("/api/v1/audit?limit=200");
  const rows = a.entries
    .map(
      (e) =>
        `<tr><td>${fmtTime(e.at)}</td><td>${esc(e.actor)}</td><td><code>${esc(e.action)}</code></td><td>${esc(e.target)}</td><td><code>${esc(e.result)}</code></td><td><code>${esc(e.detail)}</code></td><td>${esc(e.address)}</td></tr>`,
    )
    .join("");
  $main.innerHTML = `<h1>${t("audit.title")}</h1><p><a href="/api/v1/audit.csv?limit=10000&lang=${lang}">${t("audit.csv")}</a></p>
    <table><thead><tr><th>${t("col.when")}</th><th>${t("col.who")}</th><th>${t("col.action")}</th><th>${t("col.on")}</th><th>${t("col.result")}</th><th>${t("col.detail")}</th><th>${t("col.address")}</th></tr></thead><tbody>${rows || `<tr><td colspan="7" class="muted">${t("empty.nothingYet")}</td></tr>`}</tbody></table>`;
}

function route() {
  const [path, qs] = location.hash.slice(1).split("?");
  return { path: path || "/", params: new URLSearchParams(qs || "") };
}

function go(path, params) {
  const q = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== "" && v !== undefined && v !== null),
  );
  location.hash = `${path}${q.toString() ? `?${q}` : ""}`;
}

const badge = (status) => `<span class="badge ${esc(status)}">${t(`status.${status}`)}</span>`;
const causeLabel = (c) => (c ? `<span class="cause ${esc(c)}">${t(`cause.${c}`)}</span>` : "");
const stationLink = (id) => `<a href="#/station/${encodeURIComponent(id)}">${esc(id)}</a>`;

function renderCounts(s) {
  document.getElementById("counts").innerHTML =
    `<span>${t("counts.stations")} <b>${fmtNum(s.total)}</b></span>` +
    `<span>${t("status.up")} <b style="color:#7ee2a8">${fmtNum(s.up)}</b></span>` +
    `<span>${t("status.down")} <b style="color:#ff9a9a">${fmtNum(s.down)}</b></span>` +
    `<span>${t("status.unknown")} <b>${fmtNum(s.unknown)}</b></span>`;
}

function pager(total, offset, onPage) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + PAGE);
  const el = document.createElement("div");
  el.className = "pager";
  el.innerHTML = `<button ${offset <= 0 ? "disabled" : ""} data-p="prev">${t("pager.prev")}</button>
    <span>${t("pager.range", { from, to, total })}</span>
    <button ${to >= total ? "disabled" : ""} data-p="next">${t("pager.next")}</button>`;
  el.addEventListener("click", (e) => {
    const p = input(e).dataset && input(e).dataset.p;
    if (p === "prev") onPage(Math.max(0, offset - PAGE));
    if (p === "next") onPage(offset + PAGE);
  });
  return el;
}

// ---- views ----

// This month's ranking for the summary's district table: fetched at most once a minute, since the
// summary re-renders on every live change and the month's figures move only with the rollup.
let monthFigures = { at: 0, byDistrict: new Map() };
async function monthByDistrict() {
  if (Date.now() - monthFigures.at > 60_000) {
    const r = await get("/api/v1/ranking");
    monthFigures = { at: Date.now(), byDistrict: new Map(r.ranks.map((d) => [d.district, d])) };
  }
  return monthFigures.byDistrict;
}

async function viewSummary() {
  const [s, month] = await Promise.all([get("/api/v1/summary"), monthByDistrict()]);
  renderCounts(s);
  const tile = (n, l, cls = "") =>
    `<div class="tile ${cls}"><div class="n">${fmtNum(n)}</div><div class="l">${t(`summary.tile.${l}`)}</div></div>`;
  const rows = s.districts
    .map((d) => {
      const w = (n) => (d.total ? (100 * n) / d.total : 0);
      const m = month.get(d.district);
      return `<tr><td><a href="#/stations?district=${encodeURIComponent(d.district)}">${esc(d.district)}</a></td>
      <td class="num">${fmtNum(d.total)}</td><td class="num">${fmtNum(d.up)}</td>
      <td class="num">${d.down ? `<a href="#/dark?district=${encodeURIComponent(d.district)}">${fmtNum(d.down)}</a>` : 0}</td>
      <td class="num">${fmtNum(d.unknown)}</td>
      <td><div class="bar" title="${esc(t("summary.bar", d))}"><i class="up" style="width:${w(d.up)}%"></i><i class="down" style="width:${w(d.down)}%"></i><i class="unknown" style="width:${w(d.unknown)}%"></i></div></td>
      <td class="num">${fmtNum(d.onBackup)}</td><td class="num">${fmtNum(d.onBattery)}</td><td class="num">${fmtNum(d.faultedDevices)}</td>
      <td class="num">${m ? pct(m.uptimePct) : "—"}</td><td class="num planned">${m ? mins(m.availability.plannedS) : "—"}</td></tr>`;
    })
    .join("");
  $main.innerHTML = `<h1>${t("summary.title")}</h1><div id="summary-alerts" class="alert-strip"></div>
    <div class="tiles">${tile(s.total, "stations")}${tile(s.up, "up", "up")}${tile(s.down, "down", "down")}
    ${tile(s.unknown, "unknown", "unknown")}${tile(s.onBackup, "onBackup", "warn")}
    ${tile(s.onBattery, "onBattery", "warn")}${tile(s.faultedDevices, "faulted", "warn")}${tile(s.stuckBookings, "stuck", "warn")}</div>
    <h2>${t("summary.byDistrict")}</h2>
    <table id="districts"><thead><tr><th>${t("col.district")}</th><th class="num">${t("col.stations")}</th><th class="num">${t("col.up")}</th><th class="num">${t("col.down")}</th>
    <th class="num">${t("col.unknown")}</th><th>${t("col.now")}</th><th class="num">${t("col.onBackup")}</th><th class="num">${t("col.onBattery")}</th><th class="num">${t("col.faultedDevices")}</th>
    <th class="num" title="${esc(t("col.uptimeMonthTitle"))}">${t("col.uptimeMonth")}</th>
    <th class="num" title="${esc(t("col.plannedMonthTitle"))}">${t("col.plannedMonth")}</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="11" class="muted">${t("summary.none")}</td></tr>`}</tbody></table>`;
}

function stationRows(items, dark) {
  return items
    .map(
      (
        s,
      ) => `<tr data-id="${esc(s.id)}"><td>${stationLink(s.id)}</td><td>${esc(s.name)}</td><td>${esc(s.district)}</td><td>${badge(s.status)}</td>
      <td><time datetime="${esc(s.since)}">${fmtTime(s.since)}</time><br><span class="muted">${ago(s.since)}</span></td>
      ${dark ? `<td>${causeLabel(s.cause)}${s.causeDetail ? `<br><span class="muted cause-detail">${causeDetailHtml(s)}</span>` : ""}</td>` : `<td>${esc(s.activeLink || "—")}${s.onBackup ? ` <span class="badge warn">${t("badge.backup")}</span>` : ""}</td>`}
      <td>${s.faulted.length ? s.faulted.map((d) => `<span class="badge faulted">${esc(d)}</span>`).join(" ") : ""}${s.bookingsStuckS ? ` <span class="badge warn" title="${esc(t("stations.stuckTitle", { min: Math.round(s.bookingsStuckS / 60) }))}">${t("stations.stuck", { n: s.bookingsWaiting })}</span>` : ""}</td>
      <td>${fmtTime(s.lastSeen)}</td></tr>`,
    )
    .join("");
}

async function viewList(params, dark) {
  const offset = Number(params.get("offset") || 0);
  const q = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  for (const k of ["district", "q", "status", "sort"]) if (params.get(k)) q.set(k, params.get(k));
  const data = await get(`/api/v1/${dark ? "dark" : "stations"}?${q}`);
  const summary = await get("/api/v1/summary");
  renderCounts(summary);
  const districts = summary.districts
    .map(
      (d) => `<option ${d.district === params.get("district") ? "selected" : ""}>${esc(d.district)}</option>`,
    )
    .join("");
  $main.innerHTML = `<h1>${t(dark ? "list.darkTitle" : "list.allTitle")}</h1>
    <div class="toolbar">
      <select id="f-district"><option value="">${t("filter.allDistricts")}</option>${districts}</select>
      ${
        dark
          ? ""
          : `<select id="f-status"><option value="">${t("filter.anyStatus")}</option>${["up", "down", "unknown"].map((s) => `<option value="${s}" ${s === params.get("status") ? "selected" : ""}>${t(`status.${s}`)}</option>`).join("")}</select>
      <input id="f-q" placeholder="${esc(t("filter.search"))}" value="${esc(params.get("q") || "")}">`
      }
      <span class="muted">${dark ? t("list.darkNote") : ""}</span>
    </div>
    <table id="${dark ? "dark-table" : "stations-table"}"><thead><tr><th>${t("col.station")}</th><th>${t("col.name")}</th><th>${t("col.district")}</th><th>${t("col.status")}</th><th>${t("col.since")}</th>
    <th>${t(dark ? "col.cause" : "col.activeLink")}</th><th>${t("col.faulted")}</th><th>${t("col.lastHeard")}</th></tr></thead>
    <tbody>${stationRows(data.items, dark) || `<tr><td colspan="8" class="muted">${t(dark ? "list.noDark" : "list.noMatch")}</td></tr>`}</tbody></table>`;
  const base = dark ? "/dark" : "/stations";
  const cur = Object.fromEntries(params);
  $main.appendChild(pager(data.total, offset, (o) => go(base, { ...cur, offset: o })));
  document.getElementById("f-district").onchange = (e) =>
    go(base, { ...cur, district: input(e).value, offset: 0 });
  if (!dark) {
    document.getElementById("f-status").onchange = (e) =>
      go(base, { ...cur, status: input(e).value, offset: 0 });
    document.getElementById("f-q").onchange = (e) => go(base, { ...cur, q: input(e).value, offset: 0 });
  }
}

async function viewRanking(params) {
  const month = params.get("month") || "";
  const data = await get(`/api/v1/ranking${month ? `?month=${month}` : ""}`);
  const rows = data.ranks
    .map((r) => {
      const a = r.availability;
      const links = Object.entries(a.networkLinks)
        .map(([l, s]) => `${esc(l)} ${mins(s)}`)
        .join(", ");
      return `<tr><td class="num">${fmtNum(r.rank)}</td><td>${esc(r.district)}</td><td class="num">${fmtNum(r.stations)}</td><td class="num"><b>${pct(r.uptimePct)}</b></td>
      <td class="num">${pct(r.uptimeRawPct)}</td><td class="num planned">${mins(a.plannedS)}</td><td class="num">${mins(r.unplannedDownS)}</td>
      <td class="num">${mins(a.down.power)}</td><td class="num">${mins(a.down.network)}${links ? `<br><span class="muted">${links}</span>` : ""}</td>
      <td class="num">${mins(a.down.agent)}</td><td class="num">${mins(a.down.unattributed)}</td><td class="num">${mins(a.unknownS)}</td><td class="num">${mins(a.backupS)}</td></tr>`;
    })
    .join("");
  const csv = `month=${esc(data.month)}&amp;lang=${lang}`;
  $main.innerHTML = `<h1>${t("ranking.title", { month: esc(data.month) })}</h1>
    <div class="toolbar"><label>${t("ranking.month")} <input type="month" id="f-month" value="${esc(data.month)}"></label>
    <a href="/api/v1/ranking.csv?${csv}">${t("ranking.csv")}</a>
    <a href="/api/v1/availability.csv?${csv}">${t("ranking.availabilityCsv")}</a>
    <span class="muted">${t("ranking.note", { zone: esc(data.timeZone) })}</span></div>
    <table id="ranking"><thead><tr><th class="num">${t("col.rank")}</th><th>${t("col.district")}</th><th class="num">${t("col.stations")}</th><th class="num">${t("col.uptime")}</th>
    <th class="num" title="${esc(t("col.uptimeRawTitle"))}">${t("col.uptimeRaw")}</th><th class="num" title="${esc(t("col.plannedTitle"))}">${t("col.plannedMin")}</th><th class="num">${t("col.unplannedMin")}</th>
    <th class="num">${t("col.powerMin")}</th><th class="num">${t("col.networkMin")}</th><th class="num">${t("col.agentMin")}</th>
    <th class="num">${t("col.unreportedMin")}</th><th class="num">${t("col.unknownMin")}</th><th class="num">${t("col.backupMin")}</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="13" class="muted">${t("ranking.none")}</td></tr>`}</tbody></table>`;
  document.getElementById("f-month").onchange = (e) => go("/ranking", { month: input(e).value });
}

async function viewCollector() {
  const c = await get("/api/v1/collector");
  const rejects = c.recentRejects
    .map(
      (r) =>
        `<tr><td>${fmtTime(r.at)}</td><td><code>${esc(r.reason)}</code></td><td><code>${esc(r.topic)}</code></td><td>${english(r.detail)}</td></tr>`,
    )
    .join("");
  const lag = (h) =>
    h.count ? t("collector.lag", { p50: h.p50, p99: h.p99, max: h.max, count: h.count }) : "—";
  $main.innerHTML = `<h1>${t("collector.title")}</h1><div class="card">
    <dl>${[
      ["collector.instance", esc(c.instance)],
      ["collector.mqtt", t(c.mqttConnected ? "collector.connected" : "collector.disconnected")],
      ["collector.storage", `<code>${esc(c.storage)}</code>`],
      ["collector.received", fmtNum(c.received)],
      ["collector.accepted", fmtNum(c.accepted)],
      ["collector.duplicates", fmtNum(c.duplicates)],
      ["collector.invalid", `${fmtNum(c.invalid)} <code>${esc(JSON.stringify(c.invalidByReason))}</code>`],
      ["collector.gaps", `<code>${esc(JSON.stringify(c.gaps))}</code>`],
      ["collector.ingestLag", lag(c.lagMs.ingest)],
      ["collector.commitLag", lag(c.lagMs.commit)],
      ["collector.pending", fmtNum(c.pendingWrites)],
    ]
      .map(([k, v]) => `<dt>${t(k)}</dt><dd>${v}</dd>`)
      .join("")}</dl></div>
    <h2>${t("collector.rejects")}</h2><table><thead><tr><th>${t("col.when")}</th><th>${t("col.reason")}</th><th>${t("col.topic")}</th><th>${t("col.detail")}</th></tr></thead><tbody>${rejects || `<tr><td colspan="4" class="muted">${t("empty.none")}</td></tr>`}</tbody></table>`;
}

// ---- router and live updates ----

let rendering = false;
let again = false;
async function render() {
  if (rendering) return void (again = true);
  rendering = true;
  const { path, params } = route();
  const nav = path === "/" ? "summary" : path.split("/")[1];
  document
    .querySelectorAll("nav a")
    .forEach((a) => a.classList.toggle("active", /** @type {HTMLElement} */ (a).dataset.nav === nav));
  try {
    if (path === "/") await viewSummary();
    else if (path === "/dark") await viewList(params, true);
    else if (path === "/stations") await viewList(params, false);
    else if (path === "/ranking") await viewRanking(params);
    else if (path === "/collector") await viewCollector();
    else if (path === "/alerts") await viewAlerts();
    else if (path === "/audit") await viewAudit();
    else if (path === "/fleet") await viewFleet();
    else if (path.startsWith("/station/")) await viewStation(decodeURIComponent(path.slice(9)), params);
    else $main.innerHTML = `<p class="error">${t("error.noPage")}</p>`;
  } catch (e) {
    $main.innerHTML = `<p class="error">${t("error.failed")} ${serverErrorHtml(e)}</p>`;
  } finally {
    refreshAlertBadges();
    rendering = false;
    if (again) {
      again = false;
      render();
    }
  }
}

let refreshTimer;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(render, 300);
}

function connectLive() {
  const live = document.getElementById("live");
  const es = new EventSource("/api/v1/stream");
  // The switch of language redraws the indicator through data-i18n, so the key changes, not the text.
  const show = (key, on) => {
    live.dataset.i18n = key;
    live.textContent = t(key);
    live.classList.toggle("on", on);
  };
  es.onopen = () => show("live.on", true);
  es.onerror = () => show("live.reconnecting", false);
  es.addEventListener("summary", (e) => renderCounts(JSON.parse(e.data)));
  es.addEventListener("stations", () => {
    const { path } = route();
    // Pages showing live state refetch their current page; the ranking and collector pages do not.
    if (path === "/" || path === "/dark" || path === "/stations" || path.startsWith("/station/"))
      refreshSoon();
    else if (path === "/alerts") setTimeout(refreshSoon, 1500); // after the next alert evaluation
  });
}

window.addEventListener("hashchange", () => {
  window.scrollTo(0, 0);
  render();
});
i18nStart(() => {
  if (me) showUser();
  render();
});
signIn().then(() => {
  render();
  connectLive();
}, toLogin);
