/**
 * `tickgate tail URL STREAM [--count N] [--follow]` and `tickgate tail URL
 * --list`: read events back from Redis Streams, Kafka or RabbitMQ. Each
 * backend implements {@link TailBackend}.
 *
 * @module
 */

/** One message read back. */
export interface TailRecord {
  /** The stream, topic or queue it came from. */
  stream: string;
  /** Where it sits: a Redis entry id, `partition:offset`, a delivery tag. */
  position: string;
  /** Message key or routing key, when the broker has one. */
  key?: string;
  /** The payload: parsed JSON when it is JSON, else fields or text. */
  value: unknown;
}

/** How much to read. */
export interface TailOptions {
  /** Print the last `count` messages (default 10). */
  count: number;
  /** Keep printing new messages until `signal` aborts. */
  follow: boolean;
  /** Aborted on Ctrl-C, or by tests. */
  signal: AbortSignal;
}

/** One broker's reader. */
export interface TailBackend {
  /** Stream, topic or queue names, sorted. */
  list(): Promise<string[]>;
  /**
   * Emits the last `count` messages of `stream`, oldest first, then (with
   * `follow`) new ones as they arrive, until `signal` aborts. Never removes
   * messages that other consumers would read.
   */
  read(
    stream: string,
    options: TailOptions,
    emit: (record: TailRecord) => void,
  ): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}

/** A tail target could not be read (unknown stream, broker unreachable). */
export class TailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TailError";
  }
}
