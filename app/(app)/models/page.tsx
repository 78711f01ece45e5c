import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { listModelFamilies } from "@/lib/server/models/list-model-families";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const user = await requireUser();
  const families = await listModelFamilies({ actor: user });
  return (
    <>
      <h1>Model families</h1>
      <div className="grid">
        {families.map((f) => (
          <Link key={f.id} href={`/models/${f.key}`} className="panel" style={{ color: "inherit" }}>
            <h2 style={{ marginTop: 0 }}>{f.name}</h2>
            <p className="muted small">{f.description}</p>
            <p className="small">
              {f._count.versions} versions · {f._count.runs} runs · entry point <code>{f.entryPoint}</code>
            </p>
            <p className="small muted">metrics: {f.metrics.join(", ")}</p>
          </Link>
        ))}
      </div>
    </>
  );
}
