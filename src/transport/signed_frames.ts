/**
 * Control frames that are signed just before they go out (e.g. the JWT in
 * every Coinbase Advanced Trade subscribe message): signing is
 * asynchronous, yet the frames reach the socket in the order they were
 * queued, and only the socket they were meant for. A frame whose socket has
 * since closed is dropped (the reconnect subscribes everything again).
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import type { ConnectionState } from "./types.ts";

/** The part of a connection the queue uses. */
export interface FrameTarget {
  readonly state: ConnectionState;
  /** `connects` tells one socket of the connection from the next. */
  readonly stats: { readonly connects: number };
  send(frame: string): boolean;
  reconnect(reason: string): void;
}

/**
 * Signs frames and sends them in queue order per connection.
 *
 * @example Usage
 * ```ts ignore
 * const queue = new SignedFrameQueue((frame) => protocol.sign!(frame));
 * queue.send(connection, ['{"type":"subscribe","channel":"level2"}']);
 * ```
 */
export class SignedFrameQueue {
  readonly #sign: (frame: string) => Promise<string>;
  readonly #tails = new Map<FrameTarget, Promise<void>>();

  constructor(sign: (frame: string) => Promise<string>) {
    this.#sign = sign;
  }

  /**
   * Signs `frames` now and sends them to `target` after everything queued
   * for it before, provided the socket they were signed for is still open.
   * A signing failure reconnects `target`.
   */
  send(target: FrameTarget, frames: readonly string[]): void {
    if (frames.length === 0) return;
    const socket = target.stats.connects;
    const current = () =>
      target.state === "open" && target.stats.connects === socket;
    const signing = Promise.all(frames.map((f) => this.#sign(f)));
    signing.catch(() => {}); // handled below, in queue order
    const tail = (this.#tails.get(target) ?? Promise.resolve()).then(
      async () => {
        let signed: string[];
        try {
          signed = await signing;
        } catch (e) {
          if (current()) {
            target.reconnect(
              `signing failed: ${errorText(e)}`,
            );
          }
          return;
        }
        if (!current()) return;
        for (const frame of signed) if (!target.send(frame)) return;
      },
    );
    this.#tails.set(target, tail);
    tail.finally(() => {
      if (this.#tails.get(target) === tail) this.#tails.delete(target);
    });
  }

  /** Resolves once every frame queued so far was sent or dropped. */
  async drained(): Promise<void> {
    await Promise.all(this.#tails.values());
  }
}
