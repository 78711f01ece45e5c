// Sign-in attempt limits, counted in PostgreSQL so every web process shares them. Guessing from one
// address is held per (account, address) and per address; a looser per-account ceiling catches guessing
// spread over many addresses. An attacker at one address can therefore lock an account only for themself.
import { prisma } from "@/lib/db";

export interface SignInLimits {
  windowMs: number;
  perAccountAndAddress: number;
  perAddress: number;
  perAccount: number;
}

export function signInLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SignInLimits {
  const perAccountAndAddress = Number(env.SIGNIN_RATE_LIMIT ?? 10);
  return {
    windowMs: 5 * 60_000,
    perAccountAndAddress,
    perAddress: Number(env.SIGNIN_RATE_LIMIT_PER_ADDRESS ?? 5 * perAccountAndAddress),
    perAccount: Number(env.SIGNIN_RATE_LIMIT_PER_ACCOUNT ?? 10 * perAccountAndAddress),
  };
}

export interface Counter {
  key: string;
  limit: number;
}

/**
 * The counters one attempt counts against, in two stages: the address's own counters first, then (only
 * when those allow it) the account's shared ceiling, so a locked-out address does not use it up.
 */
export function signInCounters(email: string, address: string, limits: SignInLimits): [Counter[], Counter[]] {
  return [
    [
      { key: `signin:account+address:${email}|${address}`, limit: limits.perAccountAndAddress },
      { key: `signin:address:${address}`, limit: limits.perAddress },
    ],
    [{ key: `signin:account:${email}`, limit: limits.perAccount }],
  ];
}

export interface CounterState {
  key: string;
  count: number;
  /** Milliseconds until the counter's window ends. */
  msLeft: number;
}

/** Seconds until every counter over its limit has a fresh window; 0 when none is over. */
export function secondsToWait(states: CounterState[], counters: Counter[]): number {
  let waitMs = 0;
  for (const state of states) {
    const limit = counters.find((c) => c.key === state.key)?.limit ?? Infinity;
    if (state.count > limit) waitMs = Math.max(waitMs, state.msLeft);
  }
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}

/**
 * The client's address: the last X-Forwarded-For entry, which the nearest proxy appends (Next sets it
 * from the socket when no proxy did). Behind no proxy a client could claim any address; the per-account
 * ceiling still holds then.
 */
export function clientAddress(headers: Record<string, string | string[] | undefined> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const value = Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "");
  const last = value.split(",").at(-1)?.trim();
  return last ? last.slice(0, 64) : "unknown";
}

// Times are the database's (UTC, as Prisma stores them), so every process uses one clock.
/** Counts one hit on each counter in one statement (keys sorted, so concurrent statements lock in order). */
async function hit(keys: string[], windowMs: number): Promise<CounterState[]> {
  const sorted = [...keys].sort();
  const seconds = windowMs / 1000;
  const rows = await prisma.$queryRaw<{ key: string; count: number; msLeft: number }[]>`
    with clock as (select now() at time zone 'UTC' as at_now, make_interval(secs => ${seconds}::double precision) as span)
    insert into "RateLimitCounter" ("key", "windowStart", "count")
    select k, clock.at_now, 1 from unnest(${sorted}::text[]) as k, clock
    on conflict ("key") do update set
      "count" = case when "RateLimitCounter"."windowStart" <= (select at_now - span from clock) then 1
                     else "RateLimitCounter"."count" + 1 end,
      "windowStart" = case when "RateLimitCounter"."windowStart" <= (select at_now - span from clock) then excluded."windowStart"
                           else "RateLimitCounter"."windowStart" end
    returning "key", "count",
      (extract(epoch from ("windowStart" + (select span from clock) - (select at_now from clock))) * 1000)::float8 as "msLeft"`;
  return rows.map((r) => ({ key: r.key, count: Number(r.count), msLeft: Number(r.msLeft) }));
}

const SWEEP_EVERY_MS = 60_000;
let lastSweep = 0;

/** Deletes counters whose window has passed, at most once a minute per process. */
async function sweep(windowMs: number) {
  if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
  lastSweep = Date.now();
  await prisma.$executeRaw`
    delete from "RateLimitCounter"
    where "windowStart" < now() at time zone 'UTC' - make_interval(secs => ${windowMs / 1000}::double precision)`;
}

/** Records one sign-in attempt; returns the seconds to wait when it is over a limit, else 0. */
export async function hitSignInLimits(email: string, address: string, limits = signInLimitsFromEnv()): Promise<number> {
  await sweep(limits.windowMs);
  const [own, shared] = signInCounters(email, address, limits);
  for (const stage of [own, shared]) {
    const states = await hit(
      stage.map((c) => c.key),
      limits.windowMs,
    );
    const wait = secondsToWait(states, stage);
    if (wait > 0) return wait;
  }
  return 0;
}

/**
 * A successful sign-in takes its attempt back from the shared counters (so colleagues behind one address
 * are held by their failures only) and clears the account's count for that address (a typo is forgiven).
 */
export async function recordSuccessfulSignIn(email: string, address: string, limits = signInLimitsFromEnv()) {
  const [[pair, byAddress], [byAccount]] = signInCounters(email, address, limits);
  await prisma.$transaction([
    prisma.rateLimitCounter.deleteMany({ where: { key: pair.key } }),
    prisma.rateLimitCounter.updateMany({
      where: { key: { in: [byAddress.key, byAccount.key] }, count: { gt: 0 } },
      data: { count: { decrement: 1 } },
    }),
  ]);
}
