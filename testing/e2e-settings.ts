// Settings the e2e stack (testing/e2e-stack.ts) starts with and the browser journeys (e2e/) rely on.

/**
 * How long the Slurm agent's dialog standby waits after its last renewal (AGENT_PREPARED_STANDBY_SECONDS): shorter
 * than the 30 s default, so that a journey sees an unrenewed standby give up soon, and still longer than the
 * dialog's 10 s between renewals, with 5 s for a renewal to reach the agent.
 */
export const E2E_PREPARED_STANDBY_SECONDS = 15;
