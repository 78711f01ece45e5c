// Fixed-window rate limits counted in PostgreSQL, so that every dashboard process behind a load balancer
// shares them (the in-process limiter counts per process: N processes would allow N times the limit).
// The table is the sign-in limiter's ("RateLimitCounter": key, window start, count); keys carry a prefix
// per limiter so the two never share a counter.
import { prisma } from "@/lib/db";

export interface SharedRateLimiter {
  /** Records one hit for `key`; resolves to the seconds to wait when over the limit, else 0. */
  hit(key: string): Promise<number>;
}

const SWEEP_EVERY_MS = 60_000;

export function createSharedRateLimiter(prefix: string, limit: number, windowMs: number): SharedRateLimiter {
  let lastSweep = 0;
  const seconds = windowMs / 1000;
  return {
    async hit(key) {
      if (Date.now() - lastSweep >= SWEEP_EVERY_MS) {
        lastSweep = Date.now();
        // counters whose window has passed; any process may do it, at most once a minute each
        await prisma.$executeRaw`
          delete from "RateLimitCounter"
          where "key" like ${`${prefix}:%`} and "windowStart" < now() at time zone 'UTC' - make_interval(secs => ${seconds}::double precision)`;
      }
      // One statement: the row lock orders concurrent hits from all processes; the clock is the database's.
      const [row] = await prisma.$queryRaw<{ count: number; msLeft: number }[]>`
        with clock as (select now() at time zone 'UTC' as at_now, make_interval(secs => ${seconds}::double precision) as span)
        insert into "RateLimitCounter" ("key", "windowStart", "count")
        select ${`${prefix}:${key}`}::text, clock.at_now, 1 from clock
        on conflict ("key") do update set
          "count" = case when "RateLimitCounter"."windowStart" <= (select at_now - span from clock) then 1
                         else "RateLimitCounter"."count" + 1 end,
          "windowStart" = case when "RateLimitCounter"."windowStart" <= (select at_now - span from clock) then excluded."windowStart"
                               else "RateLimitCounter"."windowStart" end
        returning "count",
          (extract(epoch from ("windowStart" + (select span from clock) - (select at_now from clock))) * 1000)::float8 as "msLeft"`;
      return Number(row.count) > limit ? Math.max(1, Math.ceil(Number(row.msLeft) / 1000)) : 0;
    },
  };
}
