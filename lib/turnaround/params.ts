// Query parameters of the turnaround and prediction-error pages and the CSV export. They arrive from the
// URL, so anything malformed falls back to the default instead of failing the page.
import { z } from "zod";

const id = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** Windows offered on the turnaround page, in days; 0 means "all time". */
export const TURNAROUND_WINDOWS = [7, 30, 90, 365, 0] as const;
export const DEFAULT_WINDOW_DAYS = 90;

export const turnaroundParams = z.object({
  experiment: id.optional().catch(undefined),
  trainer: id.optional().catch(undefined),
  baseline: id.optional().catch(undefined),
  days: z.coerce
    .number()
    .int()
    .refine((d) => (TURNAROUND_WINDOWS as readonly number[]).includes(d))
    .catch(DEFAULT_WINDOW_DAYS)
    .default(DEFAULT_WINDOW_DAYS),
});
export type TurnaroundParams = z.infer<typeof turnaroundParams>;

export const PREDICTION_WINDOWS = [20, 50, 100, 200, 500] as const;
export const DEFAULT_PREDICTION_WINDOW = 100;

export const predictionParams = z.object({
  trainer: id.optional().catch(undefined),
  last: z.coerce
    .number()
    .int()
    .refine((n) => (PREDICTION_WINDOWS as readonly number[]).includes(n))
    .catch(DEFAULT_PREDICTION_WINDOW)
    .default(DEFAULT_PREDICTION_WINDOW),
});
export type PredictionParams = z.infer<typeof predictionParams>;

export const costModelParams = z.object({
  family: z
    .string()
    .max(64)
    .regex(/^[a-z0-9_-]+$/)
    .optional()
    .catch(undefined),
  trainer: id.optional().catch(undefined),
  edge: id.optional().catch(undefined),
});
export type CostModelParams = z.infer<typeof costModelParams>;

type Search = Record<string, string | string[] | undefined> | URLSearchParams;

/** First value of each key, as Next passes repeated keys as arrays. Empty strings count as absent. */
export function firstValues(search: Search): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, string | string[] | undefined]> =
    search instanceof URLSearchParams ? search.entries() : Object.entries(search);
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== "" && !(key in out)) out[key] = first;
  }
  return out;
}

export function parseTurnaroundParams(search: Search): TurnaroundParams {
  return turnaroundParams.parse(firstValues(search));
}

export function parsePredictionParams(search: Search): PredictionParams {
  return predictionParams.parse(firstValues(search));
}

export function parseCostModelParams(search: Search): CostModelParams {
  return costModelParams.parse(firstValues(search));
}

/** Start of the window (inclusive) for `days` before `now`; null for all time. */
export function windowStart(days: number, now: Date): Date | null {
  return days > 0 ? new Date(now.getTime() - days * 86_400_000) : null;
}

/** A query string for links that keep the current filters, minus empty values and defaults. */
export function queryString(values: Record<string, string | number | undefined>, defaults: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === "" || defaults[key] === value) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
