/**
 * Helpers for the Coinbase Advanced Trade simulator tests: a simulator on a
 * {@link ManualClock}, connections that know their server-side id, clock
 * advancing in small steps, and waiting until a client has received every
 * frame the simulator sent it.
 *
 * @module
 */
import { ManualClock } from "../core/clock.ts";
import {
  CoinbaseAdvancedSimulator,
  type CoinbaseAdvancedSimulatorOptions,
} from "./coinbase_advanced.ts";
import { type Json, WsTestClient } from "./ws_test_client.ts";

/** Where the tests' clocks start: 2026-01-01 00:03:20.125 UTC (100 s before a candle boundary). */
export const START_MS = Date.UTC(2026, 0, 1, 0, 3, 20, 125);

/** A test connection that knows its connection id on the simulator. */
export class AdvancedTestClient extends WsTestClient {
  /** The simulator's 1-based id of this connection. */
  id = 0;

  /** The enveloped frames, optionally of one wire channel only. */
  envelopes(channel?: string): Json[] {
    return this.json((f) =>
      f.sequence_num !== undefined &&
      (channel === undefined || f.channel === channel)
    );
  }

  /** The events of every enveloped frame of `channel`, in order. */
  events(channel: string): Json[] {
    return this.envelopes(channel).flatMap((f) => f.events as Json[]);
  }

  /** Sends `message` and resolves with the next frame that is an ack or an error. */
  async request(message: unknown): Promise<Json> {
    const isReply = (f: Json) =>
      f.channel === "subscriptions" || f.type === "error";
    const before = this.json(isReply).length;
    this.send(message);
    await this.until(() => this.json(isReply).length > before, "a reply");
    return this.json(isReply)[before] as Json;
  }
}

/** What a {@link simTest} body gets. */
export interface SimTestContext {
  sim: CoinbaseAdvancedSimulator;
  clock: ManualClock;
  /** Opens a connection (closed after the test). */
  connect(): Promise<AdvancedTestClient>;
  /** Advances the clock by `ms` in steps of at most `stepMs`, letting frames flow. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Waits until `client` has received every frame the simulator sent it. */
  settle(client: AdvancedTestClient): Promise<void>;
}

/** Lets pending socket I/O run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/** Runs `body` against a fresh simulator on a manual clock, then closes everything. */
export function simTest(
  name: string,
  options: CoinbaseAdvancedSimulatorOptions,
  body: (context: SimTestContext) => Promise<void>,
): void {
  Deno.test(name, async () => {
    const clock = new ManualClock(START_MS);
    const sim = await CoinbaseAdvancedSimulator.start({ clock, ...options });
    const clients: AdvancedTestClient[] = [];
    const context: SimTestContext = {
      sim,
      clock,
      connect: async () => {
        const client = await AdvancedTestClient.connect(sim.url);
        client.id = sim.clients().length;
        clients.push(client);
        return client;
      },
      advance: async (ms, stepMs = 1000) => {
        for (let left = ms; left > 0; left -= stepMs) {
          clock.advance(Math.min(stepMs, left));
          await flush();
        }
      },
      settle: (client) => {
        const sentTo = () =>
          sim.sent.filter((s) => s.connection === client.id).length;
        return client.until(
          () => client.json().length >= sentTo(),
          `all ${sentTo()} frames on connection ${client.id}`,
        );
      },
    };
    try {
      await body(context);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    }
  });
}

/** A subscribe request. */
export function subscribe(
  channel: string,
  productIds?: string[],
  jwt?: string,
): Json {
  return {
    type: "subscribe",
    channel,
    ...(productIds ? { product_ids: productIds } : {}),
    ...(jwt === undefined ? {} : { jwt }),
  };
}
