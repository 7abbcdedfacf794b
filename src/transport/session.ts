/**
 * A venue's set of connections: streams are sharded over connections
 * (respecting the venue's per-connection limit and keeping groups together),
 * changes of the desired set become subscribe/unsubscribe frames, and a
 * connection can be renewed make-before-break.
 *
 * @module
 */

import {
  Connection,
  type ConnectionHandlers,
  type ConnectionOptions,
} from "./connection.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { SignedFrameQueue } from "./signed_frames.ts";
import type { ConnectionState, StreamProtocol, StreamSpec } from "./types.ts";

/** Settings of a {@link VenueSession}. */
export interface SessionOptions {
  /** Venue name; connection ids are `${venue}-${n}`, n from 0, never reused. */
  venue: string;
  /** The venue's URLs, (un)subscribe frames, limits and heartbeat. */
  protocol: StreamProtocol;
  /** Every frame of every connection (`more`: see `ConnectionHandlers.onFrame`). */
  onFrame(
    connectionId: string,
    data: string,
    receivedTs: number,
    more: boolean,
  ): void;
  /** Every state change of every connection. */
  onStateChange?(
    connectionId: string,
    state: ConnectionState,
    detail: string,
  ): void;
  /** After the session sent its subscribe frames on a (re)connect. */
  onOpen?(connectionId: string): void;
  /**
   * A renewal started (`done: false`: `to` is connecting beside `from`) or
   * finished (`done: true`: `to` delivered for the overlap, `from` is closing).
   */
  onRenew?(renewal: RenewalNotice): void;
  /**
   * Shared connection settings (clock, socketFactory, timeouts, backoff,
   * breaker); heartbeat and send limit come from the protocol when it has them.
   * @default {{}}
   */
  connection?: Omit<ConnectionOptions, "id" | "url" | "handlers">;
}

/** How long a renewal's two connections both deliver, by default. */
export const DEFAULT_OVERLAP_MS = 3_000;

/** What {@link SessionOptions.onRenew} reports. */
export interface RenewalNotice {
  from: string;
  to: string;
  reason: string;
  done: boolean;
}

interface Shard {
  /** The connection serving the shard's streams. */
  conn: Connection;
  /** Its replacement while a renewal is under way. */
  successor: Connection | undefined;
  /** Streams assigned to this shard, in assignment order. */
  readonly streams: Map<string, StreamSpec>;
  /** The endpoint of every stream of the shard. */
  readonly endpoint: string;
  /** The budget costs of `streams`, summed. */
  cost: number;
}

/** The sharding group of a stream: its `group`, else its symbol. */
export function groupOf(stream: StreamSpec): string {
  return stream.group ?? stream.symbol;
}

/** A group is kept together within its endpoint. */
function homeOf(stream: StreamSpec): string {
  return `${stream.endpoint ?? ""}\n${groupOf(stream)}`;
}

