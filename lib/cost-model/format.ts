// Human-readable durations, sizes and rates for the cost-model page and reports.

interface Unit {
  symbol: string;
  /** Size of one unit in the base quantity (seconds or bytes). */
  size: number;
}

const DURATION_UNITS: readonly Unit[] = [
  { symbol: "ns", size: 1e-9 },
  { symbol: "µs", size: 1e-6 },
  { symbol: "ms", size: 1e-3 },
  { symbol: "s", size: 1 },
  { symbol: "min", size: 60 },
  { symbol: "h", size: 3600 },
  { symbol: "d", size: 86_400 },
];

// Decimal (SI) prefixes, because the paper's rates are decimal: 1 GB/s = 10⁹ B/s, 3 MB = 3×10⁶ B.
const BYTE_UNITS: readonly Unit[] = [
  { symbol: "B", size: 1 },
  { symbol: "kB", size: 1e3 },
  { symbol: "MB", size: 1e6 },
  { symbol: "GB", size: 1e9 },
  { symbol: "TB", size: 1e12 },
  { symbol: "PB", size: 1e15 },
];

/** Three significant figures, no trailing zeros, no exponent for the magnitudes we show (< 10⁶). */
function significant(value: number, digits = 3): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toString();
  const text = value.toPrecision(digits);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/**
 * Picks the largest unit not bigger than the value, then moves up one unit when rounding crossed into it
 * (59.97 s must read "1 min", not "60 s").
 */
function withUnits(value: number, units: readonly Unit[], digits: number): string {
  let index = 0;
  for (let i = units.length - 1; i >= 0; i--) {
    if (value >= units[i].size) {
      index = i;
      break;
    }
  }
  let text = significant(value / units[index].size, digits);
  const next = units[index + 1];
  if (next !== undefined && Number(text) * units[index].size >= next.size) {
    index += 1;
    text = significant(value / units[index].size, digits);
  }
  return `${text} ${units[index].symbol}`;
}

/** "2.44 µs", "280 ms", "19 s", "18.4 min", "5.28 h", "3.5 d". Non-finite input reads "—" (or "∞"). */
export function formatDuration(seconds: number, significantDigits = 3): string {
  if (Number.isNaN(seconds)) return "—";
  if (!Number.isFinite(seconds)) return seconds > 0 ? "∞" : "−∞";
  if (seconds === 0) return "0 s";
  if (seconds < 0) return `−${formatDuration(-seconds, significantDigits)}`;
  return withUnits(seconds, DURATION_UNITS, significantDigits);
}

/** "242 B", "3 MB", "1.5 GB" (decimal prefixes). */
export function formatBytes(bytes: number, significantDigits = 3): string {
  if (!Number.isFinite(bytes)) return "—";
  if (bytes === 0) return "0 B";
  if (bytes < 0) return `−${formatBytes(-bytes, significantDigits)}`;
  return withUnits(bytes, BYTE_UNITS, significantDigits);
}

/** "1 GB/s", "850 MB/s". */
export function formatRate(bytesPerSecond: number, significantDigits = 3): string {
  if (!Number.isFinite(bytesPerSecond)) return "—";
  return `${formatBytes(bytesPerSecond, significantDigits)}/s`;
}

/** "12 ± 3 s": the ± part in the value's unit keeps the pair readable. */
export function formatDurationWithUncertainty(seconds: number, plusMinusSeconds: number): string {
  return `${formatDuration(seconds)} ± ${formatDuration(plusMinusSeconds, 2)}`;
}

const SUPERSCRIPT_DIGITS: Record<string, string> = {
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
  "-": "⁻",
};

/** Log-axis tick label: 1e6 → "10⁶". Values that are not exact powers of ten fall back to 3 figures. */
export function formatPowerOfTen(value: number): string {
  if (!(value > 0) || !Number.isFinite(value)) return String(value);
  const exponent = Math.round(Math.log10(value));
  if (Math.abs(value / 10 ** exponent - 1) > 1e-9) return significant(value);
  const superscript = String(exponent)
    .split("")
    .map((c) => SUPERSCRIPT_DIGITS[c] ?? c)
    .join("");
  return `10${superscript}`;
}

/** Powers of ten covering [min, max] — tick positions for a log axis. Empty for a non-positive range. */
export function powerOfTenTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) ticks.push(10 ** k);
  return ticks;
}

/** [10^⌊log min⌋, 10^⌈log max⌉] over the positive finite values — a log axis domain; null if none. */
export function powerOfTenDomain(values: readonly number[]): [number, number] | null {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return null;
  const min = Math.min(...positive);
  const max = Math.max(...positive);
  return [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max))];
}

/** A count such as a number of data: "950", "12 300", "9.03 × 10⁶". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (Math.abs(value) < 1e5) return Math.round(value).toLocaleString("en-US").replace(/,/g, " ");
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  const mantissa = significant(value / 10 ** exponent);
  return mantissa === "1" ? formatPowerOfTen(10 ** exponent) : `${mantissa} × ${formatPowerOfTen(10 ** exponent)}`;
}
