import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listTrainers } from "@/lib/server/infrastructure/list-infrastructure";
import { AgentTable } from "@/components/infrastructure/agent-table";
import { IssueTokenForm } from "@/components/infrastructure/issue-token-form";
import { CreateTrainerForm } from "@/components/infrastructure/create-forms";
import { CalibrationPanel } from "@/components/infrastructure/calibration-panel";
import { listTrainerCalibrations } from "@/lib/calibration/calibrations";

export const metadata: Metadata = { title: "Trainers" };
export const dynamic = "force-dynamic";

export default async function TrainersPage() {
  const user = await requireUser();
  if (!can(user, "infrastructure:view")) return <p className="alert error">Only facility staff see trainers and their agents.</p>;
  const [{ trainers, checkedAtMs: now }, calibrations] = await Promise.all([listTrainers(), listTrainerCalibrations()]);
  return (
    <>
      <h1>Trainers</h1>
      <p className="muted">Data-center systems that train models. Each runs an agent that connects out to this dashboard.</p>
      {trainers.map((t) => (
        <section key={t.id} className="panel" style={{ marginBottom: 12 }} aria-label={`Trainer ${t.name}`}>
          <div className="spread">
            <h2 style={{ margin: 0 }}>
              {t.name}{" "}
              <span className="small muted">
                {t.site} · {t.hardware} · {t.executor}
              </span>
            </h2>
            <div className="row small">
              <span>
                running <b>{t.running}</b>/{t.concurrency}
              </span>
              <span>
                queued <b>{t.queued}</b>
              </span>
              <span>
                utilisation (24 h) <b>{(100 * t.utilisation).toFixed(1)}%</b>
              </span>
              <Link href={`/runs?trainer=${t.id}`}>runs →</Link>
            </div>
          </div>
          <AgentTable agents={t.agents} nowMs={now} />
          <CalibrationPanel
            trainerId={t.id}
            calibrations={(calibrations.byTrainer[t.id] ?? []).map((c) => ({ ...c, at: c.at.toISOString() }))}
            requestedAt={calibrations.requestedAt[t.id]?.toISOString() ?? null}
            mayRecalibrate={can(user, "infrastructure:manage")}
          />
          <IssueTokenForm kind="trainer" targetId={t.id} />
        </section>
      ))}
      <h2>Register a trainer</h2>
      <CreateTrainerForm />
    </>
  );
}
