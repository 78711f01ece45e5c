"use client";

import { useState, useTransition } from "react";
import { revokeAgentTokenAction } from "@/lib/actions/revoke-agent-token";

export interface AgentRow {
  id: string;
  name: string;
  tokenPrefix: string;
  revokedAt: Date | null;
  lastHeartbeatAt: Date | null;
  version: string | null;
  dataPlaneUrl: string | null;
}

const ONLINE_MS = 60_000;

export function AgentTable({ agents, nowMs }: { agents: AgentRow[]; nowMs: number }) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
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
                      disabled={pending}
                      onClick={() =>
                        confirm(`Revoke the token of ${a.name}? The agent will be refused at once.`) &&
                        start(async () => setMessage((await revokeAgentTokenAction(a.id)).message ?? null))
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {message && (
        <p className="alert ok small" role="status">
          {message}
        </p>
      )}
    </>
  );
}
