import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listTrainers } from "@/lib/server/infrastructure/list-infrastructure";
import { toJson } from "@/lib/json";
import { TrainersLive } from "@/components/infrastructure/infrastructure-live";
import { CreateTrainerForm } from "@/components/infrastructure/create-forms";
import { CalibrationPanel } from "@/components/infrastructure/calibration-panel";
import { listTrainerCalibrations } from "@/lib/calibration/calibrations";
import { listRouteFits } from "@/lib/server/predictions/list-route-fits";

export const metadata: Metadata = { title: "Trainers" };
export const dynamic = "force-dynamic";

export default async function TrainersPage() {
  const user = await requireUser();
  if (!can(user, "infrastructure:view")) return <p className="alert error">Only facility staff see trainers and their agents.</p>;
  const [trainers, calibrations, routes] = await Promise.all([listTrainers(), listTrainerCalibrations(), listRouteFits()]);
  const panels = Object.fromEntries(
    trainers.trainers.map((t) => [
      t.id,
      <CalibrationPanel
        key={t.id}
        trainerId={t.id}
        calibrations={(calibrations.byTrainer[t.id] ?? []).map((c) => ({ ...c, at: c.at.toISOString() }))}
        routes={routes[t.id] ?? []}
        requestedAt={calibrations.requestedAt[t.id]?.toISOString() ?? null}
        mayRecalibrate={can(user, "infrastructure:manage")}
      />,
    ]),
  );
  return (
    <>
      <h1>Trainers</h1>
      <p className="muted">Data-center systems that train models. Each runs an agent that connects out to this dashboard.</p>
      <TrainersLive initial={toJson(trainers)} panels={panels} />
      <h2>Register a trainer</h2>
      <CreateTrainerForm />
    </>
  );
}
