/**
 * A sink driver whose module is loaded on first use. The broker clients
 * (kafkajs, amqplib, postgres) are large npm packages; a process that does
 * not deliver to them should neither load nor compile them, which costs
 * startup time and tens of MB of resident memory.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";
import type { SinkContext, SinkDriver } from "./types.ts";
import type { SinkSpec } from "./url.ts";

/** Makes a driver for a sink URL (the driver modules' `create…Driver`). */
export type DriverFactory = (spec: SinkSpec, ctx: SinkContext) => SinkDriver;

/**
 * Loads a driver module and returns its factory; written as a function
 * with a literal `import("./kafka.ts")` so `deno compile` embeds the module.
 */
export type DriverLoader = () => Promise<DriverFactory>;

/**
 * A {@link SinkDriver} that loads its real driver when first connected (the
 * delivery queue connects before it sends); a failed load rejects like a
 * failed connection and is tried again on the next call.
 *
 * @example Usage
 * ```ts
 * const driver = new LazyDriver(
 *   async () => (await import("./kafka.ts")).createKafkaDriver,
 *   spec,
 *   ctx,
 * );
 * await driver.connect(); // loads kafkajs now
 * ```
 */
export class LazyDriver implements SinkDriver {
  readonly #load: DriverLoader;
  readonly #spec: SinkSpec;
  readonly #ctx: SinkContext;
  #driver: SinkDriver | undefined;
  #loading: Promise<SinkDriver> | undefined;
  #closed = false;

  /**
   * @param load loads the driver module
   * @param spec the sink URL, already validated
   * @param ctx what drivers share beyond their URL
   */
  constructor(load: DriverLoader, spec: SinkSpec, ctx: SinkContext) {
    this.#load = load;
    this.#spec = spec;
    this.#ctx = ctx;
  }

  /** Loads the driver if needed, then connects it. */
  async connect(): Promise<void> {
    await (await this.#loaded()).connect();
  }

  /** Sends through the loaded driver (loading it first if needed). */
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    await (await this.#loaded()).send(batch);
  }

  /**
   * Closes the driver if it was ever loaded; a load still under way makes
   * no driver, and `connect`/`send` reject from now on.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#loading?.catch(() => undefined);
    await this.#driver?.close();
  }

  /** The loaded driver's details; none before it is loaded. */
  details(): Record<string, unknown> {
    return this.#driver?.details?.() ?? {};
  }

  #loaded(): Promise<SinkDriver> {
    if (this.#closed) return Promise.reject(new Error("sink driver closed"));
    if (this.#driver !== undefined) return Promise.resolve(this.#driver);
    this.#loading ??= this.#load().then((factory) => {
      if (this.#closed) throw new Error("sink driver closed while loading");
      return this.#driver = factory(this.#spec, this.#ctx);
    }).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }
}
