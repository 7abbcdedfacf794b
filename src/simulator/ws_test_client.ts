/**
 * A recording WebSocket test client for the simulator tests: keeps every
 * frame (parsed JSON, or the raw text when it is not JSON) and waits for
 * conditions over them.
 *
 * @module
 */

/** A JSON object. */
export type Json = Record<string, unknown>;

/**
 * A real WebSocket client.
 *
 * @example Usage
 * ```ts ignore
 * const c = await WsTestClient.connect(`${sim.url}/v5/public/spot`);
 * c.send({ op: "ping" });
 * await c.until(() => c.json().length > 0, "pong");
 * await c.close();
 * ```
 */
export class WsTestClient {
  /** Every frame received, in order: parsed JSON, or the text when not JSON. */
  readonly frames: (Json | string)[] = [];
  /** Resolves with the close event. */
  readonly closed: Promise<CloseEvent>;
  #ws: WebSocket;
  #listeners = new Set<() => void>();

  /** Wraps an open socket; see {@link WsTestClient.connect}. */
  constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", resolve)
    );
    ws.onmessage = (e) => {
      let frame: Json | string = String(e.data);
      try {
        const parsed = JSON.parse(frame);
        if (typeof parsed === "object" && parsed !== null) frame = parsed;
      } catch { /* kept as text */ }
      this.frames.push(frame);
      this.#notify();
    };
    ws.addEventListener("close", () => this.#notify());
  }

  /**
   * Opens a connection (as an instance of the class it is called on, so
   * venue-specific clients extend this one); rejects when it cannot open.
   */
  static async connect<T extends WsTestClient>(
    this: new (ws: WebSocket) => T,
    url: string,
  ): Promise<T> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => ws.onclose = () => reject(new Error("connect failed"));
    });
    return new this(ws);
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends a string as is, anything else as JSON. */
  send(message: unknown): void {
    this.#ws.send(
      typeof message === "string" ? message : JSON.stringify(message),
    );
  }

  /** The JSON object frames, optionally only those `match` accepts. */
  json(match?: (frame: Json) => boolean): Json[] {
    const all = this.frames.filter((f): f is Json => typeof f !== "string");
    return match ? all.filter(match) : all;
  }

  /** Resolves once `done()` holds (checked on every frame); rejects after `ms`. */
  until(done: () => boolean, what: string, ms = 8000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.#listeners.add(check);
      check();
    });
  }

  /** The close event; rejects if the socket is still open after `ms`. */
  closeEvent(ms = 8000): Promise<CloseEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`open after ${ms} ms`)), ms);
    });
    return Promise.race([this.closed, limit]).finally(() =>
      clearTimeout(timer)
    );
  }

  /** Closes the socket (if open) and waits for the close. */
  async close(): Promise<void> {
    if (this.#ws.readyState < WebSocket.CLOSING) this.#ws.close();
    await this.closed;
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
