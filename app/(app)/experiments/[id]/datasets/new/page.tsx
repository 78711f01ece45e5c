import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { prisma } from "@/lib/db";
import { requireUser, isExperimentMember } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { getExperiment } from "@/lib/server/experiments/get-experiment";
import { RegisterDatasetForm } from "@/components/forms/register-dataset-form";
import { listExperimentDataRoots } from "@/lib/server/data-roots/manage-data-roots";

export const metadata: Metadata = { title: "Register dataset" };

export default async function NewDatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser();
  const experiment = await getExperiment({ actor: user, experimentId: id });
  if (!experiment) notFound();
  if (!can(user, "dataset:register", await isExperimentMember(user.id, id))) {
    return <p className="alert error">Your role ({user.role}) cannot register datasets.</p>;
  }
  const [edgeHosts, roots] = await Promise.all([
    prisma.edgeHost.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    listExperimentDataRoots(id),
  ]);
  return (
    <>
      <p>
        <Link href={`/experiments/${id}`}>← {experiment.name}</Link>
      </p>
      <h1>Register a dataset</h1>
      <RegisterDatasetForm experimentId={id} edgeHosts={edgeHosts} roots={roots.map((r) => `${r.edgeHost.name}:${r.path}`)} />
    </>
  );
}
