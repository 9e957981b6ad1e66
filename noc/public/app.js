// @ts-check
// station-noc dashboard: plain JS, hash routes, server-side paging, live updates over SSE.
// Type-checked by `npm run typecheck` (noc/public/tsconfig.json: checkJs against the DOM types).
"use strict";

/** The element an event came from, as the input or element it is here. */
const input = (/** @type {Event} */ e) => /** @type {HTMLInputElement} */ (e.target);

const $main = document.getElementById("main");
const PAGE = 50;
const esc = (v) =>
  String(v ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
// Server texts (causes, event sentences) carry RFC 3339 times; show every one in this page's zone.
const ISO_TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g;
const localizeTimes = (text) => String(text ?? "").replace(ISO_TIME, (t) => fmtTime(t));
const pct = (p) => (p === null || p === undefined ? "—" : `${p.toFixed(2)} %`);
// Whole minutes, with one decimal below ten so that short outages do not read as zero.
const mins = (s) => (!s ? "0" : s < 600 ? (s / 60).toFixed(1) : Math.round(s / 60).toLocaleString());

// An event's data in one short line: the fields that say what happened first (an outage's cause, the
// link or device, the reason), cut before escaping so that the cut never lands inside an entity; the
// whole data is in the cell's tooltip.
const GIST_FIRST = ["cause", "link", "device", "reason", "from", "to", "durationS", "error"];
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
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h ago`;
  return `${(s / 86400).toFixed(1)} days ago`;
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
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
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
  if (!r.ok) throw new Error(out.error || `HTTP ${r.status}`);
  return out;
}

async function signIn() {
  me = await get("/api/v1/me");
  const scope = me.district ? ` · ${esc(me.district)}` : "";
  document.getElementById("user").innerHTML =
    `<span>${esc(me.name)} (${esc(me.role)}${scope})</span><button id="logout">Sign out</button>`;
  document.getElementById("logout").addEventListener("click", async () => {
    await post("/auth/logout").catch(() => undefined);
    toLogin();
  });
  document.getElementById("nav-audit").hidden = !(me.role === "admin" && !me.district);
  // The collector page covers every district.
  const collector = /** @type {HTMLElement} */ (document.querySelector('nav a[data-nav="collector"]'));
  if (me.district) collector.hidden = true;
}

async function viewAudit() {
  const a = await get("/api/v1/audit?limit=200");
  const rows = a.entries
    .map(
      (e) =>
        `<tr><td>${fmtTime(e.at)}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td><td>${esc(e.target)}</td><td>${esc(e.result)}</td><td><code>${esc(e.detail)}</code></td><td>${esc(e.address)}</td></tr>`,
    )
    .join("");
  $main.innerHTML = `<h1>Audit log</h1><p><a href="/api/v1/audit.csv?limit=10000">Download CSV</a></p>
    <table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>On</th><th>Result</th><th>Detail</th><th>From</th></tr></thead><tbody>${rows || `<tr><td colspan="7" class="muted">nothing yet</td></tr>`}</tbody></table>`;
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

const badge = (status) => `<span class="badge ${esc(status)}">${esc(status)}</span>`;
const causeLabel = (c) => (c ? `<span class="cause ${esc(c)}">${esc(c)}</span>` : "");
const stationLink = (id) => `<a href="#/station/${encodeURIComponent(id)}">${esc(id)}</a>`;

function renderCounts(s) {
  document.getElementById("counts").innerHTML =
    `<span>stations <b>${s.total.toLocaleString()}</b></span>` +
    `<span>up <b style="color:#7ee2a8">${s.up.toLocaleString()}</b></span>` +
    `<span>down <b style="color:#ff9a9a">${s.down.toLocaleString()}</b></span>` +
    `<span>unknown <b>${s.unknown.toLocaleString()}</b></span>`;
}

function pager(total, offset, onPage) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + PAGE);
  const el = document.createElement("div");
  el.className = "pager";
  el.innerHTML = `<button ${offset <= 0 ? "disabled" : ""} data-p="prev">‹ Prev</button>
    <span>${from.toLocaleString()}–${to.toLocaleString()} of ${total.toLocaleString()}</span>
    <button ${to >= total ? "disabled" : ""} data-p="next">Next ›</button>`;
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
    `<div class="tile ${cls}"><div class="n">${n.toLocaleString()}</div><div class="l">${l}</div></div>`;
  const rows = s.districts
    .map((d) => {
      const w = (n) => (d.total ? (100 * n) / d.total : 0);
      const m = month.get(d.district);
      return `<tr><td><a href="#/stations?district=${encodeURIComponent(d.district)}">${esc(d.district)}</a></td>
      <td class="num">${d.total}</td><td class="num">${d.up}</td>
      <td class="num">${d.down ? `<a href="#/dark?district=${encodeURIComponent(d.district)}">${d.down}</a>` : 0}</td>
      <td class="num">${d.unknown}</td>
      <td><div class="bar" title="${d.up} up, ${d.down} down, ${d.unknown} unknown"><i class="up" style="width:${w(d.up)}%"></i><i class="down" style="width:${w(d.down)}%"></i><i class="unknown" style="width:${w(d.unknown)}%"></i></div></td>
      <td class="num">${d.onBackup}</td><td class="num">${d.onBattery}</td><td class="num">${d.faultedDevices}</td>
      <td class="num">${m ? pct(m.uptimePct) : "—"}</td><td class="num planned">${m ? mins(m.availability.plannedS) : "—"}</td></tr>`;
    })
    .join("");
  $main.innerHTML = `<h1>Summary</h1><div id="summary-alerts" class="alert-strip"></div>
    <div class="tiles">${tile(s.total, "stations")}${tile(s.up, "up", "up")}${tile(s.down, "down (connection lost / stopped)", "down")}
    ${tile(s.unknown, "unknown (silent, no word yet)", "unknown")}${tile(s.onBackup, "on backup link", "warn")}
    ${tile(s.onBattery, "on UPS battery", "warn")}${tile(s.faultedDevices, "faulted devices", "warn")}${tile(s.stuckBookings, "stations with arrest bookings stuck over an hour", "warn")}</div>
    <h2>By district</h2>
    <table id="districts"><thead><tr><th>District</th><th class="num">Stations</th><th class="num">Up</th><th class="num">Down</th>
    <th class="num">Unknown</th><th>Now</th><th class="num">On backup</th><th class="num">On battery</th><th class="num">Faulted devices</th>
    <th class="num" title="up time ÷ (accounted time − planned down time), this month">Uptime this month</th>
    <th class="num" title="down time inside maintenance windows, this month">Planned min this month</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="11" class="muted">No stations yet.</td></tr>`}</tbody></table>`;
}

