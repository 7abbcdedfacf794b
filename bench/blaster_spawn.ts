/**
 * The blaster (`blaster.ts`) as its own process, so it has the other core,
 * as an exchange would: `spawnBlaster` runs this module, which builds the
 * Coinbase corpus itself and is driven over HTTP (`POST /start`,
 * `GET /report`); closing its stdin stops it.
 *
 * @module
 */

import { type BlasterHandle, startBlaster } from "./blaster.ts";
import { coinbaseCorpus, symbols } from "./corpus.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options for {@link spawnBlaster}: the corpus is built in the child. */
export interface SpawnOptions {
  /** Coinbase corpus frames. */
  count: number;
  /** @default 200 */
  products?: number;
  /** @default 7 */
  seed?: number;
  /** Frames per second; 0: flood. */
  rate?: number;
}

/**
 * Runs the blaster as its own process over `coinbaseCorpus(count, products,
 * seed)` (the same frames the caller can build for its expectations).
 */
export async function spawnBlaster(o: SpawnOptions): Promise<BlasterHandle> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--no-prompt",
      new URL(import.meta.url).pathname,
      String(o.count),
      String(o.products ?? 200),
      String(o.seed ?? 7),
      String(o.rate ?? 0),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the blaster exited before listening");
    line += value;
  }
  reader.releaseLock();
  const remote = blasterAt(`ws://127.0.0.1:${Number(line.trim())}`);
  return {
    ...remote,
    async close() {
      await child.stdin.close().catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

/**
 * A handle on a blaster some other process runs at `url` (`ws://…`), driven
 * over its HTTP control routes; `close` leaves the blaster running.
 */
export function blasterAt(url: string): BlasterHandle {
  const base = url.replace("ws:", "http:");
  const call = async (path: string, method = "GET") => {
    const res = await fetch(base + path, { method });
    return await res.json();
  };
  return {
    url,
    start: () => call("/start", "POST"),
    report: () => call("/report"),
    close: () => Promise.resolve(),
  };
}

/** Waits until a connection subscribed to `products` products and is waiting. */
export async function subscribed(
  b: BlasterHandle,
  products: number,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await b.report();
    if (r.some((c) => c.state === "waiting" && c.products >= products)) return;
    await sleep(10);
  }
  throw new Error(`no connection subscribed to ${products} products`);
}

if (import.meta.main) {
  const [count = 0, products = 200, seed = 7, rate = 0] = Deno.args.map(
    Number,
  );
  const frames = coinbaseCorpus(count, products, seed);
  const b = startBlaster({ frames, products: symbols(products), rate });
  console.log(new URL(b.url).port);
  // The parent closes our stdin to stop us (or dies, which does the same).
  for await (const _ of Deno.stdin.readable) {
    // nothing is sent; wait for EOF
  }
  await b.close();
  Deno.exit(0);
}
