/**
 * One small JSON-over-HTTP GET for the REST calls tickgate makes beside its
 * WebSockets (exchange metadata, pair discovery, order-book snapshots): a
 * timeout covering headers and body, the upstream's own error text, its
 * `Retry-After`, and a secret that never reaches an error message.
 *
 * Timeouts use real timers, not an injected clock: they bound I/O, and a
 * test's manual clock would otherwise never let them fire.
 *
 * @module
 */

import { errorText } from "./core/error_text.ts";

/** A GET failed: bad URL, network error, timeout, HTTP error or bad JSON. */
export class HttpJsonError extends Error {
  /** The HTTP status, when the upstream answered with an error status. */
  readonly status?: number;
  /** The upstream's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs?: number;

  /**
   * @param message a complete sentence without secrets
   * @param extra HTTP status and `Retry-After` when known
   */
  constructor(
    message: string,
    extra: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "HttpJsonError";
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfterMs !== undefined) {
      this.retryAfterMs = extra.retryAfterMs;
    }
  }
}

/** A request made by {@link getJson}. */
export interface JsonRequest {
  /** Names the upstream in messages, e.g. `CoinGecko`. */
  label: string;
  /** Base URL; its query is dropped, a path prefix kept. */
  base: string;
  /** Path (and query) after the base, e.g. `/api/v3/exchangeInfo`. */
  path: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** @default {globalThis.fetch} */
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Redacted from every error message. */
  secret?: string;
}

/**
 * GET a JSON document with a timeout covering headers and body (REST
 * metadata, discovery, book snapshots; not meant for the hot path).
 *
 * @throws {HttpJsonError} on a bad URL, network errors, timeouts, non-2xx
 * answers and bad JSON
 * @example Usage
 * ```ts ignore
 * const info = await getJson({ label: "Binance exchangeInfo",
 *   base: "https://api.binance.com", path: "/api/v3/exchangeInfo", timeoutMs: 15_000 });
 * ```
 */
export async function getJson(req: JsonRequest): Promise<unknown> {
  let base: URL;
  try {
    base = new URL(req.base);
  } catch {
    throw new HttpJsonError(`${req.label} URL is not a valid URL`);
  }
  const url = `${base.origin}${base.pathname.replace(/\/+$/, "")}${req.path}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs);
  const onAbort = () => controller.abort();
  req.signal?.addEventListener("abort", onAbort, { once: true });
  const scrub = (s: string) => req.secret ? s.split(req.secret).join("***") : s;
  const fail = (e: unknown) =>
    new HttpJsonError(
      timedOut
        ? `${req.label} did not answer within ${req.timeoutMs} ms`
        : req.signal?.aborted
        ? `${req.label} request was cancelled`
        : `${req.label} request failed: ${scrub(errorText(e))}`,
    );
  try {
    if (req.signal?.aborted) throw fail(undefined);
    let res: Response;
    let text: string;
    try {
      res = await (req.fetch ?? fetch)(url, {
        headers: req.headers ?? {},
        signal: controller.signal,
      });
      text = await res.text();
    } catch (e) {
      throw fail(e);
    }
    if (!res.ok) {
      const detail = errorDetail(text);
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      throw new HttpJsonError(
        scrub(
          `${req.label} returned HTTP ${res.status}${
            detail ? `: ${detail}` : ""
          }`,
        ),
        {
          status: res.status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpJsonError(`${req.label} sent invalid JSON`);
    }
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", onAbort);
  }
}

/** A decoded JSON object (not an array, not null): a body worth reading fields of. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A string with something other than whitespace in it. */
export function isText(v: unknown): v is string {
  return typeof v === "string" && v.trim() !== "";
}

/** The upstream's own error text: CoinGecko's or Binance's JSON, else text. */
function errorDetail(text: string): string {
  let detail = text;
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) {
      const status = isRecord(body.status) ? body.status : {};
      const found = [status.error_message, body.error, body.msg].find(isText);
      if (found !== undefined) detail = found;
    }
  } catch {
    // not JSON: keep the text
  }
  detail = detail.replace(/\s+/g, " ").trim();
  return detail.length > 160 ? `${detail.slice(0, 157)}...` : detail;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
