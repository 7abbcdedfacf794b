/**
 * A venue's set of connections: streams are sharded over connections
 * (respecting the venue's per-connection limit and keeping groups together),
 * and changes of the desired set become subscribe/unsubscribe frames.
 *
 * @module
 */

import {
  Connection,
  type ConnectionHandlers,
  type ConnectionOptions,
} from "./connection.ts";
import type { ConnectionState, StreamProtocol, StreamSpec } from "./types.ts";

/** Settings of a {@link VenueSession}. */
export interface SessionOptions {
  /** Venue name; connection ids are `${venue}-${n}`, n from 0, never reused. */
  venue: string;
  /** The venue's URLs, (un)subscribe frames, limits and heartbeat. */
  protocol: StreamProtocol;
  /** Every frame of every connection. */
  onFrame(connectionId: string, data: string, receivedTs: number): void;
  /** Every state change of every connection. */
  onStateChange?(
    connectionId: string,
    state: ConnectionState,
    detail: string,
  ): void;
  /** After the session sent its subscribe frames on a (re)connect. */
  onOpen?(connectionId: string): void;
  /**
   * Shared connection settings (clock, socketFactory, timeouts, backoff,
   * breaker); the heartbeat comes from `protocol.heartbeat` when it has one.
   * @default {{}}
   */
  connection?: Omit<ConnectionOptions, "id" | "url" | "handlers">;
}

interface Shard {
  readonly conn: Connection;
  /** Streams assigned to this connection, in assignment order. */
  readonly streams: Map<string, StreamSpec>;
}

/** The sharding group of a stream: its `group`, else its symbol. */
export function groupOf(stream: StreamSpec): string {
  return stream.group ?? stream.symbol;
}

/**
 * Owns the connections of one venue. {@link VenueSession.setDesired} diffs
 * the wanted streams against the current ones: new streams are assigned
 * (sticky) to a connection — the one already carrying their group when it has
 * room, else the first with room for the whole group, else a new one — and
 * subscribed; removed streams are unsubscribed, and a connection left without
 * streams is closed. Every (re)connect resubscribes all of a connection's
 * streams. A group larger than `maxStreamsPerConnection` is split: the limit
 * is never exceeded.
 *
 * @example Usage
 * ```ts ignore
 * const session = new VenueSession({ venue: "coinbase", protocol, onFrame });
 * session.setDesired([{ key: "matches:BTC-USD", channel: "matches", symbol: "BTC-USD" }]);
 * session.start();
 * await session.close();
 * ```
 */
export class VenueSession {
  #opts: SessionOptions;
  #max: number;
  #shards = new Map<string, Shard>();
  #desired = new Map<string, StreamSpec>();
  #retiring = new Set<Promise<void>>();
  #next = 0;
  #started = false;
  #closed = false;

  /**
   * Creates a session without connections; see {@link VenueSession.setDesired}.
   * @param options see {@link SessionOptions}
   */
  constructor(options: SessionOptions) {
    this.#opts = options;
    const max = options.protocol.maxStreamsPerConnection;
    this.#max = max >= 1 ? Math.floor(max) : 1;
  }

