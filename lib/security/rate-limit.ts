// Fixed-window rate limiter kept in the process: enough for one dashboard process in front of sign-in
// and the agent API (a multi-process deployment would move the counters into PostgreSQL).
export interface RateLimiter {
  /** Records one hit for `key`; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now?: number): number;
}

export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key, now = Date.now()) {
      const current = windows.get(key);
      if (!current || now - current.start >= windowMs) {
        if (windows.size > 10_000) windows.clear(); // bound memory under a flood of distinct keys
        windows.set(key, { start: now, count: 1 });
        return 0;
      }
      current.count += 1;
      return current.count > limit ? Math.ceil((current.start + windowMs - now) / 1000) : 0;
    },
  };
}
