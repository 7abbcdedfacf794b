/**
 * Test helpers for the Binance simulator tests: a recording WebSocket
 * client, a sanitized per-test simulator, JSON fetch and exact decimals.
 *
 * @module
 */
import { BinanceSimulator, type BinanceSimulatorOptions } from "./binance.ts";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** A real WebSocket client that keeps every frame (parsed JSON, or the raw text). */
export class Client {
  readonly frames: (Json | string)[] = [];
  readonly closed: Promise<CloseEvent>;
  #ws: WebSocket;
  #listeners = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", resolve)
    );
    ws.onmessage = (e) => {
      let frame: Json | string = e.data;
      try {
        frame = JSON.parse(e.data);
      } catch { /* kept as text */ }
      this.frames.push(frame);
      for (const listener of [...this.#listeners]) listener();
    };
    ws.addEventListener("close", () => {
      for (const listener of [...this.#listeners]) listener();
    });
  }

  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => ws.onclose = () => reject(new Error("connect failed"));
    });
    return new Client(ws);
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(message: unknown): void {
    this.#ws.send(
      typeof message === "string" ? message : JSON.stringify(message),
    );
  }

  /** Payloads of combined-stream frames for `stream`. */
  data<T = Json>(stream: string): T[] {
    return this.frames.filter((f): f is Json =>
      typeof f !== "string" && f.stream === stream
    ).map((f) => f.data as T);
  }

  /** Control replies (frames with `result` or `code`). */
  replies(): Json[] {
    return this.frames.filter((f): f is Json =>
      typeof f !== "string" && ("result" in f || "code" in f)
    );
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

  async close(): Promise<void> {
    if (this.#ws.readyState < WebSocket.CLOSING) this.#ws.close();
    await this.closed;
  }
}

/** A sanitized test with a fresh simulator; every socket is closed afterwards. */
export function simTest(
  name: string,
  options: BinanceSimulatorOptions,
  body: (
    sim: BinanceSimulator,
    connect: (path: string) => Promise<Client>,
  ) => Promise<void>,
): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true }, async () => {
    const sim = await BinanceSimulator.start(options);
    const clients: Client[] = [];
    const connect = async (path: string) => {
      clients.push(await Client.connect(sim.url + path));
      return clients.at(-1) as Client;
    };
    try {
      await body(sim, connect);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    }
  });
}

/** GETs `url` and parses the JSON body. */
export async function getJson<T = Json>(
  url: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() as T };
}

/** An 8-decimal string as integer units of 1e-8 (exact). */
export function units(s: string): bigint {
  const [int = "0", frac = ""] = s.split(".");
  return BigInt(int + frac.padEnd(8, "0"));
}

/** Fast trading and no practical message limit. */
export const FAST = { maxMessagesPerSecond: 1000, tradesPerSecond: 40 };