/**
 * Owns the connections of one venue. {@link VenueSession.setDesired} diffs
 * the wanted streams against the current ones: new streams are assigned
 * (sticky) to a connection — the one already carrying their group when it has
 * room, else the first with room for the whole group, else a new one — and
 * subscribed; removed streams are unsubscribed, and a connection left without
 * streams is closed. Every (re)connect resubscribes all of a connection's
 * streams (except those its URL carries), after the protocol's
 * authentication frames where it has them. Streams of different endpoints
 * never share a connection. A group larger than `maxStreamsPerConnection`
 * (or the protocol's cost budget) is split: the limits are never exceeded.
 *
 * {@link VenueSession.renew} replaces a connection make-before-break: a
 * successor with the same streams connects beside it and takes over
 * `protocol.renewOverlapMs` after its first frame; only then is the old one
 * closed. Both deliver frames meanwhile (so what was in flight on the old
 * one still arrives), and the venue parser must drop the overlap. With
 * `protocol.maxConnectionAgeMs`, connections renew themselves at that age.
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
  #clock: Clock;
  #max: number;
  /** Connections whose subscriptions went out since their latest open. */
  #ready = new Set<Connection>();
  /** Shards in creation order. */
  #shards = new Set<Shard>();
  /** Every live connection id (serving or successor) → its shard. */
  #byId = new Map<string, Shard>();
  #renewTimers = new Map<string, TimerId>();
  #promoteTimers = new Map<string, TimerId>();
  #desired = new Map<string, StreamSpec>();
  /** Where control frames wait for their signatures, when the protocol signs. */
  #signed: SignedFrameQueue | undefined;
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
    this.#clock = options.connection?.clock ?? systemClock;
    const max = options.protocol.maxStreamsPerConnection;
    this.#max = max >= 1 ? Math.floor(max) : 1;
    const sign = options.protocol.sign;
    if (sign) this.#signed = new SignedFrameQueue((f) => sign(f));
  }

  /** The live connections, oldest first (a renewal's successor after its predecessor). */
  get connections(): readonly Connection[] {
    const out: Connection[] = [];
    for (const s of this.#shards) {
      out.push(s.conn);
      if (s.successor) out.push(s.successor);
    }
    return out;
  }

  /** The desired streams, as last given to {@link VenueSession.setDesired}. */
  get desired(): readonly StreamSpec[] {
    return [...this.#desired.values()];
  }

  /** The streams assigned to a connection (empty for unknown ids). */
  streamsOf(connectionId: string): readonly StreamSpec[] {
    const shard = this.#byId.get(connectionId);
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
    for (const shard of this.#shards) {
      for (const [key, spec] of shard.streams) {
        if (next.has(key)) continue;
        shard.streams.delete(key);
        shard.cost -= this.#cost(spec);
        push(removed, shard, spec);
      }
    }
    const homes = new Map<string, Shard>();
    for (const shard of this.#shards) {
      for (const spec of shard.streams.values()) {
        if (!homes.has(homeOf(spec))) homes.set(homeOf(spec), shard);
      }
    }
    const groups = new Map<string, StreamSpec[]>();
    for (const [key, spec] of next) {
      if (!this.#desired.has(key)) push(groups, homeOf(spec), spec);
    }
    this.#desired = next;
    const added = new Map<Shard, StreamSpec[]>();
    for (const [home, specs] of groups) {
      let rest = specs;
      const shard = homes.get(home);
      if (shard) rest = this.#fill(shard, rest, added);
      while (rest.length > 0) {
        const target = this.#roomFor(rest) ??
          this.#newShard(rest[0]!.endpoint ?? "");
        rest = this.#fill(target, rest, added);
      }
    }
    for (const shard of [...this.#shards]) {
      if (shard.streams.size === 0) this.#retireShard(shard);
    }
    const { protocol } = this.#opts;
    for (const [shard, specs] of removed) {
      if (this.#shards.has(shard)) {
        this.#sendShard(shard, protocol.unsubscribe(specs));
      }
    }
    for (const [shard, specs] of added) {
      // Not open yet: onOpen subscribes everything assigned by then.
      this.#sendShard(shard, protocol.subscribe(specs));
      if (this.#started) shard.conn.start();
    }
  }

  /**
   * Replaces connection `connectionId` make-before-break (see the class
   * doc). Returns false when the id is not a serving connection or a
   * renewal of it is already under way.
   */
  renew(connectionId: string, reason: string): boolean {
    const shard = this.#byId.get(connectionId);
    if (
      this.#closed || shard === undefined || shard.conn.id !== connectionId ||
      shard.successor !== undefined
    ) return false;
    const successor = this.#newConnection(shard);
    shard.successor = successor;
    this.#opts.onRenew?.({
      from: connectionId,
      to: successor.id,
      reason,
      done: false,
    });
    if (this.#started) successor.start();
    return true;
  }

  /**
   * Sends unsubscribe then subscribe frames for the streams of `keys` on
   * the connections carrying them (the venue then sends, e.g., a fresh book
   * snapshot). Unknown keys are ignored.
   */
  resubscribe(keys: readonly string[]): void {
    const { protocol } = this.#opts;
    for (const shard of this.#shards) {
      const specs = keys.map((k) => shard.streams.get(k)).filter((s) =>
        s !== undefined
      );
      if (specs.length === 0) continue;
      this.#sendShard(shard, protocol.unsubscribe(specs));
      this.#sendShard(shard, protocol.subscribe(specs));
    }
  }

  /**
   * Stops connection `connectionId` from reconnecting for `cooldownMs`
   * (e.g. the venue rejected its credentials): its breaker opens now, and one
   * probe follows the cooldown. Returns false for an unknown id.
   */
  suspend(connectionId: string, reason: string, cooldownMs?: number): boolean {
    const shard = this.#byId.get(connectionId);
    const conn = shard?.conn.id === connectionId
      ? shard.conn
      : shard?.successor;
    if (conn === undefined) return false;
    conn.tripBreaker(reason, cooldownMs);
    return true;
  }

  /** Starts every connection (and those created later). Idempotent. */
  start(): void {
    if (this.#closed) return;
    this.#started = true;
    for (const conn of this.connections) conn.start();
  }

  /** Closes every connection; resolves once all are closed. */
  async close(): Promise<void> {
    this.#closed = true;
    const conns = this.connections;
    this.#shards.clear();
    this.#byId.clear();
    this.#ready.clear();
    for (const timers of [this.#renewTimers, this.#promoteTimers]) {
      for (const id of timers.values()) this.#clock.clearTimeout(id);
      timers.clear();
    }
    await Promise.all([
      ...conns.map((c) => c.close()),
      ...this.#retiring,
      this.#signed?.drained(),
    ]);
  }

  #cost(spec: StreamSpec): number {
    return this.#opts.protocol.budget?.cost(spec) ?? 0;
  }

  /**
   * How many leading `specs` fit beside `count` streams costing `cost`; an
   * empty connection takes at least one.
   */
  #fitting(count: number, cost: number, specs: StreamSpec[]): number {
    const max = this.#opts.protocol.budget?.max ?? Infinity;
    let n = 0;
    while (n < specs.length && count + n < this.#max) {
      cost += this.#cost(specs[n]!);
      if (cost > max && count + n > 0) break;
      n++;
    }
    return n;
  }

  /** The first shard of the specs' endpoint with room for what a new one would take. */
  #roomFor(specs: StreamSpec[]): Shard | undefined {
    const endpoint = specs[0]?.endpoint ?? "";
    const want = this.#fitting(0, 0, specs);
    for (const shard of this.#shards) {
      if (
        shard.endpoint === endpoint &&
        this.#fitting(shard.streams.size, shard.cost, specs) >= want
      ) return shard;
    }
    return undefined;
  }

  /** Assigns as many of `specs` as fit to `shard`; returns the rest. */
  #fill(
    shard: Shard,
    specs: StreamSpec[],
    added: Map<Shard, StreamSpec[]>,
  ): StreamSpec[] {
    const n = this.#fitting(shard.streams.size, shard.cost, specs);
    for (const spec of specs.slice(0, n)) {
      shard.streams.set(spec.key, spec);
      shard.cost += this.#cost(spec);
      push(added, shard, spec);
    }
    return specs.slice(n);
  }

  #newShard(endpoint: string): Shard {
    // The connection's callbacks read the shard, so the shard comes first.
    const shard = {
      streams: new Map(),
      successor: undefined,
      endpoint,
      cost: 0,
    } as
      & Omit<Shard, "conn">
      & Partial<Pick<Shard, "conn">>;
    shard.conn = this.#newConnection(shard as Shard);
    this.#shards.add(shard as Shard);
    return shard as Shard;
  }

  /** A connection for `shard`'s streams, registered under its new id. */
  #newConnection(shard: Shard): Connection {
    const { venue, protocol, connection } = this.#opts;
    const id = `${venue}-${this.#next++}`;
    /** The streams the URL of the current attempt carries, by key. */
    let inUrl = new Map<string, StreamSpec>();
    let promoting = false;
    /**
     * Once authenticated (where needed): unsubscribe what the URL carries but
     * the shard lost while connecting (no frame could go out then), and
     * subscribe what the URL did not carry.
     */
    const subscribe = () => {
      const gone = [...inUrl.values()].filter((s) => !shard.streams.has(s.key));
      if (gone.length > 0) this.#send(conn, protocol.unsubscribe(gone));
      const rest = [...shard.streams.values()].filter((s) => !inUrl.has(s.key));
      if (rest.length > 0) this.#send(conn, protocol.subscribe(rest));
      if (protocol.openFrames) this.#send(conn, protocol.openFrames());
      this.#ready.add(conn);
      this.#opts.onOpen?.(id);
    };
    const handlers: ConnectionHandlers = {
      onOpen: () => {
        this.#scheduleRenewal(id);
        const auth = protocol.authenticate?.([...shard.streams.values()]);
        if (auth === undefined) return subscribe();
        const opened = conn.stats.connects;
        // Signing is asynchronous; the socket may be gone by the time it is done.
        const current = () =>
          conn.state === "open" && conn.stats.connects === opened;
        auth.then((frames) => {
          if (!current()) return;
          sendAll(conn, frames);
          subscribe();
        }, (e) => {
          if (!current()) return;
          conn.reconnect(
            `authentication failed: ${e instanceof Error ? e.message : e}`,
          );
        });
      },
      onFrame: (data, ts, more) => {
        this.#opts.onFrame(id, data, ts, more);
        if (!promoting && shard.successor === conn) {
          promoting = true;
          // Both deliver for a while: frames still in the old socket's
          // buffers arrive, and the parser drops what the two share.
          const timer = this.#clock.setTimeout(() => {
            this.#promoteTimers.delete(id);
            // Lost its socket meanwhile: wait for it to deliver again.
            if (conn.state === "open") this.#promote(shard);
            else promoting = false;
          }, this.#opts.protocol.renewOverlapMs ?? DEFAULT_OVERLAP_MS);
          this.#promoteTimers.set(id, timer);
        }
      },
      onStateChange: (state, detail) => {
        if (state !== "open") {
          this.#cancelRenewal(id);
          this.#ready.delete(conn);
        }
        this.#opts.onStateChange?.(id, state, detail);
      },
    };
    const heartbeat = protocol.heartbeat ?? connection?.heartbeat;
    const sendLimit = protocol.sendLimit ?? connection?.sendLimit;
    const conn = new Connection({
      ...connection,
      ...(heartbeat ? { heartbeat } : {}),
      ...(sendLimit ? { sendLimit } : {}),
      id,
      url: () => {
        const streams = [...shard.streams.values()];
        inUrl = new Map(protocol.urlStreams?.(streams).map((s) => [s.key, s]));
        return protocol.url(streams);
      },
      handlers,
    });
    this.#byId.set(id, shard);
    return conn;
  }

  /** The successor delivered: it serves the shard, the old one goes. */
  #promote(shard: Shard): void {
    const successor = shard.successor;
    if (successor === undefined) return;
    const old = shard.conn;
    shard.conn = successor;
    shard.successor = undefined;
    this.#retireConnection(old);
    this.#opts.onRenew?.({
      from: old.id,
      to: successor.id,
      reason: "successor delivered through the overlap",
      done: true,
    });
  }

  #scheduleRenewal(id: string): void {
    const age = this.#opts.protocol.maxConnectionAgeMs;
    this.#cancelRenewal(id);
    if (age === undefined || age <= 0) return;
    const timer = this.#clock.setTimeout(() => {
      this.#renewTimers.delete(id);
      this.renew(id, `connection age limit (${Math.round(age / 1000)} s)`);
    }, age);
    this.#renewTimers.set(id, timer);
  }

  #cancelRenewal(id: string): void {
    this.#cancel(this.#renewTimers, id);
  }

  /** Clears and forgets the timer of `id` in `timers`, if any. */
  #cancel(timers: Map<string, TimerId>, id: string): void {
    const timer = timers.get(id);
    if (timer === undefined) return;
    this.#clock.clearTimeout(timer);
    timers.delete(id);
  }

  /** Sends to the shard's connections that subscribed since they opened (the others will on open). */
  #sendShard(shard: Shard, frames: readonly string[]): void {
    if (this.#ready.has(shard.conn)) this.#send(shard.conn, frames);
    if (shard.successor && this.#ready.has(shard.successor)) {
      this.#send(shard.successor, frames);
    }
  }

  /** Sends control frames, through the signing queue when the protocol signs. */
  #send(conn: Connection, frames: readonly string[]): void {
    if (this.#signed) this.#signed.send(conn, frames);
    else sendAll(conn, frames);
  }

  #retireShard(shard: Shard): void {
    this.#shards.delete(shard);
    this.#retireConnection(shard.conn);
    if (shard.successor) this.#retireConnection(shard.successor);
  }

  #retireConnection(conn: Connection): void {
    this.#byId.delete(conn.id);
    this.#ready.delete(conn);
    this.#cancel(this.#renewTimers, conn.id);
    this.#cancel(this.#promoteTimers, conn.id);
    const done = conn.close();
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
