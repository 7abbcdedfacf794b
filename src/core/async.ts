/**
 * The few async helpers tickgate needs (JSR's `@std/async` is not reachable
 * from every build machine, so they live here, once).
 *
 * @module
 */

/** Error thrown by {@link deadline} when the time runs out. */
export class DeadlineError extends Error {
  /** @param ms the deadline that passed */
  constructor(readonly ms: number, what = "operation") {
    super(`Cannot complete ${what}: deadline of ${ms} ms passed`);
    this.name = "DeadlineError";
  }
}

/**
 * Resolves after `ms` milliseconds, or rejects early when `signal` aborts.
 *
 * @example Usage
 * ```ts
 * await delay(10);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects with {@link DeadlineError} after `ms`.
 *
 * @example Usage
 * ```ts
 * const value = await deadline(Promise.resolve(1), 1_000);
 * ```
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  what?: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms, what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
