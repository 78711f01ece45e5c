// Which agent gets a run's next task: only a live one (heard from within the offline window), and the
// run's own trainer agent while it stays live, so that one run's trainer-side steps (which hand files to
// each other on that host) never split across agents. Pure: callers pass the agents and the clock.

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

/** The preferred agent when live, else the live agent heard from most recently, else null (a never-connected token is never chosen). */
export function chooseAgent<A extends AgentCandidate>(agents: readonly A[], options: ChooseAgentOptions): A | null {
  const live = agents.filter((a) => isLive(a, options));
  const preferred = live.find((a) => a.id === options.preferredAgentId);
  if (preferred) return preferred;
  return live.reduce<A | null>((best, a) => (best === null || a.lastHeartbeatAt! > best.lastHeartbeatAt! ? a : best), null);
}
