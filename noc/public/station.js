// @ts-check
// station-noc dashboard: one station's page (status, timeline, links, devices, power, availability,
// events, sequence gaps). Loaded before app.js, whose helpers (get, badge, causeLabel, ago, pct, mins,
// eventGist, $main) it uses when called; esc, causeDetailHtml and eventHtml are in server-texts.js.
"use strict";

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
    title: t("station.segment", { what: key(c), time: fmtTime(new Date(c.at).toISOString()) }),
  }));
}

const RANGES = { "24h": 1, "7d": 7, "30d": 30 };

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- app.js's router calls it
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
    (c) => `${t(`status.${c.status}`)}${c.cause ? ` (${t(`cause.${c.cause}`)})` : ""}`,
    to,
    (c) => c.status,
  );
  const linkNames = [...new Set(tl.links.map((l) => l.link))];
  const linkRows = linkNames
    .map((name) => {
      const ch = tl.links.filter((l) => l.link === name);
      const segs = segmentsOf(
        ch,
        (c) => `${t(`linkState.${c.state}`)}${c.active ? `, ${t("station.active")}` : ""}`,
        to,
        (c) =>
          `${c.state === "up" ? "up" : c.state === "degraded" ? "degraded" : c.state === "down" ? "down" : "unknown"}${c.active ? " active" : ""}`,
      );
      return `<div class="tl-row"><div>${t("station.rowLink", { name: esc(name) })}</div><div class="tl-track">${track(segs, from, to)}</div></div>`;
    })
    .join("");
  const outageSegs = tl.outages.map((o) => ({
    start: o.start,
    end: o.end,
    cls: o.cause,
    title: t("station.outage", { cause: t(`cause.${o.cause}`), link: o.link ? ` (${o.link})` : "" }),
  }));
  const dl = (pairs) => `<dl>${pairs.map(([k, v]) => `<dt>${t(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
  const links = d.links
    .map(
      (l) =>
        `<tr><td>${esc(l.link)}</td><td>${t(`linkRole.${l.role}`)}</td><td><span class="badge ${l.state === "up" ? "up" : l.state === "down" ? "down" : "unknown"}">${t(`linkState.${l.state}`)}</span></td><td>${l.active ? t("station.active") : ""}</td><td>${fmtTime(l.since)}</td></tr>`,
    )
    .join("");
  const devices = d.devices
    .map(
      (x) =>
        `<tr><td>${esc(x.device)}</td><td>${t(`deviceKind.${x.kind}`)}</td><td><span class="badge ${x.health === "ready" ? "up" : x.health === "faulted" ? "faulted" : "plain"}">${t(`health.${x.health}`)}</span> ${x.reason ? `<code>${esc(x.reason)}</code>` : ""}</td><td>${fmtTime(x.since)}</td></tr>`,
    )
    .join("");
  const p = d.power;
  const events = ev.events
    .map(
      (e) =>
        `<tr><td class="num">${e.seq}</td><td>${fmtTime(e.time)}</td><td><code>${esc(e.type)}</code>${e.historical ? ` <span class="badge plain">${t("badge.historical")}</span>` : ""}</td><td><details class="event"><summary>${eventHtml(e, eventGist)}</summary><pre>${esc(JSON.stringify(e.data, null, 2))}</pre></details></td></tr>`,
    )
    .join("");
  const gapRows = gaps.gaps
    .map(
      (g) =>
        `<tr><td class="num">${g.fromSeq}–${g.toSeq}</td><td>${t(`gapStatus.${g.status}`)}</td><td class="num">${fmtNum(g.lost)}</td><td class="num">${fmtNum(g.requests)}</td><td>${fmtTime(g.detectedAt)}</td><td>${g.closedAt ? fmtTime(g.closedAt) : ""}</td></tr>`,
    )
    .join("");
  const days = av.days
    .map(
      (r) =>
        `<tr><td>${esc(r.day)}${r.partial ? ` ${t("station.soFar")}` : ""}</td><td class="num">${pct(r.uptimePct)}</td><td class="num">${pct(r.uptimeRawPct)}</td><td class="num planned">${mins(r.plannedS)}</td><td class="num">${mins(r.down.power)}</td><td class="num">${mins(r.down.network)}</td><td class="num">${mins(r.down.agent)}</td><td class="num">${mins(r.down.unattributed)}</td><td class="num">${mins(r.unknownS)}</td><td class="num">${mins(r.backupS)}</td></tr>`,
    )
    .join("");
  const district = /district$/i.test(d.district || "")
    ? esc(d.district)
    : t("station.district", { district: esc(d.district) });
  const cause = d.cause
    ? ` · ${t("station.probableCause")} ${causeLabel(d.cause)} <span class="muted cause-detail">${d.causeDetail ? causeDetailHtml(d) : ""}</span>`
    : "";
  const b = d.metrics && d.metrics.bookings;
  const oldest = b && b.oldestUnsentAgeS !== null ? b.oldestUnsentAgeS : null;
  const stuck =
    oldest !== null && oldest >= 3600 ? ` <span class="badge warn">${t("badge.stuck")}</span>` : "";
  $main.innerHTML = `<h1>${esc(d.id)} · ${esc(d.name || "")} ${badge(d.status)}</h1>
    <p>${district} · ${t("station.since", { time: fmtTime(d.since), ago: ago(d.since) })}${cause}</p>
    <h2>${t("station.timeline")} <span class="toolbar" style="display:inline-flex">${Object.keys(RANGES)
      .map((r) =>
        r === range
          ? `<b>${t(`range.${r}`)}</b>`
          : `<a href="#/station/${enc}?range=${r}">${t(`range.${r}`)}</a>`,
      )
      .join(" ")}</span></h2>
    <div class="timeline"><div class="tl-row"><div>${t("station.rowStation")}</div><div class="tl-track">${track(statusSegs, from, to)}</div></div>
    ${linkRows}<div class="tl-row"><div>${t("station.rowOutages")}</div><div class="tl-track">${track(outageSegs, from, to)}</div></div>
    <div class="tl-axis"><span>${fmtTime(new Date(from).toISOString())}</span><span>${fmtTime(tl.to)}</span></div>
    <div class="legend"><span><i style="background:var(--up)"></i>${t("status.up")}</span><span><i style="background:var(--down)"></i>${t("status.down")}</span><span><i style="background:var(--warn)"></i>${t("linkState.degraded")}</span><span><i style="background:var(--unknown)"></i>${t("status.unknown")}</span><span><i style="background:#0b2545"></i>${t("station.legendActive")}</span></div></div>
    <div class="grid2"><div><h2>${t("station.links")}</h2><table><thead><tr><th>${t("col.link")}</th><th>${t("col.role")}</th><th>${t("col.state")}</th><th>${t("col.active")}</th><th>${t("col.since")}</th></tr></thead><tbody>${links || `<tr><td colspan="5" class="muted">${t("empty.noneReported")}</td></tr>`}</tbody></table>
    <h2>${t("station.devices")}</h2><table><thead><tr><th>${t("col.device")}</th><th>${t("col.kind")}</th><th>${t("col.health")}</th><th>${t("col.since")}</th></tr></thead><tbody>${devices || `<tr><td colspan="4" class="muted">${t("empty.noneReported")}</td></tr>`}</tbody></table></div>
    <div><h2>${t("station.powerAgent")}</h2><div class="card">${dl([
      [
        "station.power",
        p
          ? `${t(`powerState.${p.state}`)} (${t(`powerSource.${p.source}`)}${p.batteryPct !== null ? `, ${t("station.battery", { pct: p.batteryPct })}` : ""})`
          : "—",
      ],
      ["col.lastHeard", `${fmtTime(d.lastSeen)} ${d.lastSeen ? `(${ago(d.lastSeen)})` : ""}`],
      ["station.agentVersion", esc(d.info.agentVersion || "—")],
      [
        "station.boot",
        t("station.bootAt", {
          id: `<code>${esc(d.info.bootId || "—")}</code>`,
          time: fmtTime(d.info.bootTime),
        }),
      ],
      [
        "station.clockSynced",
        d.info.clockSynced === undefined ? "—" : t(d.info.clockSynced ? "common.yes" : "common.no"),
      ],
      ["station.lastSeq", esc(d.lastSeq ?? "—")],
      ["station.outbox", d.metrics ? fmtNum(d.metrics.outbox.depth) : "—"],
      [
        "station.bookings",
        b
          ? `${fmtNum(b.spoolDepth)}${oldest !== null ? ` (${t("station.oldest", { min: Math.round(oldest / 60) })}${stuck})` : ""}`
          : "—",
      ],
    ])}</div></div></div>
    <h2>${t("station.availability", { month: esc(av.month) })}</h2><table id="station-days"><thead><tr><th>${t("col.day")}</th><th class="num" title="${esc(t("col.uptimeTitle"))}">${t("col.uptime")}</th><th class="num" title="${esc(t("col.uptimeRawTitle"))}">${t("col.uptimeRaw")}</th><th class="num" title="${esc(t("col.plannedTitle"))}">${t("col.plannedMin")}</th><th class="num">${t("col.powerShort")}</th><th class="num">${t("col.networkShort")}</th><th class="num">${t("col.agentShort")}</th><th class="num">${t("col.unreportedShort")}</th><th class="num">${t("col.unknownMin")}</th><th class="num">${t("col.backupMin")}</th></tr></thead><tbody>${days || `<tr><td colspan="10" class="muted">${t("station.notComputed")}</td></tr>`}</tbody></table>
    <h2>${t("station.events")}</h2><table><thead><tr><th class="num">${t("col.seq")}</th><th>${t("col.time")}</th><th>${t("col.type")}</th><th>${t("col.what")}</th></tr></thead><tbody>${events || `<tr><td colspan="4" class="muted">${t("empty.none")}</td></tr>`}</tbody></table>
    <h2>${t("station.gaps")}</h2><table><thead><tr><th class="num">${t("col.seqs")}</th><th>${t("col.status")}</th><th class="num">${t("col.lost")}</th><th class="num">${t("col.resends")}</th><th>${t("col.detected")}</th><th>${t("col.closed")}</th></tr></thead><tbody>${gapRows || `<tr><td colspan="6" class="muted">${t("station.noGaps")}</td></tr>`}</tbody></table>`;
}
