/**
 * A real HTTP ingestion endpoint for webhook sink tests: `Deno.serve` on a
 * free loopback port that records every request and answers as scripted:
 * a status (200, 401, 503, 429 with `Retry-After`, …) or a hang (no answer
 * until the server closes, so the client times out), for the next N requests or until told otherwise.
 *
 * @example Usage
 * ```ts
 * await using server = WebhookServer.start();
 * server.next({ status: 429, retryAfter: "2" }, 1); // the next request only
 * server.always({ status: 503 });                  // then every request
 * server.always({ status: 200 });
 * const events = server.accepted(); // bodies of 2xx-answered requests, flattened
 * ```
 *
 * @module
 */

/** How the server answers a request. */
export type WebhookReply =
  | { status: number; retryAfter?: string; body?: string; location?: string }
  | "hang";

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/ingest`. */
  path: string;
  headers: Headers;
  body: string;
  /** The body as JSON, or `undefined` when it is not JSON. */
  json: unknown;
  /** What the server answered (`hang`: no answer until the client left). */
  reply: WebhookReply;
}

/** A scripted HTTP endpoint; close it with `await using` or {@link close}. */
export class WebhookServer implements AsyncDisposable {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #closing = new AbortController();
  readonly #script: WebhookReply[] = [];
  #default: WebhookReply = { status: 200 };
  #waiters: (() => void)[] = [];

  private constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) => this.#handle(req),
    );
  }

  /** Starts a server on a free loopback port, answering 200 by default. */
  static start(): WebhookServer {
    return new WebhookServer();
  }

  /** The port it listens on. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers the next `count` requests with `reply` (after earlier scripted ones). */
  next(reply: WebhookReply, count = 1): void {
    for (let i = 0; i < count; i++) this.#script.push(reply);
  }

  /** Answers every request with `reply` once the scripted ones are used up. */
  always(reply: WebhookReply): void {
    this.#default = reply;
  }

  /**
   * The JSON items of every request answered 2xx, flattened: a body that is
   * an array gives its items, an object gives itself.
   */
  accepted(): unknown[] {
    return flatten(this.requests.filter((r) => ok(r.reply)));
  }

  /** The JSON items of every request, whatever the answer. */
  received(): unknown[] {
    return flatten(this.requests);
  }

  /** Resolves once at least `n` requests arrived. */
  async waitForRequests(n: number): Promise<void> {
    while (this.requests.length < n) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Releases hanging requests and stops the server. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#server.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #handle(req: Request): Promise<Response> {
    const reply = this.#script.shift() ?? this.#default;
    const body = await req.text();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const url = new URL(req.url);
    this.requests.push({
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      json,
      reply,
    });
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
    if (reply === "hang") {
      // Held until the server closes (the client times out long before).
      await new Promise<void>((resolve) => {
        const signal = this.#closing.signal;
        if (signal.aborted) resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return new Response("gave up", { status: 503 });
    }
    const headers = new Headers({ "content-type": "application/json" });
    if (reply.retryAfter !== undefined) {
      headers.set("retry-after", reply.retryAfter);
    }
    if (reply.location !== undefined) headers.set("location", reply.location);
    return new Response(reply.body ?? `{"ok":${ok(reply)}}`, {
      status: reply.status,
      headers,
    });
  }
}

function ok(reply: WebhookReply): boolean {
  return reply !== "hang" && reply.status >= 200 && reply.status < 300;
}

function flatten(requests: RecordedRequest[]): unknown[] {
  const out: unknown[] = [];
  for (const r of requests) {
    if (Array.isArray(r.json)) out.push(...r.json);
    else if (r.json !== undefined) out.push(r.json);
  }
  return out;
}
