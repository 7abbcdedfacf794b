/**
 * Test helpers for the Binance simulator tests: a recording WebSocket
 * client, a sanitized per-test simulator, JSON fetch and exact decimals.
 *
 * @module
 */
import { BinanceSimulator, type BinanceSimulatorOptions } from "./binance.ts";
import { type Json, WsTestClient } from "./ws_test_client.ts";

export type { Json };

/** A recording client that also reads Binance combined-stream frames and replies. */
export class Client extends WsTestClient {
  /** Payloads of combined-stream frames for `stream`. */
  data<T = Json>(stream: string): T[] {
    return this.json((f) => f.stream === stream).map((f) => f.data as T);
  }

  /** Control replies (frames with `result` or `code`). */
  replies(): Json[] {
    return this.json((f) => "result" in f || "code" in f);
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
