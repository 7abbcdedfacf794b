/**
 * A test-only socket the test drives by hand: it records what the connection
 * machine sends and closes, and lets the test open, deliver, fail and close.
 *
 * @module
 */

import type { FrameEvent, SocketLike } from "./types.ts";

/** A socket the test drives by hand; it records what the machine does. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  readonly closeCalls: {
    code: number | undefined;
    reason: string | undefined;
  }[] = [];
  /** When false, `close()` never reports back (a hung peer). */
  reportsClose = true;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: FrameEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState >= 2) return;
    this.readyState = 2;
    if (this.reportsClose) this.serverClose(code ?? 1005, reason ?? "");
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  /**
   * Delivers a message; with `batch`, as one of a read's messages, and
   * `more` when another of them follows at once.
   */
  deliver(data: string | ArrayBuffer, batch?: number, more?: boolean): void {
    this.onmessage?.(
      batch === undefined
        ? new MessageEvent("message", { data })
        : { data, batch, ...(more === undefined ? {} : { more }) },
    );
  }
  fail(message: string): void {
    this.onerror?.(new ErrorEvent("error", { message }));
    this.serverClose(1006, "");
  }
  serverClose(code: number, reason = ""): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent("close", { code, reason }));
  }
}
