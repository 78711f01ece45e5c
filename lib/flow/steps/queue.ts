// Queue: the run waits for a free slot on its trainer. The dashboard runs it; its time is shown apart
// from training because it is not training.
import type { DashboardStep } from "@/lib/flow/steps/types";

export const queueStep: DashboardStep<"queue", "queue"> = {
  name: "queue",
  key: "queue",
  label: "Queue",
  shortLabel: "Queue",
  column: "queue",
  columnLabel: "Queue",
  color: "#999999",
  side: "dashboard",
  includedWhen: () => true,
};
