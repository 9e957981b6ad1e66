/** The queries of the store, written once with `?` placeholders (the PostgreSQL dialect numbers them). */
export const SQL = {
  statusHistory: `SELECT * FROM status_history WHERE station = ? AND at >= ? AND at < ?
    UNION ALL SELECT * FROM (SELECT * FROM status_history WHERE station = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1) p
    ORDER BY at, id`,
  linkHistory: `SELECT * FROM link_history WHERE station = ? AND at >= ? AND at < ?
    UNION ALL SELECT l.* FROM link_history l JOIN (SELECT link, MAX(id) AS id FROM link_history
      WHERE station = ? AND at < ? GROUP BY link) m ON l.id = m.id
    ORDER BY at, id`,
  deviceHistory: `SELECT * FROM device_history WHERE station = ? AND at >= ? AND at < ? ORDER BY at, id`,
  powerHistory: `SELECT * FROM power_history WHERE station = ? AND at >= ? AND at < ? ORDER BY at, id`,
  outages: `SELECT * FROM outages WHERE station = ? AND start_at < ? AND end_at > ? ORDER BY start_at`,
  recentEvents: `SELECT * FROM events WHERE station = ? ORDER BY seq DESC LIMIT ?`,
  gaps: `SELECT * FROM gaps WHERE station = ? ORDER BY from_seq DESC LIMIT ?`,
  openGaps: `SELECT * FROM gaps WHERE status = 'open' ORDER BY station, from_seq`,
  allStatus: `SELECT * FROM status_history WHERE at >= ? AND at < ?
    UNION ALL SELECT s.* FROM status_history s JOIN (SELECT station, MAX(id) AS id FROM status_history
      WHERE at < ? GROUP BY station) m ON s.id = m.id
    ORDER BY station, at, id`,
  allLinks: `SELECT * FROM link_history WHERE at >= ? AND at < ?
    UNION ALL SELECT l.* FROM link_history l JOIN (SELECT MAX(id) AS id FROM link_history
      WHERE at < ? GROUP BY station, link) m ON l.id = m.id
    ORDER BY station, at, id`,
  allOutages: `SELECT * FROM outages WHERE start_at < ? AND end_at > ? ORDER BY station, start_at`,
  daily: `SELECT * FROM daily WHERE day >= ? AND day <= ? ORDER BY station, day`,
  dailyStation: `SELECT * FROM daily WHERE day >= ? AND day <= ? AND station = ? ORDER BY day`,
  getMeta: `SELECT value FROM meta WHERE key = ?`,
  periodTotals: `SELECT station, MAX(day) AS day, SUM(window_s) AS window_s, SUM(up_s) AS up_s, SUM(unknown_s) AS unknown_s,
      SUM(backup_s) AS backup_s, SUM(power_s) AS power_s, SUM(network_s) AS network_s, SUM(agent_s) AS agent_s,
      SUM(unattributed_s) AS unattributed_s, SUM(planned_s) AS planned_s
    FROM daily WHERE day >= ? AND day <= ? GROUP BY station ORDER BY station`,
  periodDistricts: `SELECT d.station, d.district FROM daily d JOIN (SELECT station, MAX(day) AS day FROM daily
      WHERE day >= ? AND day <= ? GROUP BY station) m ON d.station = m.station AND d.day = m.day`,
  periodLinks: `SELECT station, links FROM daily WHERE day >= ? AND day <= ? AND links <> '{}'`,
  /** Keeps each station's (and each link's) last change before the cutoff: it is the state at the cutoff. */
  prune: [
    `DELETE FROM events WHERE received_at < ?`,
    `DELETE FROM status_history WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM status_history WHERE at < ? GROUP BY station)`,
    `DELETE FROM link_history WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM link_history WHERE at < ? GROUP BY station, link)`,
    `DELETE FROM device_history WHERE at < ?`,
    `DELETE FROM power_history WHERE at < ?`,
    `DELETE FROM gaps WHERE status <> 'open' AND closed_at < ?`,
  ],
};
