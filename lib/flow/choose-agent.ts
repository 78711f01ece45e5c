// Which agent gets a run's next task: a live one (heard from within the offline window), and the run's own
// trainer agent while it stays live, so that one run's trainer-side steps (which hand files to each other
// on that host) never split across agents; never a token that was issued but never used. Pure.

export interface AgentCandidate {
  id: string;
  lastHeartbeatAt: Date | null;
}

export interface ChooseAgentOptions {
  now: Date;
  /** An agent silent for longer than this is offline (AGENT_OFFLINE_SECONDS). */
  offlineSeconds: number;
  /** The agent that ran this run's earlier steps on this side, kept while it is live. */
  preferredAgentId?: string | null;
}

export function isLive(agent: AgentCandidate, { now, offlineSeconds }: Pick<ChooseAgentOptions, "now" | "offlineSeconds">): boolean {
  return agent.lastHeartbeatAt !== null && now.getTime() - agent.lastHeartbeatAt.getTime() <= offlineSeconds * 1000;
}

/**
 * The preferred agent when live, else the live agent heard from most recently. When none is live, the
 * agent heard from most recently: its task waits for it to come back and the sweeper declares it lost,
 * naming the agent, after the offline window. An agent never heard from (a token issued but never used)
 * is never chosen; null when no agent ever connected.
 */
export function chooseAgent<A extends AgentCandidate>(agents: readonly A[], options: ChooseAgentOptions): A | null {
  const heard = agents.filter((a) => a.lastHeartbeatAt !== null);
  const live = heard.filter((a) => isLive(a, options));
  const preferred = live.find((a) => a.id === options.preferredAgentId);
  if (preferred) return preferred;
  const latest = (list: A[]) =>
    list.reduce<A | null>((best, a) => (best === null || a.lastHeartbeatAt! > best.lastHeartbeatAt! ? a : best), null);
  return latest(live) ?? latest(heard);
}
