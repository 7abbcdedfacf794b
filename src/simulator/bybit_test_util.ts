/**
 * Test helpers for the Bybit simulator tests: a sanitized per-test
 * simulator with real WebSocket clients, a manual clock, a client-side
 * order book, signing, and exact decimals.
 *
 * @module
 */
import { BybitSimulator, type BybitSimulatorOptions } from "./bybit.ts";
import { DEFAULT_API_KEYS, hmacHex } from "./bybit_auth.ts";
import { type Json, WsTestClient } from "./ws_test_client.ts";

export type { Json } from "./ws_test_client.ts";

/** The default test key pair. */
export const KEY = DEFAULT_API_KEYS[0] as { apiKey: string; apiSecret: string };

/** A sanitized test with a fresh simulator; every socket is closed afterwards. */
export function bybitTest(
  name: string,
  options: BybitSimulatorOptions,
  body: (
    sim: BybitSimulator,
    connect: (path: string) => Promise<WsTestClient>,
  ) => Promise<void>,
): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true }, async () => {
    const sim = await BybitSimulator.start({ tickMs: 20, ...options });
    const clients: WsTestClient[] = [];
    const connect = async (path: string) => {
      const client = await WsTestClient.connect(sim.url + path);
      clients.push(client);
      return client;
    };
    try {
      await body(sim, connect);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    }
  });
}

/** Control replies (frames with `op` and no `topic`). */
export function replies(c: WsTestClient): Json[] {
  return c.json((f) => "op" in f && !("topic" in f));
}

/** Data frames of `topic`. */
export function topicFrames(c: WsTestClient, topic: string): Json[] {
  return c.json((f) => f.topic === topic);
}

/** Sends `msg` and waits for the next control reply. */
export async function request(c: WsTestClient, msg: unknown): Promise<Json> {
  const before = replies(c).length;
  c.send(msg);
  await c.until(() => replies(c).length > before, "a reply");
  return replies(c)[before] as Json;
}

/** An order book rebuilt from `orderbook` frames as a client applies them. */
export interface ClientBook {
  u: number;
  seq: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** Applies `orderbook` frames in order (a snapshot resets the book). */
export function applyBook(frames: Json[]): ClientBook | null {
  let bids = new Map<string, string>();
  let asks = new Map<string, string>();
  let u = 0;
  let seq = 0;
  for (const f of frames) {
    const d = f.data as {
      b: string[][];
      a: string[][];
      u: number;
      seq: number;
    };
    if (f.type === "snapshot") [bids, asks] = [new Map(), new Map()];
    for (const [side, levels] of [[bids, d.b], [asks, d.a]] as const) {
      for (const [p = "", q = ""] of levels) {
        if (q === "0") side.delete(p);
        else side.set(p, q);
      }
    }
    [u, seq] = [d.u, d.seq];
  }
  if (frames.length === 0) return null;
  const sorted = (m: Map<string, string>, dir: number) =>
    [...m].sort((x, y) => dir * (Number(x[0]) - Number(y[0])));
  return { u, seq, bids: sorted(bids, -1), asks: sorted(asks, 1) };
}

/** `auth` args signed with the test key (or `secret`) for `expires`. */
export async function authArgs(
  expires: number | string,
  secret = KEY.apiSecret,
  apiKey = KEY.apiKey,
): Promise<unknown[]> {
  return [apiKey, expires, await hmacHex(secret, `GET/realtime${expires}`)];
}

/** Data frames (with `topic`) received by `c`. */
export function pushes(c: WsTestClient): Json[] {
  return c.json((f) => "topic" in f);
}

/** The first data element of the last push of `topic` to `c`. */
export function lastPush(c: WsTestClient, topic: string): Json {
  const frame = pushes(c).filter((f) => f.topic === topic).at(-1);
  return (frame?.data as Json[])[0] as Json;
}

/** The coin `coin` of a wallet payload. */
export function coinOf(wallet: Json, coin: string): Json {
  return (wallet.coin as Json[]).find((c) => c.coin === coin) as Json;
}

/** A private connection authenticated (valid until `expires`) and subscribed to `args`. */
export async function authed(
  connect: (path: string) => Promise<WsTestClient>,
  args: string[],
  expires: number,
): Promise<WsTestClient> {
  const c = await connect("/v5/private");
  const auth = await request(c, { op: "auth", args: await authArgs(expires) });
  if (auth.success !== true) throw new Error(`auth failed: ${auth.ret_msg}`);
  const sub = await request(c, { op: "subscribe", args });
  if (sub.success !== true) throw new Error(`subscribe failed: ${sub.ret_msg}`);
  return c;
}

/** A decimal string as exact units of 10^-`decimals`. */
export function units(s: string, decimals = 8): bigint {
  const neg = s.startsWith("-");
  const [int = "0", frac = ""] = (neg ? s.slice(1) : s).split(".");
  const v = BigInt(int + frac.padEnd(decimals, "0"));
  return neg ? -v : v;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
