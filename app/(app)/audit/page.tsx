import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listAuditEvents } from "@/lib/server/audit/list-audit-events";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default async function AuditPage() {
  const user = await requireUser();
  if (!can(user, "audit:view")) return <p className="alert error">Only facility staff read the audit log.</p>;
  const events = await listAuditEvents();
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every privileged action: sign-ins, launches, cancels, retries, restores, tokens, registrations.</p>
      <table aria-label="Audit events">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={String(e.id)}>
              <td className="mono small">{e.at.toISOString().slice(0, 19).replace("T", " ")}</td>
              <td>{e.actorUser ? `${e.actorUser.name} (${e.actorUser.role})` : (e.actorAgent ?? "system")}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td className="small">
                {e.targetType} <span className="mono muted">{e.targetId.slice(0, 10)}</span>
              </td>
              <td className="mono small">{e.detail ? JSON.stringify(e.detail).slice(0, 120) : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
