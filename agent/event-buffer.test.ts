import { describe, expect, it } from "vitest";
import { EventBuffer, type TaskEvent } from "./event-buffer";

const log = (line: string): TaskEvent => ({ type: "log", line });
const progress = (done: number): TaskEvent => ({ type: "progress", done, total: 100 });
const metric = (epoch: number): TaskEvent => ({ type: "metric", metric: { epoch } as never });

describe("EventBuffer", () => {
  it("#11 sends at most one progress per second per task, the newest", () => {
    const buffer = new EventBuffer({ maxLogLines: 100, progressEveryMs: 1000, batchSize: 200 });
    buffer.push(progress(1));
    buffer.push(progress(2));
    expect(buffer.take(0)).toEqual([progress(2)]);
    for (let done = 3; done <= 9; done++) buffer.push(progress(done));
    expect(buffer.take(500)).toEqual([]);
    expect(buffer.dueIn(500)).toBe(500);
    buffer.push(log("a"));
    expect(buffer.dueIn(600)).toBe(0);
    expect(buffer.take(600)).toEqual([log("a")]); // the line goes, the progress waits its turn
    expect(buffer.take(1000)).toEqual([progress(9)]);
    expect(buffer.dueIn(1000)).toBeNull();
    buffer.push(progress(10));
    expect(buffer.take(1001, true)).toEqual([progress(10)]); // the end of a task sends it at once
  });

  it("#19 keeps at most maxLogLines log lines, dropping the oldest with a counted marker, never metrics", () => {
    const buffer = new EventBuffer({ maxLogLines: 3, progressEveryMs: 1000, batchSize: 200 });
    buffer.push(metric(1));
    for (let index = 1; index <= 6; index++) buffer.push(log(`line ${index}`));
    buffer.push(metric(2));
    buffer.push({ type: "started", executorJobId: "42" });
    const batch = buffer.take(0);
    expect(batch[0]).toEqual(log("[agent] 3 log lines dropped: the dashboard did not take them fast enough"));
    expect(batch.slice(1)).toEqual([
      metric(1),
      log("line 4"),
      log("line 5"),
      log("line 6"),
      metric(2),
      { type: "started", executorJobId: "42" },
    ]);
    expect(buffer.take(0)).toEqual([]);
    // the count starts again after a marker went out
    for (let index = 1; index <= 4; index++) buffer.push(log(`again ${index}`));
    expect(buffer.take(0).map((item) => (item.type === "log" ? item.line : item.type))).toEqual([
      "[agent] 1 log lines dropped: the dashboard did not take them fast enough",
      "again 2",
      "again 3",
      "again 4",
    ]);
  });

  it("splits into batches of the API's size", () => {
    const buffer = new EventBuffer({ maxLogLines: 1000, progressEveryMs: 1000, batchSize: 200 });
    for (let index = 0; index < 450; index++) buffer.push(log(String(index)));
    buffer.push(progress(5));
    expect(buffer.take(0)).toHaveLength(200);
    expect(buffer.take(0)).toHaveLength(200);
    expect(buffer.take(0)).toEqual([...Array.from({ length: 50 }, (_, index) => log(String(400 + index))), progress(5)]);
  });
});
