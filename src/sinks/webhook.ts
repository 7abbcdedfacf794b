/**
 * `http(s)://…`: the HTTP webhook sink driver. Each batch is one `POST` of
 * JSON to the URL (without tickgate's query options): a batch of one event
 * as one object, a larger batch as an array, in the `envelope` (default) or
 * `canonical` format (see `webhook_envelope.ts`). `WEBHOOK_TOKEN` is sent
 * as `Authorization: Bearer <token>` and never appears in logs, errors or
 * details.
 *
 * Options: `timeout_ms` (per request, default 10000) and `environment`
 * (the envelope's `source.environment`, default `production`).
 *
 * Outcomes: 2xx acknowledges the batch; 408, 429 and 5xx are retryable
 * (with `Retry-After` honoured), as are timeouts and network errors; any
 * other status (4xx, or a 3xx: redirects are never followed) is permanent,
 * so the queue dead-letters the batch.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import { VERSION } from "../version.ts";
import {
  WEBHOOK_FORMATS,
  webhookBody,
  type WebhookFormat,
} from "./webhook_envelope.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";
import { responseDeliveryError } from "./webhook_response.ts";

/** Longest `timeout_ms`: a request must settle in bounded time. */
const MAX_TIMEOUT = 600_000;

/** The HTTP webhook settings of one sink, from its URL. */
export interface WebhookOptions {
  /** Where to POST: the sink URL without its query options. */
  url: string;
  /** Per-request timeout. @default 10000 */
  timeoutMs: number;
  /** The envelope's `source.environment`. @default "production" */
  environment: string;
  format: WebhookFormat;
}

/** What {@link WebhookDriver.details} reports in `/stats`. */
export interface WebhookDetails {
  /** HTTP status of the last request; `null` before any or after one with no response. */
  lastStatus: number | null;
  /** Requests sent. */
  requests: number;
  /** Responses other than 2xx, per status (`{"503": 4}`). */
  non2xx: Record<string, number>;
}

/**
 * Reads and checks a sink spec's webhook options; throws `SinkUrlError`
 * naming the bad option.
 *
 * @example Usage
 * ```ts
 * webhookOptions(parseSinkUrl("https://in.example.com/e?timeout_ms=2000", 1));
 * // { url: "https://in.example.com/e", timeoutMs: 2000, environment: "production", format: "envelope" }
 * ```
 */
export function webhookOptions(spec: SinkSpec): WebhookOptions {
  const fail = (why: string) => new SinkUrlError(redactUrl(spec.url), why);
  let url: URL;
  try {
    url = new URL(spec.target);
  } catch {
    throw fail("not a valid http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fail("the webhook URL must start with http:// or https://");
  }
  const rawTimeout = spec.options.timeout_ms ?? "10000";
  const timeoutMs = Number(rawTimeout);
  if (!/^\d+$/.test(rawTimeout) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT) {
    throw fail(`timeout_ms must be an integer from 1 to ${MAX_TIMEOUT} (ms)`);
  }
  const environment = spec.options.environment ?? "production";
  if (environment.trim() === "") throw fail("environment must not be empty");
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(spec.format)) {
    throw fail(`format must be one of ${WEBHOOK_FORMATS.join(", ")}`);
  }
  return {
    url: spec.target,
    timeoutMs,
    environment,
    format: spec.format as WebhookFormat,
  };
}

/**
 * Checks the sink URL's HTTP webhook options at config load; throws
 * `SinkUrlError`.
 *
 * @example Usage
 * ```ts
 * validateWebhookOptions(parseSinkUrl("http://h/e?timeout_ms=0", 1)); // throws
 * ```
 */
export function validateWebhookOptions(spec: SinkSpec): void {
  webhookOptions(spec);
}

/**
 * POSTs batches to an HTTP endpoint; one request at a time (the queue
 * never calls `send` concurrently), each bounded by `timeoutMs`. Nothing to
 * connect: every request stands alone (fetch keeps connections alive).
 *
 * @example Usage
 * ```ts
 * const driver = new WebhookDriver("webhook", options, token);
 * await driver.connect();
 * await driver.send(events); // rejects with DeliveryError
 * ```
 */
export class WebhookDriver implements SinkDriver {
  readonly #opts: WebhookOptions;
  readonly #shown: string;
  readonly #token: string | undefined;
  readonly #headers: Record<string, string>;
  readonly #log;
  #closing = new AbortController();
  #lastStatus: number | null = null;
  #requests = 0;
  readonly #non2xx: Record<string, number> = {};

