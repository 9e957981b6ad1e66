/**
 * The link to a scanner vendor's local HTTP service (Mantra MFS100, a four-finger slap service): one
 * JSON request with a timeout, with the transport's failures turned into the driver's typed errors.
 */
import { AbortedError, DeviceAbsentError, ProtocolError, ResponseTimeoutError } from "./errors.js";

export async function callJsonService(
  service: { base: string; label: string },
  method: "GET" | "POST",
  path: string,
  body: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const { base, label } = service;
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.any(signals),
    });
  } catch (e) {
    if (signal?.aborted) throw new AbortedError(`${label} ${path}`);
    if ((e as Error).name === "TimeoutError") throw new ResponseTimeoutError(`${label} ${path}`, timeoutMs);
    throw new DeviceAbsentError(`${label} at ${base} is not reachable (${describe(e)})`, { cause: e });
  }
  if (!response.ok) throw new ProtocolError(`${label} ${path}: HTTP ${response.status}`);
  try {
    return await response.json();
  } catch (e) {
    throw new ProtocolError(`${label} ${path}: reply is not JSON`, { cause: e });
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string } };
  return err.cause?.code ?? err.message ?? String(e);
}
