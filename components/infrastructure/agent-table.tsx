"use client";

import type { QueryKey } from "@tanstack/react-query";
import { revokeAgentTokenAction } from "@/lib/actions/revoke-agent-token";
import { actionStateOf, useActionMutation } from "@/components/query/use-action-mutation";

export interface AgentRow {
  id: string;
  name: string;
  tokenPrefix: string;
  revokedAt: Date | string | null;
  lastHeartbeatAt: Date | string | null;
  version: string | null;
  dataPlaneUrl: string | null;
}

const ONLINE_MS = 60_000;

/** `invalidates`: the list the agents came from, refetched once a revoke lands. */
export function AgentTable({ agents, nowMs, invalidates }: { agents: AgentRow[]; nowMs: number; invalidates: QueryKey }) {
  const revoke = useActionMutation(revokeAgentTokenAction, [invalidates]);
  const outcome = revoke.isIdle || revoke.isPending ? null : actionStateOf(revoke);
  if (agents.length === 0) return <p className="small muted">No agent yet.</p>;
  return (
    <>
      <table aria-label="Agents">
        <thead>
          <tr>
            <th>Agent</th>
            <th>Token</th>
            <th>Health</th>
            <th>Version</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => {
            const age = a.lastHeartbeatAt ? nowMs - new Date(a.lastHeartbeatAt).getTime() : null;
            const health = a.revokedAt ? "revoked" : age === null ? "never seen" : age < ONLINE_MS ? "online" : "offline";
            return (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td className="mono small">{a.tokenPrefix}…</td>
                <td>
                  <span className={`badge ${health === "online" ? "ok" : health === "revoked" ? "canceled" : "warn"}`}>{health}</span>{" "}
                  <span className="small muted">{age !== null && !a.revokedAt ? `${Math.round(age / 1000)} s ago` : ""}</span>
                </td>
                <td className="small">{a.version ?? "—"}</td>
                <td>
                  {!a.revokedAt && (
                    <button
                      className="danger small"
                      disabled={revoke.isPending}
                      onClick={() => confirm(`Revoke the token of ${a.name}? The agent will be refused at once.`) && revoke.mutate(a.id)}
                    >
                      {revoke.isPending && revoke.variables === a.id ? "Revoking…" : "Revoke"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {outcome?.message && (
        <p className={`alert small ${outcome.ok ? "ok" : "error"}`} role={outcome.ok ? "status" : "alert"}>
          {outcome.message}
        </p>
      )}
    </>
  );
}
