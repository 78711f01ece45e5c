import { describe, expect, it } from "vitest";
import { chooseAgent } from "./choose-agent";

const now = new Date("2026-11-29T12:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const options = { now, offlineSeconds: 60 };

describe("chooseAgent", () => {
  it("never picks an agent that never connected, however the list is ordered", () => {
    const agents = [
      { id: "issued-never-started", lastHeartbeatAt: null },
      { id: "live", lastHeartbeatAt: ago(5) },
    ];
    expect(chooseAgent(agents, options)?.id).toBe("live");
    expect(chooseAgent([...agents].reverse(), options)?.id).toBe("live");
  });

  it("picks the live agent heard from most recently", () => {
    const agents = [
      { id: "a", lastHeartbeatAt: ago(20) },
      { id: "b", lastHeartbeatAt: ago(2) },
      { id: "c", lastHeartbeatAt: ago(40) },
    ];
    expect(chooseAgent(agents, options)?.id).toBe("b");
  });

  it("keeps the run's own agent while it is live, even when another was heard from later", () => {
    const agents = [
      { id: "a", lastHeartbeatAt: ago(14) },
      { id: "b", lastHeartbeatAt: ago(1) },
    ];
    expect(chooseAgent(agents, { ...options, preferredAgentId: "a" })?.id).toBe("a");
  });

  it("moves on from the run's agent once it is offline", () => {
    const agents = [
      { id: "a", lastHeartbeatAt: ago(61) },
      { id: "b", lastHeartbeatAt: ago(30) },
    ];
    expect(chooseAgent(agents, { ...options, preferredAgentId: "a" })?.id).toBe("b");
  });

  it("when none is live, picks the agent heard from last (its task is then declared lost, naming it), never one never heard from", () => {
    const agents = [
      { id: "never", lastHeartbeatAt: null },
      { id: "long-gone", lastHeartbeatAt: ago(600) },
      { id: "just-gone", lastHeartbeatAt: ago(90) },
    ];
    expect(chooseAgent(agents, options)?.id).toBe("just-gone");
  });

  it("answers null when no agent ever connected", () => {
    expect(chooseAgent([{ id: "b", lastHeartbeatAt: null }], options)).toBeNull();
    expect(chooseAgent([], options)).toBeNull();
  });

  it("counts an agent heard exactly at the window's edge as live", () => {
    expect(chooseAgent([{ id: "a", lastHeartbeatAt: ago(60) }], options)?.id).toBe("a");
  });
});
