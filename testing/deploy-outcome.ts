// What a succeeded run's deploy step should have left: one deployment of its model, or none when the deploy
// gate held the model back for measuring worse than the one in service (lib/flow/deploy-gate.ts).
import type { Stack } from "@/testing/stack";

/** How many deployments the run's model must have: 0 when held back, else 1 (never more, even after retries). */
export async function expectedDeployments(stack: Stack, runId: string): Promise<0 | 1> {
  const decision = await stack.prisma.deployDecision.findFirstOrThrow({ where: { modelVersion: { runId } } });
  return decision.heldBack ? 0 : 1;
}
