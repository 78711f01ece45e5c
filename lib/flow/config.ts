// Timing knobs of the flow, from the environment so tests and benches can shorten them.
const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const flowConfig = {
  /** An agent's lease on a task; heartbeats renew it. A silent agent loses its task after this long. */
  leaseSeconds: seconds("AGENT_LEASE_SECONDS", 20),
  /** A task waiting for an agent that has not been heard from for this long is declared lost. */
  agentOfflineSeconds: seconds("AGENT_OFFLINE_SECONDS", 60),
  /** Transfer tokens expire after this long. */
  transferTokenSeconds: seconds("TRANSFER_TOKEN_SECONDS", 6 * 3600),
  /** Longest an agent long-poll is held open. */
  longPollSeconds: seconds("AGENT_LONG_POLL_SECONDS", 25),
};
