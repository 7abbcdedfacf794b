/**
 * Folding subscription options into venue channel names: some venues put a
 * channel's parameter in its name (Bybit `orderbook.50`, Binance
 * `kline_1m`), and the API accepts either that name or the family name plus
 * `options`.
 *
 * @module
 */

import type { SubscriptionOptions } from "./types.ts";

/** A channel family: the name its options fold into, or `undefined` when they do not fit. */
export type ChannelFamily = (
  options: SubscriptionOptions,
) => string | undefined;

/** Whether `options` sets anything. */
export function hasOptions(options: SubscriptionOptions): boolean {
  return options.depth !== undefined || options.interval !== undefined;
}

/**
 * The channel `name` names with `options`: `name` itself when no option is
 * set, else what its family folds them into; `undefined` when that is not
 * one of `channels`.
 *
 * @example Usage
 * ```ts
 * const families = { orderbook: (o) => o.depth ? `orderbook.${o.depth}` : undefined };
 * foldChannel("orderbook", { depth: 50 }, families, ["orderbook.50"]); // "orderbook.50"
 * ```
 */
export function foldChannel(
  name: string,
  options: SubscriptionOptions,
  families: Readonly<Record<string, ChannelFamily>>,
  channels: readonly string[],
): string | undefined {
  const folded = hasOptions(options)
    ? Object.hasOwn(families, name) ? families[name]!(options) : undefined
    : name;
  return folded !== undefined && channels.includes(folded) ? folded : undefined;
}

/** A family taking only `depth`, spelled by `spell`. */
export function depthFamily(spell: (depth: number) => string): ChannelFamily {
  return (o) =>
    o.depth !== undefined && o.interval === undefined
      ? spell(o.depth)
      : undefined;
}

/** A family taking only `interval`, spelled by `spell`. */
export function intervalFamily(
  spell: (interval: string) => string,
): ChannelFamily {
  return (o) =>
    o.interval !== undefined && o.depth === undefined
      ? spell(o.interval)
      : undefined;
}
