/**
 * Test-only: an Advanced Trade parser fed envelopes with consecutive
 * `sequence_num`s and a clock one second further per frame.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { AdvancedParser } from "./parse.ts";

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export function setup() {
  const stats = new VenueStats("coinbase-advanced");
  const resubscribed: string[][] = [];
  const authFailures: string[] = [];
  const parser = new AdvancedParser({
    stats,
    resubscribe: (keys) => resubscribed.push(keys),
    onAuthFailure: (_c, m) => authFailures.push(m),
    redact: (t) => t.replaceAll("secret-key-name", "***"),
  });
  let seq = 0;
  let clock = T0;
  const feed = (
    channel: string,
    events: unknown[],
    opts: { seq?: number; conn?: string; at?: number } = {},
  ) => {
    const out: NormalizedEvent[] = [];
    const s = opts.seq ?? seq++;
    seq = s + 1;
    clock = opts.at ?? clock + 1000;
    const timestamp = new Date(clock).toISOString().replace("Z", "123456Z");
    const outcome = parser.parse(
      JSON.stringify({
        channel,
        client_id: "",
        timestamp,
        sequence_num: s,
        events,
      }),
      clock,
      opts.conn ?? "coinbase-advanced-0",
      out,
    );
    return { outcome, out };
  };
  return {
    stats,
    parser,
    feed,
    resubscribed,
    authFailures,
    raw: (frame: string) => {
      const out: NormalizedEvent[] = [];
      return {
        outcome: parser.parse(frame, clock, "coinbase-advanced-0", out),
        out,
      };
    },
  };
}

export const candle = (
  start: number,
  close: string,
  volume: string,
  product = "BTC-USD",
) => ({
  start: String(start),
  open: "100.00",
  high: "101.50",
  low: "99.10",
  close,
  volume,
  product_id: product,
});
