/**
 * A TCP proxy the tests own, put in front of a real service so a test can
 * cut the sink's connection (an outage) and restore it.
 *
 * @module
 */

/**
 * Forwards loopback connections to a target. While cut, open connections
 * are closed and new ones are accepted and closed at once.
 *
 * @example Usage
 * ```ts
 * await using proxy = await TcpProxy.start({ hostname: "127.0.0.1", port: 6379 });
 * proxy.cut();
 * proxy.restore();
 * ```
 */
export class TcpProxy {
  readonly #listener: Deno.TcpListener;
  readonly #target: { hostname: string; port: number };
  readonly #open = new Set<Deno.Conn>();
  #cut = false;
  #accepting: Promise<void>;
  /** Connections accepted so far (including refused ones while cut). */
  accepted = 0;

  private constructor(
    listener: Deno.TcpListener,
    target: { hostname: string; port: number },
  ) {
    this.#listener = listener;
    this.#target = target;
    this.#accepting = this.#accept();
  }

  /** Listens on a free loopback port. */
  static start(target: { hostname: string; port: number }): TcpProxy {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new TcpProxy(listener, target);
  }

  /** The port clients connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** Whether the proxy is cut. */
  get isCut(): boolean {
    return this.#cut;
  }

  /** Closes every open connection and refuses new ones until restored. */
  cut(): void {
    this.#cut = true;
    for (const c of this.#open) closeQuietly(c);
    this.#open.clear();
  }

  /** Forwards new connections again. */
  restore(): void {
    this.#cut = false;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.cut();
    closeQuietly(this.#listener);
    await this.#accepting;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #accept(): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      this.accepted++;
      if (this.#cut) {
        closeQuietly(client);
        continue;
      }
      this.#pipe(client);
    }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect(this.#target);
    } catch {
      closeQuietly(client);
      return;
    }
    if (this.#cut) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    this.#open.add(client);
    this.#open.add(upstream);
    const done = () => {
      this.#open.delete(client);
      this.#open.delete(upstream);
      closeQuietly(client);
      closeQuietly(upstream);
    };
    await Promise.race([
      client.readable.pipeTo(upstream.writable, { preventClose: true })
        .catch(() => {}),
      upstream.readable.pipeTo(client.writable, { preventClose: true })
        .catch(() => {}),
    ]);
    done();
  }
}

function closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch {
    // already closed
  }
}
