/**
 * `tickgate probe URL`: an HTTP health probe for images without curl or
 * wget (the container's `HEALTHCHECK` runs the binary itself). Success is a
 * 2xx answer within the timeout.
 *
 * @module
 */

import { deadline } from "./core/async.ts";
import { errorText } from "./core/error_text.ts";

/** What a probe found. */
export interface ProbeResult {
  ok: boolean;
  /** HTTP status, 0 when there was no answer. */
  status: number;
  /** One line for humans. */
  detail: string;
}

/**
 * GETs `url` and reports whether it answered 2xx within `timeoutMs`.
 *
 * @example Usage
 * ```ts ignore
 * const r = await probe("http://127.0.0.1:8080/health/live", 3000);
 * Deno.exit(r.ok ? 0 : 1);
 * ```
 */
export async function probe(
  url: string,
  timeoutMs: number,
  fetchFn: typeof fetch = fetch,
): Promise<ProbeResult> {
  const controller = new AbortController();
  try {
    const res = await deadline(
      fetchFn(url, { signal: controller.signal }),
      timeoutMs,
      `GET ${url}`,
    );
    await res.body?.cancel();
    return {
      ok: res.ok,
      status: res.status,
      detail: `GET ${url}: ${res.status}`,
    };
  } catch (e) {
    controller.abort();
    return { ok: false, status: 0, detail: `GET ${url}: ${errorText(e)}` };
  }
}
