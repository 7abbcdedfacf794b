/**
 * One connection of the Coinbase Advanced Trade simulator: its socket, the
 * per-connection `sequence_num` and `heartbeat_counter`, pending simulated
 * losses, subscriptions, timers, and what the client sent.
 *
 * @module
 */
import type { Clock, TimerId } from "../core/clock.ts";
import { rfc3339Nanos } from "./coinbase_advanced_feeds.ts";
import type { Frame } from "./coinbase_advanced_subscribe.ts";

/** A connection as {@link AdvancedClient.info} reports it. */
export interface ClientInfo {
  /** 1-based serial of the connection. */
  id: number;
  /** The JSON objects the client sent, parsed, in order. */
  received: Record<string, unknown>[];
  /** Current subscriptions: channel (subscribe name) -> products. */
  subscriptions: Record<string, string[]>;
  /** Whether a subscribe with a valid JWT was accepted. */
  authenticated: boolean;
  /** Whether the socket has closed. */
  closed: boolean;
  /** Why it closed (the server's reason, or the client's close). */
  closeReason?: string;
}

/**
 * The server side of one connection.
 *
 * @example Usage
 * ```ts ignore
 * const client = new AdvancedClient(1, socket);
 * const frame = client.envelope("heartbeats", [event], Date.now());
 * if (frame) socket.send(JSON.stringify(frame));
 * ```
 */
export class AdvancedClient {
  readonly id: number;
  readonly socket: WebSocket;
  readonly received: Frame[] = [];
  /** channel (subscribe name) -> products; `heartbeats` has none. */
  readonly subscriptions = new Map<string, Set<string>>();
  authenticated = false;
  closed = false;
  closeReason: string | undefined;
  /** Enveloped messages still to swallow (consuming sequence numbers). */
  messagesToLose = 0;
  /** Subscribe deadline timer, until the first valid subscribe. */
  deadlineTimer: TimerId | undefined;
  /** Idle-close timer, while subscribed without `heartbeats`. */
  idleTimer: TimerId | undefined;
  /** Client messages are handled one after another (JWT checks are async). */
  queue: Promise<void> = Promise.resolve();
  #sequence = 0;
  #heartbeats = 0;

  constructor(id: number, socket: WebSocket) {
    this.id = id;
    this.socket = socket;
  }

  /** Whether frames can be sent now. */
  get open(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  /** Whether the client has any subscription. */
  get subscribed(): boolean {
    return this.subscriptions.size > 0;
  }

  /**
   * Applies a validated (un)subscribe; returns the products newly added
   * (those get a snapshot). Unsubscribing `heartbeats` or a channel's last
   * product removes the channel.
   */
  apply(subscribe: boolean, channel: string, productIds: string[]): string[] {
    const current = this.subscriptions.get(channel) ?? new Set<string>();
    if (!subscribe) {
      productIds.forEach((id) => current.delete(id));
      if (channel === "heartbeats" || current.size === 0) {
        this.subscriptions.delete(channel);
      }
      return [];
    }
    const added = productIds.filter((id) => !current.has(id));
    added.forEach((id) => current.add(id));
    this.subscriptions.set(channel, current);
    return added;
  }

  /**
   * Closes the socket (once the handshake finished, if it has not) with
   * `code` and `reason`; a no-op when already closed.
   */
  close(clock: Clock, code: number, reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    this.markClosed(clock);
    const socket = this.socket;
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener("open", () => socket.close(code, reason));
    } else if (socket.readyState === WebSocket.OPEN) {
      socket.close(code, reason);
    }
  }

  /** Records that the socket closed (or is closing) and stops its timers. */
  markClosed(clock: Clock, event?: CloseEvent): void {
    this.closed = true;
    this.clearDeadline(clock);
    this.clearIdle(clock);
    if (event) {
      this.closeReason ??= event.reason ||
        `closed by the client (code ${event.code})`;
    }
  }

  /**
   * Runs `onIdle` after `ms` while the client is subscribed without
   * `heartbeats`; subscribing `heartbeats` cancels it.
   */
  armIdleClose(clock: Clock, ms: number, onIdle: () => void): void {
    if (this.subscriptions.has("heartbeats")) {
      this.clearIdle(clock);
    } else if (this.subscribed && this.idleTimer === undefined) {
      this.idleTimer = clock.setTimeout(onIdle, ms);
    }
  }

  /** Cancels the subscribe-deadline timer. */
  clearDeadline(clock: Clock): void {
    if (this.deadlineTimer !== undefined) {
      clock.clearTimeout(this.deadlineTimer);
    }
    this.deadlineTimer = undefined;
  }

  /** Cancels the idle-close timer. */
  clearIdle(clock: Clock): void {
    if (this.idleTimer !== undefined) clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** The next `heartbeats` event (`heartbeat_counter` a string, +1 each). */
  heartbeatEvent(currentTime: string): Frame {
    return {
      current_time: currentTime,
      heartbeat_counter: String(++this.#heartbeats),
    };
  }

  /**
   * Wraps `events` in the envelope with the next `sequence_num`; null when
   * a simulated loss swallows it (the number is consumed all the same).
   */
  envelope(channel: string, events: Frame[], nowMs: number): Frame | null {
    const sequence = this.#sequence++;
    if (this.messagesToLose > 0) {
      this.messagesToLose--;
      return null;
    }
    return {
      channel,
      client_id: "",
      timestamp: rfc3339Nanos(nowMs),
      sequence_num: sequence,
      events,
    };
  }

  /** A copy of the connection's public state. */
  info(): ClientInfo {
    const subscriptions: Record<string, string[]> = {};
    for (const [channel, ids] of this.subscriptions) {
      subscriptions[channel] = [...ids];
    }
    return {
      id: this.id,
      received: [...this.received],
      subscriptions,
      authenticated: this.authenticated,
      closed: this.closed,
      ...(this.closeReason === undefined
        ? {}
        : { closeReason: this.closeReason }),
    };
  }
}

/**
 * Closes every open client with `code` and `reason` and resolves once all
 * have closed, or after `limitMs` of real time (a manual clock may stand
 * still).
 */
export async function closeClients(
  clients: readonly AdvancedClient[],
  clock: Clock,
  code: number,
  reason: string,
  limitMs: number,
): Promise<void> {
  const closing = clients.filter((c) => !c.closed).map((c) =>
    new Promise<void>((resolve) => {
      c.socket.addEventListener("close", () => resolve(), { once: true });
      c.close(clock, code, reason);
    })
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) =>
    timer = setTimeout(resolve, limitMs)
  );
  await Promise.race([Promise.all(closing), limit]);
  clearTimeout(timer);
}
