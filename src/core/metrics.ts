/**
 * A small Prometheus metrics registry: counters, gauges and histograms with
 * labels, exposed in the text format (0.0.4). Hot paths resolve a labelled
 * child once (`counter.labels("coinbase")`) and then only call `inc()`.
 *
 * @module
 */

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The value holder behind one label set of a counter or gauge. */
export class Value {
  /** Current value. */
  value = 0;
  /** Adds `n` (default 1). */
  inc(n = 1): void {
    this.value += n;
  }
  /** Sets the value (gauges). */
  set(v: number): void {
    this.value = v;
  }
}

/** The bucket counts behind one label set of a histogram. */
export class HistogramValue {
  /** Cumulative counts are computed at exposition; these are per bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** @param bounds upper bounds, ascending, without +Inf */
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  /** Records one observation. */
  observe(v: number): void {
    this.observeMany(v, 1);
  }
  /** Records `n` observations of the same value `v`. */
  observeMany(v: number, n: number): void {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= b[mid]!) hi = mid;
      else lo = mid + 1;
    }
    this.counts[lo]! += n;
    this.sum += v * n;
    this.count += n;
  }
  /** The value below which `q` (0..1) of observations fall, by bucket bound. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      if (acc >= rank) {
        return i < this.bounds.length ? this.bounds[i]! : Infinity;
      }
    }
    return Infinity;
  }
}

type MetricType = "counter" | "gauge" | "histogram";

/** Fields common to every metric family. */
abstract class Family<C> {
  readonly #children = new Map<string, { labels: string[]; child: C }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: MetricType,
  ) {}

  protected abstract create(): C;

  /** The child for these label values (created on first use, then cached). */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length) {
      throw new RangeError(
        `Cannot resolve metric "${this.name}": expected ${this.labelNames.length} label values, got ${values.length}`,
      );
    }
    const key = values.join("\u0000");
    let entry = this.#children.get(key);
    if (entry === undefined) {
      entry = { labels: values, child: this.create() };
      this.#children.set(key, entry);
    }
    return entry.child;
  }

  /** Every label set and its child. */
  entries(): Iterable<{ labels: string[]; child: C }> {
    return this.#children.values();
  }
}

/** A monotonically increasing counter. */
export class Counter extends Family<Value> {
  protected create(): Value {
    return new Value();
  }
  /** Increments the unlabelled series. */
  inc(n = 1): void {
    this.labels().inc(n);
  }
}

/** A value that goes up and down. */
export class Gauge extends Family<Value> {
  protected create(): Value {
    return new Value();
  }
  /** Sets the unlabelled series. */
  set(v: number): void {
    this.labels().set(v);
  }
}

/** A histogram with fixed buckets. */
export class Histogram extends Family<HistogramValue> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames, "histogram");
  }
  protected create(): HistogramValue {
    return new HistogramValue(this.buckets);
  }
  /** Observes into the unlabelled series. */
  observe(v: number): void {
    this.labels().observe(v);
  }
}

/** Default latency buckets in seconds: 50 µs to 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/**
 * Holds metric families and renders them as Prometheus text.
 *
 * @example Usage
 * ```ts
 * const reg = new MetricsRegistry();
 * const frames = reg.counter("frames_total", "Frames read", ["venue"]);
 * frames.labels("coinbase").inc();
 * const text = reg.expose();
 * ```
 */
export class MetricsRegistry {
  readonly #families = new Map<string, Family<Value | HistogramValue>>();
  readonly #collectors: (() => void)[] = [];

  /**
   * Adds a function run before every exposition, to copy values kept
   * elsewhere (plain counters on hot paths) into metrics.
   */
  addCollector(fn: () => void): void {
    this.#collectors.push(fn);
  }

  /** Registers (or returns the existing) counter. */
  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return this.#register(
      name,
      () => new Counter(name, help, labelNames, "counter"),
    );
  }

  /** Registers (or returns the existing) gauge. */
  gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return this.#register(
      name,
      () => new Gauge(name, help, labelNames, "gauge"),
    );
  }

  /** Registers (or returns the existing) histogram. */
  histogram(
    name: string,
    help: string,
    labelNames: string[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): Histogram {
    return this.#register(
      name,
      () => new Histogram(name, help, labelNames, buckets),
    );
  }

  #register<F extends Family<Value | HistogramValue>>(
    name: string,
    make: () => F,
  ): F {
    const existing = this.#families.get(name);
    if (existing !== undefined) return existing as F;
    if (!NAME_RE.test(name)) {
      throw new TypeError(`Cannot register metric "${name}": invalid name`);
    }
    const family = make();
    for (const l of family.labelNames) {
      if (!LABEL_RE.test(l)) {
        throw new TypeError(
          `Cannot register metric "${name}": invalid label "${l}"`,
        );
      }
    }
    this.#families.set(name, family);
    return family;
  }

  /** Renders every family in the Prometheus text exposition format. */
  expose(): string {
    for (const collect of this.#collectors) collect();
    const out: string[] = [];
    for (const f of this.#families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      for (const { labels, child } of f.entries()) {
        if (child instanceof HistogramValue) {
          exposeHistogram(out, f.name, f.labelNames, labels, child);
        } else {
          out.push(
            `${f.name}${labelText(f.labelNames, labels)} ${num(child.value)}`,
          );
        }
      }
    }
    return out.join("\n") + "\n";
  }
}

function exposeHistogram(
  out: string[],
  name: string,
  names: readonly string[],
  values: string[],
  h: HistogramValue,
): void {
  let acc = 0;
  for (let i = 0; i < h.bounds.length; i++) {
    acc += h.counts[i]!;
    const le = labelText([...names, "le"], [...values, String(h.bounds[i])]);
    out.push(`${name}_bucket${le} ${acc}`);
  }
  const inf = labelText([...names, "le"], [...values, "+Inf"]);
  out.push(`${name}_bucket${inf} ${h.count}`);
  out.push(`${name}_sum${labelText(names, values)} ${num(h.sum)}`);
  out.push(`${name}_count${labelText(names, values)} ${h.count}`);
}

function labelText(
  names: readonly string[],
  values: readonly string[],
): string {
  if (names.length === 0) return "";
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  return `{${parts.join(",")}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