  /**
   * @param name the sink's name, for logs
   * @param token sent as `Authorization: Bearer`; empty or undefined sends none
   * @throws {TypeError} when the token cannot be an HTTP header value
   */
  constructor(name: string, options: WebhookOptions, token?: string) {
    this.#opts = options;
    this.#shown = redactUrl(options.url);
    this.#token = token === "" ? undefined : token;
    if (this.#token !== undefined && !/^[\x21-\x7e]+$/.test(this.#token)) {
      throw new TypeError(
        "WEBHOOK_TOKEN has characters an HTTP header cannot carry (spaces, control or non-ASCII characters)",
      );
    }
    this.#headers = {
      "content-type": "application/json",
      "user-agent": `tickgate/${VERSION}`,
    };
    if (this.#token !== undefined) {
      this.#headers.authorization = `Bearer ${this.#token}`;
    }
    this.#log = log("sink", name);
  }

  /** Nothing to open: HTTP requests stand alone. */
  connect(): Promise<void> {
    if (this.#closing.signal.aborted) this.#closing = new AbortController();
    return Promise.resolve();
  }

  /** POSTs `batch` and resolves on a 2xx answer. */
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    let body: string;
    try {
      body = webhookBody(batch, this.#opts.format, this.#opts.environment);
    } catch (error) {
      throw new DeliveryError(
        `cannot format ${batch.length} event(s) for ${this.#shown}: ${
          this.#scrub(error)
        }`,
        { permanent: true },
      );
    }
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs);
    const signal = AbortSignal.any([timeout, this.#closing.signal]);
    this.#requests++;
    let res: Response;
    try {
      res = await fetch(this.#opts.url, {
        method: "POST",
        headers: this.#headers,
        body,
        signal,
        // A redirect is answered as it came: followed, a 301/302/303 would
        // turn the POST into a bodiless GET whose 2xx acknowledged a batch
        // no one received, and a 307/308 would send it to another origin.
        redirect: "manual",
      });
    } catch (error) {
      this.#lastStatus = null;
      throw this.#failure(error, timeout.aborted);
    }
    const status = res.status;
    this.#lastStatus = status;
    if (status >= 200 && status < 300) {
      // The status is the acknowledgement; read the body so the connection
      // can be reused, bounded by the same timeout.
      await res.arrayBuffer().catch(() => undefined);
      return;
    }
    this.#non2xx[status] = (this.#non2xx[status] ?? 0) + 1;
    await res.body?.cancel().catch(() => undefined);
    const error = responseDeliveryError(res, this.#shown);
    if (!error.permanent) {
      this.#log.debug("POST answered {status}, will retry", { status });
    }
    throw error;
  }

  /** Aborts a request in flight; `send` is not called afterwards. */
  close(): Promise<void> {
    this.#closing.abort();
    return Promise.resolve();
  }

  /** Last status, request count and non-2xx counts per status. */
  details(): Record<string, unknown> & WebhookDetails {
    return {
      lastStatus: this.#lastStatus,
      requests: this.#requests,
      non2xx: { ...this.#non2xx },
    };
  }

  /** A retryable error for a request that got no response. */
  #failure(error: unknown, timedOut: boolean): DeliveryError {
    const message = timedOut
      ? `POST ${this.#shown} timed out after ${this.#opts.timeoutMs} ms`
      : this.#closing.signal.aborted
      ? `POST ${this.#shown} aborted: the sink is closing`
      : `POST ${this.#shown} failed: ${this.#scrub(error)}`;
    this.#log.debug("POST failed: {error}", { error: message });
    return new DeliveryError(message);
  }

  /** An error's text with the raw URL and the token taken out. */
  #scrub(error: unknown): string {
    let text = errorText(error);
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) {
      // Deno's "fetch failed" says why in its cause; the URL is ours already.
      text += `: ${
        cause.message.replace(/^error sending request for url \([^)]*\): /, "")
      }`;
    }
    text = text.replaceAll(this.#opts.url, this.#shown);
    if (this.#token !== undefined) text = text.replaceAll(this.#token, "***");
    return redactUrl(text).replace(/\/\/[^/@\s:]*:[^/@\s]*@/g, "//***@");
  }
}

/**
 * Creates the HTTP webhook driver for a sink URL, with `WEBHOOK_TOKEN` from
 * the context.
 *
 * @example Usage
 * ```ts
 * const driver = createWebhookDriver(
 *   parseSinkUrl("https://in.example.com/events?timeout_ms=5000", 1),
 *   { streamMaxlen: 100_000, webhookToken: Deno.env.get("WEBHOOK_TOKEN") },
 * );
 * ```
 */
export function createWebhookDriver(
  spec: SinkSpec,
  ctx: SinkContext,
): SinkDriver {
  return new WebhookDriver(spec.name, webhookOptions(spec), ctx.webhookToken);
}
