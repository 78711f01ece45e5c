import { describe, expect, it } from "vitest";
import {
  endToEndSeries,
  medianTurnaroundPerBeamtime,
  medianTurnaroundPerExperiment,
  runEndToEndSeconds,
  timeSavedAgainstBaseline,
  toCsv,
  trainerBreakdown,
  turnaroundCsvRows,
  type TurnaroundRun,
} from "@/lib/cost-model/turnaround";

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

function run(
  partial: Partial<TurnaroundRun> & {
    id: string;
    trainerId: string;
    seconds: number;
    at?: number;
  },
): TurnaroundRun {
  const startedAt = new Date(partial.at ?? T0);
  const { seconds, at: _at, ...rest } = partial;
  return {
    experimentId: "exp-1",
    experimentName: "HEDM Ti-7Al",
    beamtimeLabel: "2026-1 shift A",
    trainerName: partial.trainerId,
    status: "succeeded",
    startedAt,
    endedAt: new Date(startedAt.getTime() + seconds * 1000),
    stepSeconds: {},
    queueSeconds: null,
    controlOverheadSeconds: null,
    ...rest,
  };
}

// Paper Table 1, BraggNN: local GPU 1102 s; Cerebras 7 + 19 + 5 = 31 s; SambaNova 7 + 139 + 5 = 151 s.
const RUNS: TurnaroundRun[] = [
  run({
    id: "r1",
    trainerId: "local",
    seconds: 1102,
    stepSeconds: { train: 1102 },
  }),
  run({
    id: "r2",
    trainerId: "local",
    seconds: 1200,
    at: T0 + 3_600_000,
    stepSeconds: { train: 1190 },
  }),
  run({
    id: "r3",
    trainerId: "cerebras",
    seconds: 31.4,
    at: T0 + 1_000,
    stepSeconds: { stageIn: 7, train: 19, stageOut: 5 },
    queueSeconds: 0.2,
  }),
  run({
    id: "r4",
    trainerId: "cerebras",
    seconds: 33,
    at: T0 + 7_200_000,
    stepSeconds: { stageIn: 8, train: 19, stageOut: 5 },
    experimentId: "exp-2",
    experimentName: "CookieBox",
    beamtimeLabel: null,
  }),
  run({
    id: "r5",
    trainerId: "sambanova",
    seconds: 151,
    at: T0 + 60_000,
    stepSeconds: { stageIn: 7, train: 139, stageOut: 5 },
  }),
  run({
    id: "r6",
    trainerId: "sambanova",
    seconds: 0,
    status: "failed",
    endedAt: null,
  }),
];

