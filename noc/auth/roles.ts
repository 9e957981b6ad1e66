/** Who may do what at the NOC: three roles, each optionally limited to one district. */
import { NO_DISTRICT } from "../ranking.js";

export const ROLES = ["admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** Someone authenticated: a local user (session), a reverse-proxy user, or an API token. */
export interface Principal {
  name: string;
  role: Role;
  /** Sees and acts on this district's stations only. */
  district?: string;
  via: "session" | "proxy" | "token";
  /** The session's CSRF token (browser sessions only). */
  csrf?: string;
  sessionId?: string;
  /** The client address, for the audit log. */
  address?: string;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** admin: everything; operator: acknowledge, maintenance, commands; viewer: read. */
export function hasRole(p: Principal, least: Role): boolean {
  return RANK[p.role] >= RANK[least];
}

/** Whether a station of `district` (undefined: none recorded) is within the principal's scope. */
export function inScope(p: Principal, district: string | undefined): boolean {
  return p.district === undefined || p.district === (district ?? NO_DISTRICT);
}

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}