function stationRows(items, dark) {
  return items
    .map(
      (
        s,
      ) => `<tr data-id="${esc(s.id)}"><td>${stationLink(s.id)}</td><td>${esc(s.name)}</td><td>${esc(s.district)}</td><td>${badge(s.status)}</td>
      <td title="${esc(s.since)}">${fmtTime(s.since)}<br><span class="muted">${ago(s.since)}</span></td>
      ${dark ? `<td>${causeLabel(s.cause)}${s.causeDetail ? `<br><span class="muted">${esc(s.causeDetail)}</span>` : ""}</td>` : `<td>${esc(s.activeLink || "—")}${s.onBackup ? ` <span class="badge warn">backup</span>` : ""}</td>`}
      <td>${s.faulted.length ? s.faulted.map((d) => `<span class="badge faulted">${esc(d)}</span>`).join(" ") : ""}${s.bookingsStuckS ? ` <span class="badge warn" title="oldest sealed booking waiting ${Math.round(s.bookingsStuckS / 60)} min">${s.bookingsWaiting} booking(s) stuck</span>` : ""}</td>
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
  $main.innerHTML = `<h1>${dark ? "Dark stations" : "All stations"}</h1>
    <div class="toolbar">
      <select id="f-district"><option value="">All districts</option>${districts}</select>
      ${
        dark
          ? ""
          : `<select id="f-status"><option value="">Any status</option>${["up", "down", "unknown"].map((s) => `<option ${s === params.get("status") ? "selected" : ""}>${s}</option>`).join("")}</select>
      <input id="f-q" placeholder="Search id or name" value="${esc(params.get("q") || "")}">`
      }
      <span class="muted">${dark ? "Newest first. Probable cause is the NOC's guess until the station reports its outage record." : ""}</span>
    </div>
    <table id="${dark ? "dark-table" : "stations-table"}"><thead><tr><th>Station</th><th>Name</th><th>District</th><th>Status</th><th>Since</th>
    <th>${dark ? "Probable cause" : "Active link"}</th><th>Faulted</th><th>Last heard</th></tr></thead>
    <tbody>${stationRows(data.items, dark) || `<tr><td colspan="8" class="muted">${dark ? "No dark stations." : "No stations match."}</td></tr>`}</tbody></table>`;
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
      return `<tr><td class="num">${r.rank}</td><td>${esc(r.district)}</td><td class="num">${r.stations}</td><td class="num"><b>${pct(r.uptimePct)}</b></td>
      <td class="num">${pct(r.uptimeRawPct)}</td><td class="num planned">${mins(a.plannedS)}</td><td class="num">${mins(r.unplannedDownS)}</td>
      <td class="num">${mins(a.down.power)}</td><td class="num">${mins(a.down.network)}${links ? `<br><span class="muted">${links}</span>` : ""}</td>
      <td class="num">${mins(a.down.agent)}</td><td class="num">${mins(a.down.unattributed)}</td><td class="num">${mins(a.unknownS)}</td><td class="num">${mins(a.backupS)}</td></tr>`;
    })
    .join("");
  $main.innerHTML = `<h1>District ranking · ${esc(data.month)}</h1>
    <div class="toolbar"><label>Month <input type="month" id="f-month" value="${esc(data.month)}"></label>
    <a href="/api/v1/ranking.csv?month=${esc(data.month)}">Download ranking CSV</a>
    <a href="/api/v1/availability.csv?month=${esc(data.month)}">Download station availability CSV</a>
    <span class="muted">Uptime = up time ÷ (accounted time − planned down time) (${esc(data.timeZone)} days); the ranking uses it.
    Raw uptime = up time ÷ accounted time. Planned = down inside a maintenance window; the outage columns count all down time. Unknown time is not up.</span></div>
    <table id="ranking"><thead><tr><th class="num">Rank</th><th>District</th><th class="num">Stations</th><th class="num">Uptime</th>
    <th class="num" title="up time ÷ accounted time: planned down time counted as down">Raw uptime</th><th class="num" title="down inside maintenance windows">Planned min</th><th class="num">Unplanned down min</th>
    <th class="num">Power outage min</th><th class="num">Network outage min</th><th class="num">Agent outage min</th>
    <th class="num">Dark, cause not yet reported min</th><th class="num">Unknown min</th><th class="num">On backup min</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="13" class="muted">No availability figures for this month yet.</td></tr>`}</tbody></table>`;
  document.getElementById("f-month").onchange = (e) => go("/ranking", { month: input(e).value });
}

function track(segments, from, to) {
  const span = to - from;
  return segments
    .map((s) => {
      const a = Math.max(from, s.start);
      const b = Math.min(to, s.end);
      if (b <= a) return "";
      return `<i class="${esc(s.cls)}" style="left:${(100 * (a - from)) / span}%;width:${Math.max(0.2, (100 * (b - a)) / span)}%" title="${esc(s.title)}"></i>`;
    })
    .join("");
}

function segmentsOf(changes, key, end, cls) {
  return changes.map((c, i) => ({
    start: Date.parse(c.at ? new Date(c.at).toISOString() : c.start),
    end: i + 1 < changes.length ? changes[i + 1].at : end,
    cls: cls(c),
    title: `${key(c)} from ${new Date(c.at).toLocaleString()}`,
  }));
}

const RANGES = { "24h": 1, "7d": 7, "30d": 30 };

async function viewStation(id, params) {
  const enc = encodeURIComponent(id);
  const range = RANGES[params.get("range")] ? params.get("range") : "24h";
  const fromDay = new Date(Date.now() - RANGES[range] * 86400000).toISOString().slice(0, 10);
  const [d, tl, ev, gaps, av] = await Promise.all([
    get(`/api/v1/stations/${enc}`),
    get(`/api/v1/stations/${enc}/timeline?from=${fromDay}`),
    get(`/api/v1/stations/${enc}/events?limit=30`),
    get(`/api/v1/stations/${enc}/gaps?limit=20`),
    get(`/api/v1/stations/${enc}/availability`),
  ]);
  // A station newer than the range starts the axis when it was first seen.
  const from = Math.max(
    Date.parse(tl.from),
    d.firstSeen ? Date.parse(d.firstSeen) : 0,
    Date.now() - RANGES[range] * 86400000,
  );
  const to = Date.parse(tl.to);
  const statusSegs = segmentsOf(
    tl.status,
    (c) => `${c.status}${c.cause ? ` (${c.cause})` : ""}`,
    to,
    (c) => c.status,
  );
  const linkNames = [...new Set(tl.links.map((l) => l.link))];
  const linkRows = linkNames
    .map((name) => {
      const ch = tl.links.filter((l) => l.link === name);
      const segs = segmentsOf(
        ch,
        (c) => `${c.state}${c.active ? ", active" : ""}`,
        to,
        (c) =>
          `${c.state === "up" ? "up" : c.state === "degraded" ? "degraded" : c.state === "down" ? "down" : "unknown"}${c.active ? " active" : ""}`,
      );
      return `<div class="tl-row"><div>link ${esc(name)}</div><div class="tl-track">${track(segs, from, to)}</div></div>`;
    })
    .join("");
  const outageSegs = tl.outages.map((o) => ({
    start: o.start,
    end: o.end,
    cls: o.cause,
    title: `${o.cause}${o.link ? ` (${o.link})` : ""} outage`,
  }));
  const dl = (pairs) => `<dl>${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
  const links = d.links
    .map(
      (l) =>
        `<tr><td>${esc(l.link)}</td><td>${esc(l.role)}</td><td>${badge(l.state === "up" ? "up" : l.state === "down" ? "down" : "unknown")} ${esc(l.state)}</td><td>${l.active ? "active" : ""}</td><td>${fmtTime(l.since)}</td></tr>`,
    )
    .join("");
  const devices = d.devices
    .map(
      (x) =>
        `<tr><td>${esc(x.device)}</td><td>${esc(x.kind)}</td><td><span class="badge ${x.health === "ready" ? "up" : x.health === "faulted" ? "faulted" : "plain"}">${esc(x.health)}</span> ${esc(x.reason || "")}</td><td>${fmtTime(x.since)}</td></tr>`,
    )
    .join("");
  const p = d.power;
  const events = ev.events
    .map(
      (e) =>
        `<tr><td class="num">${e.seq}</td><td>${fmtTime(e.time)}</td><td>${esc(e.type)}${e.historical ? ' <span class="badge plain">historical</span>' : ""}</td><td><details class="event"><summary>${esc(e.text ? localizeTimes(e.text) : eventGist(e.data))}</summary><pre>${esc(JSON.stringify(e.data, null, 2))}</pre></details></td></tr>`,
    )
    .join("");
  const gapRows = gaps.gaps
    .map(
      (g) =>
        `<tr><td class="num">${g.fromSeq}–${g.toSeq}</td><td>${esc(g.status)}</td><td class="num">${g.lost}</td><td class="num">${g.requests}</td><td>${fmtTime(g.detectedAt)}</td><td>${g.closedAt ? fmtTime(g.closedAt) : ""}</td></tr>`,
    )
    .join("");
  const days = av.days
    .map(
      (r) =>
        `<tr><td>${esc(r.day)}${r.partial ? " (so far)" : ""}</td><td class="num">${pct(r.uptimePct)}</td><td class="num">${pct(r.uptimeRawPct)}</td><td class="num planned">${mins(r.plannedS)}</td><td class="num">${mins(r.down.power)}</td><td class="num">${mins(r.down.network)}</td><td class="num">${mins(r.down.agent)}</td><td class="num">${mins(r.down.unattributed)}</td><td class="num">${mins(r.unknownS)}</td><td class="num">${mins(r.backupS)}</td></tr>`,
    )
    .join("");
  $main.innerHTML = `<h1>${esc(d.id)} · ${esc(d.name || "")} ${badge(d.status)}</h1>
    <p>${/district$/i.test(d.district || "") ? esc(d.district) : `${esc(d.district)} district`} · since ${fmtTime(d.since)} (${ago(d.since)}) ${d.cause ? `· probable cause ${causeLabel(d.cause)} <span class="muted">${esc(localizeTimes(d.causeDetail || ""))}</span>` : ""}</p>
    <h2>Timeline <span class="toolbar" style="display:inline-flex">${Object.keys(RANGES)
      .map((r) => (r === range ? `<b>${r}</b>` : `<a href="#/station/${enc}?range=${r}">${r}</a>`))
      .join(" ")}</span></h2>
    <div class="timeline"><div class="tl-row"><div>station</div><div class="tl-track">${track(statusSegs, from, to)}</div></div>
    ${linkRows}<div class="tl-row"><div>outage records</div><div class="tl-track">${track(outageSegs, from, to)}</div></div>
    <div class="tl-axis"><span>${fmtTime(new Date(from).toISOString())}</span><span>${fmtTime(tl.to)}</span></div>
    <div class="legend"><span><i style="background:var(--up)"></i>up</span><span><i style="background:var(--down)"></i>down</span><span><i style="background:var(--warn)"></i>degraded</span><span><i style="background:var(--unknown)"></i>unknown</span><span><i style="background:#0b2545"></i>active link (underline)</span></div></div>
    <div class="grid2"><div><h2>Links</h2><table><thead><tr><th>Link</th><th>Role</th><th>State</th><th>Active</th><th>Since</th></tr></thead><tbody>${links || `<tr><td colspan="5" class="muted">none reported</td></tr>`}</tbody></table>
    <h2>Devices</h2><table><thead><tr><th>Device</th><th>Kind</th><th>Health</th><th>Since</th></tr></thead><tbody>${devices || `<tr><td colspan="4" class="muted">none reported</td></tr>`}</tbody></table></div>
    <div><h2>Power and agent</h2><div class="card">${dl([
      [
        "Power",
        p
          ? `${esc(p.state)} (${esc(p.source)}${p.batteryPct !== null ? `, battery ${p.batteryPct}%` : ""})`
          : "—",
      ],
      ["Last heard", `${fmtTime(d.lastSeen)} ${d.lastSeen ? `(${ago(d.lastSeen)})` : ""}`],
      ["Agent version", esc(d.info.agentVersion || "—")],
      ["Boot", `${esc(d.info.bootId || "—")} at ${fmtTime(d.info.bootTime)}`],
      ["Clock synced", d.info.clockSynced === undefined ? "—" : d.info.clockSynced ? "yes" : "no"],
      ["Last seq", esc(d.lastSeq ?? "—")],
      ["Outbox depth", d.metrics ? esc(d.metrics.outbox.depth) : "—"],
      [
        "Bookings waiting for the bureau",
        d.metrics && d.metrics.bookings
          ? `${esc(d.metrics.bookings.spoolDepth)}${d.metrics.bookings.oldestUnsentAgeS !== null ? ` (oldest ${Math.round(d.metrics.bookings.oldestUnsentAgeS / 60)} min${d.metrics.bookings.oldestUnsentAgeS >= 3600 ? ` <span class="badge warn">stuck</span>` : ""})` : ""}`
          : "—",
      ],
    ])}</div></div></div>
    <h2>Availability ${esc(av.month)}</h2><table id="station-days"><thead><tr><th>Day</th><th class="num" title="planned down time left out">Uptime</th><th class="num" title="up time ÷ accounted time: planned down time counted as down">Raw uptime</th><th class="num" title="down inside maintenance windows">Planned min</th><th class="num">Power min</th><th class="num">Network min</th><th class="num">Agent min</th><th class="num">Dark, unreported min</th><th class="num">Unknown min</th><th class="num">On backup min</th></tr></thead><tbody>${days || `<tr><td colspan="10" class="muted">not computed yet</td></tr>`}</tbody></table>
    <h2>Recent events</h2><table><thead><tr><th class="num">Seq</th><th>Time</th><th>Type</th><th>What happened (click for the raw data)</th></tr></thead><tbody>${events || `<tr><td colspan="4" class="muted">none</td></tr>`}</tbody></table>
    <h2>Sequence gaps</h2><table><thead><tr><th class="num">Seqs</th><th>Status</th><th class="num">Lost</th><th class="num">Resend requests</th><th>Detected</th><th>Closed</th></tr></thead><tbody>${gapRows || `<tr><td colspan="6" class="muted">no gaps</td></tr>`}</tbody></table>`;
}

async function viewCollector() {
  const c = await get("/api/v1/collector");
  const rejects = c.recentRejects
    .map(
      (r) =>
        `<tr><td>${fmtTime(r.at)}</td><td>${esc(r.reason)}</td><td><code>${esc(r.topic)}</code></td><td>${esc(r.detail)}</td></tr>`,
    )
    .join("");
  const lag = (h) =>
    h.count
      ? `p50 ${h.p50} ms · p99 ${h.p99} ms · max ${h.max} ms (${h.count.toLocaleString()} messages)`
      : "—";
  $main.innerHTML = `<h1>Collector</h1><div class="card">
    <dl>${[
      ["Instance", esc(c.instance)],
      ["MQTT", c.mqttConnected ? "connected" : "disconnected"],
      ["Storage", esc(c.storage)],
      ["Messages received", c.received.toLocaleString()],
      ["Accepted", c.accepted.toLocaleString()],
      ["Duplicates dropped", c.duplicates.toLocaleString()],
      ["Invalid", `${c.invalid.toLocaleString()} ${esc(JSON.stringify(c.invalidByReason))}`],
      ["Gaps", esc(JSON.stringify(c.gaps))],
      ["Ingest lag", lag(c.lagMs.ingest)],
      ["Commit lag", lag(c.lagMs.commit)],
      ["Pending writes", c.pendingWrites],
    ]
      .map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`)
      .join("")}</dl></div>
    <h2>Recent rejected messages</h2><table><thead><tr><th>When</th><th>Reason</th><th>Topic</th><th>Detail</th></tr></thead><tbody>${rejects || `<tr><td colspan="4" class="muted">none</td></tr>`}</tbody></table>`;
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
    else $main.innerHTML = `<p class="error">No such page.</p>`;
  } catch (e) {
    $main.innerHTML = `<p class="error">${esc(e.message)}</p>`;
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
  es.onopen = () => ((live.textContent = "live"), live.classList.add("on"));
  es.onerror = () => ((live.textContent = "reconnecting…"), live.classList.remove("on"));
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
signIn().then(() => {
  render();
  connectLive();
}, toLogin);