describe("run aggregations", () => {
  it("computes end-to-end from timestamps or the stored value", () => {
    expect(runEndToEndSeconds(RUNS[2])).toBeCloseTo(31.4, 9);
    expect(runEndToEndSeconds({ ...RUNS[2], endToEndSeconds: 40 })).toBe(40);
    expect(
      runEndToEndSeconds({
        ...RUNS[2],
        startedAt: "2026-03-01T08:00:00Z",
        endedAt: "2026-03-01T08:00:31.5Z",
      }),
    ).toBeCloseTo(31.5, 9);
    expect(runEndToEndSeconds(RUNS[5])).toBeNull();
  });

  it("series lists succeeded runs by completion time", () => {
    const series = endToEndSeries(RUNS);
    expect(series.map((p) => p.runId)).toEqual(["r3", "r5", "r1", "r2", "r4"]);
    expect(series[0].endToEndSeconds).toBeCloseTo(31.4, 9);
  });

  it("builds a per-trainer Table 1 of medians, fastest first", () => {
    const table = trainerBreakdown(RUNS);
    expect(table.map((t) => t.trainerId)).toEqual(["cerebras", "sambanova", "local"]);
    const cerebras = table[0];
    expect(cerebras.runs).toBe(2);
    expect(cerebras.median.dataTransferSeconds).toBe(7.5);
    expect(cerebras.median.trainingSeconds).toBe(19);
    expect(cerebras.median.modelTransferSeconds).toBe(5);
    expect(cerebras.median.endToEndSeconds).toBeCloseTo(32.2, 9);
    // r3: 31.4 − (0.2 + 7 + 19 + 5) = 0.2; r4: 33 − 32 = 1 → median 0.6.
    expect(cerebras.median.controlOverheadSeconds).toBeCloseTo(0.6, 9);
    expect(table[1].runs).toBe(1);
    expect(table[2].median.endToEndSeconds).toBe(1151);
  });

  it("gives median turnaround per experiment and per beamtime", () => {
    const experiments = medianTurnaroundPerExperiment(RUNS);
    expect(experiments).toEqual([
      {
        key: "exp-2",
        label: "CookieBox",
        runs: 1,
        retrains: 1,
        medianEndToEndSeconds: 33,
      },
      {
        key: "exp-1",
        label: "HEDM Ti-7Al",
        runs: 5,
        retrains: 4,
        medianEndToEndSeconds: (151 + 1102) / 2,
      },
    ]);
    const beamtimes = medianTurnaroundPerBeamtime(RUNS);
    expect(beamtimes.map((b) => [b.label, b.retrains])).toEqual([
      ["(no beamtime)", 1],
      ["2026-1 shift A", 4],
    ]);
  });

  it("sums time saved against the baseline median", () => {
    const saved = timeSavedAgainstBaseline(RUNS, "local");
    expect(saved.baselineMedianSeconds).toBe(1151);
    expect(saved.baselineRuns).toBe(2);
    expect(saved.runsCompared).toBe(3);
    // (1151 − 31.4) + (1151 − 33) + (1151 − 151) = 3237.6 s.
    expect(saved.totalSavedSeconds).toBeCloseTo(3237.6, 9);
    expect(saved.perTrainer[0]).toMatchObject({
      trainerId: "cerebras",
      runs: 2,
    });
    expect(saved.perTrainer[0].savedSeconds).toBeCloseTo(2237.6, 9);
  });

  it("handles a baseline without runs, or an explicit baseline", () => {
    const none = timeSavedAgainstBaseline(RUNS, "nowhere");
    expect(none.baselineMedianSeconds).toBeNull();
    expect(none.totalSavedSeconds).toBe(0);
    expect(none.note).toMatch(/cannot be computed/);
    const given = timeSavedAgainstBaseline(RUNS, "nowhere", {
      baselineSeconds: 100,
    });
    expect(given.totalSavedSeconds).toBeCloseTo(100 * 5 - (1102 + 1200 + 31.4 + 33 + 151), 9);
  });
});

describe("toCsv", () => {
  it("quotes per RFC 4180 with CRLF line breaks", () => {
    const csv = toCsv([
      ["name", "note"],
      ["a,b", 'say "hi"'],
      ["multi\nline", "carriage\rreturn"],
      [1.5, null],
      [true, undefined],
    ]);
    expect(csv).toBe('name,note\r\n"a,b","say ""hi"""\r\n"multi\nline","carriage\rreturn"\r\n1.5,\r\ntrue,\r\n');
  });

  it("neutralises formula injection in text but keeps numbers", () => {
    const csv = toCsv([['=HYPERLINK("http://x")', "+1+2", "-cmd", "@SUM(A1)", -3, "-3.5", "\tx", "safe"]]);
    expect(csv).toBe(`"'=HYPERLINK(""http://x"")",'+1+2,'-cmd,'@SUM(A1),-3,-3.5,'\tx,safe\r\n`);
  });

  it("writes dates as ISO and non-finite numbers as empty", () => {
    expect(toCsv([[new Date(T0), Number.NaN, Number.POSITIVE_INFINITY]])).toBe("2026-03-01T08:00:00.000Z,,\r\n");
    expect(toCsv([])).toBe("");
  });

  it("exports one row per run with a header", () => {
    const rows = turnaroundCsvRows(RUNS);
    expect(rows).toHaveLength(RUNS.length + 1);
    expect(rows[0][0]).toBe("run_id");
    expect(rows[3]).toEqual([
      "r3",
      "HEDM Ti-7Al",
      "2026-1 shift A",
      "cerebras",
      "succeeded",
      "2026-03-01T08:00:01.000Z",
      "2026-03-01T08:00:32.400Z",
      0.2,
      7,
      0,
      19,
      5,
      0,
      expect.closeTo(0.2, 9),
      expect.closeTo(31.4, 9),
    ]);
    expect(rows[6].slice(-2)).toEqual([null, null]);
    expect(toCsv(rows).split("\r\n")).toHaveLength(RUNS.length + 2);
  });
});
