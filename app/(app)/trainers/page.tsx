import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { listTrainers } from "@/lib/server/infrastructure/list-infrastructure";
import { toJson } from "@/lib/json";
import { TrainersLive } from "@/components/infrastructure/infrastructure-live";
import { CreateTrainerForm } from "@/components/infrastructure/create-forms";

export const metadata: Metadata = { title: "Trainers" };
export const dynamic = "force-dynamic";

export default async function TrainersPage() {
  const user = await requireUser();
  if (!can(user, "infrastructure:view")) return <p className="alert error">Only facility staff see trainers and their agents.</p>;
  return (
    <>
      <h1>Trainers</h1>
      <p className="muted">Data-center systems that train models. Each runs an agent that connects out to this dashboard.</p>
      <TrainersLive initial={toJson(await listTrainers())} />
      <h2>Register a trainer</h2>
      <CreateTrainerForm />
    </>
  );
}
