import type { Metadata } from "next";
import { SelectFilter } from "@/components/forms/select-filter";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { getMeasuredParameters } from "@/lib/server/cost-model/get-measured-parameters";
import { paperParameterSet, sourceLabel, PARAMETER_FIELDS } from "@/lib/cost-model/parameters";
import { parseCostModelParams } from "@/lib/turnaround/params";
import { CostModelExplorer } from "@/components/cost-model/CostModelExplorer";
import { LiveRefresh } from "@/components/cost-model/LiveRefresh";

export const metadata: Metadata = { title: "Cost model" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

export default async function CostModelPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  const params = parseCostModelParams(await searchParams);
  const data = await getMeasuredParameters({ actor: user, params });
  const paper = paperParameterSet();
  const selection = data.selection;
  const measuredCount = data.parameters ? PARAMETER_FIELDS.filter((f) => data.parameters![f.key].source === "measured").length : 0;

  return (
    <>
      <div className="spread">
        <div>
          <h1>Cost model: conventional analysis vs. retrained surrogate</h1>
          <p className="muted" style={{ marginTop: -6 }}>
            The paper&apos;s §4 model (eqs. 4–5, Fig. 4): is it faster to analyse all N data conventionally at the data center, or to label
            a fraction p, retrain the model and estimate the rest at the edge?
          </p>
        </div>
        <LiveRefresh src="/api/cost-model/events" />
      </div>

      {selection ? (
        <form className="row" method="get" aria-label="Choose what to measure" style={{ marginBottom: 12 }}>
          <SelectFilter
            name="family"
            label="Model family"
            value={selection.family.key}
            options={data.families.map((f) => ({ value: f.key, label: f.name }))}
          />
          <SelectFilter
            name="trainer"
            label="Trainer (C(T), data center end)"
            value={selection.trainer.id}
            options={data.trainers.map((t) => ({ value: t.id, label: t.name }))}
          />
          <SelectFilter
            name="edge"
            label="Edge host (C(E), experiment end)"
            value={selection.edge.id}
            options={data.edgeHosts.map((e) => ({ value: e.id, label: e.name }))}
          />
          <button type="submit">Show</button>
          <span className="small muted">
            {measuredCount} of {PARAMETER_FIELDS.length} parameters measured for {selection.family.name} on {selection.trainer.name} ↔{" "}
            {selection.edge.name}
            {data.parameters && ` (C(T): ${sourceLabel(data.parameters.trainingMicroseconds)})`}.
          </span>
        </form>
      ) : (
        <div className="alert warn" style={{ marginBottom: 12 }}>
          No {data.families.length === 0 ? "model family" : data.trainers.length === 0 ? "trainer" : "edge host"} is registered yet, so
          nothing can be measured: the plot below uses the paper&apos;s values. Facility staff register trainers and edge hosts under{" "}
          <Link href="/trainers">Trainers</Link> and <Link href="/edge-hosts">Edge hosts</Link>; every finished run then adds measurements
          here.
        </div>
      )}
      {selection && measuredCount === 0 && (
        <div className="alert" style={{ marginBottom: 12 }}>
          Nothing has been measured for this combination yet: every value is the paper&apos;s default. Launch a retrain of{" "}
          {selection.family.name} on {selection.trainer.name} from an experiment page; its transfers, training time and deploy benchmark
          fill the parameters when it finishes (this page updates by itself).
        </div>
      )}

      <CostModelExplorer
        key={selection ? `${selection.family.key}/${selection.trainer.id}/${selection.edge.id}` : "paper"}
        measured={data.parameters}
        paper={paper}
        subject={selection ? `${selection.family.name} on ${selection.trainer.name} ↔ ${selection.edge.name}` : null}
        typicalN={data.typicalN}
      />
      <p className="muted small" style={{ marginTop: 12 }}>
        Measured values: transfer rate and start-up by least squares (T = x/v + S) over the newest 200 recorded transfers of each direction;
        C(T) the median training step of the newest 200 succeeded runs in experiments you can see; C(E) and C(A) medians of deploy and
        labelling benchmarks. Edits stay in this browser tab only. See also <Link href="/predictions">prediction error</Link> and{" "}
        <Link href="/turnaround">turnaround</Link>.
      </p>
    </>
  );
}