  /** The live connections, oldest first. */
  get connections(): readonly Connection[] {
    return [...this.#shards.values()].map((s) => s.conn);
  }

  /** The desired streams, as last given to {@link VenueSession.setDesired}. */
  get desired(): readonly StreamSpec[] {
    return [...this.#desired.values()];
  }

  /** The streams assigned to a connection (empty for unknown ids). */
  streamsOf(connectionId: string): readonly StreamSpec[] {
    const shard = this.#shards.get(connectionId);
    return shard ? [...shard.streams.values()] : [];
  }

  /**
   * Makes `streams` (deduplicated by key) the desired set, sending only the
   * difference. Ignored after {@link VenueSession.close}.
   */
  setDesired(streams: readonly StreamSpec[]): void {
    if (this.#closed) return;
    const next = new Map<string, StreamSpec>();
    for (const s of streams) if (!next.has(s.key)) next.set(s.key, s);
    const removed = new Map<Shard, StreamSpec[]>();
    for (const shard of this.#shards.values()) {
      for (const [key, spec] of shard.streams) {
        if (next.has(key)) continue;
        shard.streams.delete(key);
        push(removed, shard, spec);
      }
    }
    const homes = new Map<string, Shard>();
    for (const shard of this.#shards.values()) {
      for (const spec of shard.streams.values()) {
        if (!homes.has(groupOf(spec))) homes.set(groupOf(spec), shard);
      }
    }
    const groups = new Map<string, StreamSpec[]>();
    for (const [key, spec] of next) {
      if (!this.#desired.has(key)) push(groups, groupOf(spec), spec);
    }
    this.#desired = next;
    const added = new Map<Shard, StreamSpec[]>();
    for (const [group, specs] of groups) {
      let rest = specs;
      const home = homes.get(group);
      if (home) rest = this.#fill(home, rest, added);
      while (rest.length > 0) {
        const target = this.#roomFor(Math.min(rest.length, this.#max)) ??
          this.#newShard();
        rest = this.#fill(target, rest, added);
      }
    }
    for (const shard of [...this.#shards.values()]) {
      if (shard.streams.size === 0) this.#retire(shard);
    }
    const { protocol } = this.#opts;
    for (const [shard, specs] of removed) {
      if (this.#shards.has(shard.conn.id)) {
        sendAll(shard.conn, protocol.unsubscribe(specs));
      }
    }
    for (const [shard, specs] of added) {
      // Not open yet: onOpen subscribes everything assigned by then.
      sendAll(shard.conn, protocol.subscribe(specs));
      if (this.#started) shard.conn.start();
    }
  }

  /** Starts every connection (and those created later). Idempotent. */
  start(): void {
    if (this.#closed) return;
    this.#started = true;
    for (const shard of this.#shards.values()) shard.conn.start();
  }

  /** Closes every connection; resolves once all are closed. */
  async close(): Promise<void> {
    this.#closed = true;
    const shards = [...this.#shards.values()];
    this.#shards.clear();
    await Promise.all([
      ...shards.map((s) => s.conn.close()),
      ...this.#retiring,
    ]);
  }

  #roomFor(n: number): Shard | undefined {
    for (const shard of this.#shards.values()) {
      if (this.#max - shard.streams.size >= n) return shard;
    }
    return undefined;
  }

  /** Assigns as many of `specs` as fit to `shard`; returns the rest. */
  #fill(
    shard: Shard,
    specs: StreamSpec[],
    added: Map<Shard, StreamSpec[]>,
  ): StreamSpec[] {
    const free = Math.max(0, this.#max - shard.streams.size);
    for (const spec of specs.slice(0, free)) {
      shard.streams.set(spec.key, spec);
      push(added, shard, spec);
    }
    return specs.slice(free);
  }

  #newShard(): Shard {
    const { venue, protocol, connection } = this.#opts;
    const id = `${venue}-${this.#next++}`;
    const streams = new Map<string, StreamSpec>();
    const handlers: ConnectionHandlers = {
      onOpen: () => {
        if (streams.size > 0) {
          sendAll(shard.conn, protocol.subscribe([...streams.values()]));
        }
        this.#opts.onOpen?.(id);
      },
      onFrame: (data, ts) => this.#opts.onFrame(id, data, ts),
      onStateChange: (state, detail) =>
        this.#opts.onStateChange?.(id, state, detail),
    };
    const heartbeat = protocol.heartbeat ?? connection?.heartbeat;
    const conn = new Connection({
      ...connection,
      ...(heartbeat ? { heartbeat } : {}),
      id,
      url: () => protocol.url([...streams.values()]),
      handlers,
    });
    const shard: Shard = { conn, streams };
    this.#shards.set(id, shard);
    return shard;
  }

  #retire(shard: Shard): void {
    this.#shards.delete(shard.conn.id);
    const done = shard.conn.close();
    this.#retiring.add(done);
    done.finally(() => this.#retiring.delete(done));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sendAll(conn: Connection, frames: readonly string[]): void {
  for (const frame of frames) if (!conn.send(frame)) return;
}
